/**
 * Fresh OCI bundles for tests: /tmp/runts-test-bundle-<run>-XXXXXX/ with a
 * private copy of the pristine busybox rootfs (tests may write into it) and a
 * config.json.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { tmpPrefix } from "./context.js";
import { DEFAULT_ARGS, defaultConfig, type OciConfig } from "./oci-config.js";
import { copyRootfs, pristineRootfs } from "./rootfs.js";

export { DEFAULT_ARGS, defaultConfig, minimalConfig } from "./oci-config.js";
export type { OciConfig, OciLinux, OciMount, OciProcess } from "./oci-config.js";

export interface MakeBundleOptions {
  /** process.args; default `sh -c 'echo hello from runts; hostname'`. */
  args?: string[];
  /** Starting config, called with the args; default defaultConfig (runc spec). Pass minimalConfig for the small one. */
  config?: (args: readonly string[]) => OciConfig;
  /** Edit the config before it is written; may change it in place or return a replacement. */
  mutate?: (cfg: OciConfig) => OciConfig | void;
}

export interface Bundle {
  /** Bundle directory (pass to --bundle). */
  readonly dir: string;
  /** <dir>/rootfs, a private copy tests may write into. */
  readonly rootfs: string;
  /** <dir>/config.json */
  readonly configPath: string;
  /** The config as last written. */
  config: OciConfig;
  /** Rewrite config.json and `config` (e.g. between runs of the same bundle). */
  writeConfig(cfg: OciConfig): Promise<void>;
  /** Remove the bundle directory; safe to call twice. */
  cleanup(): Promise<void>;
}

export async function makeBundle(opts: MakeBundleOptions = {}): Promise<Bundle> {
  const source = await pristineRootfs();
  const dir = await mkdtemp(tmpPrefix("bundle"));
  const rootfs = path.join(dir, "rootfs");
  const configPath = path.join(dir, "config.json");
  try {
    copyRootfs(source, rootfs);
    let cfg = (opts.config ?? defaultConfig)(opts.args ?? DEFAULT_ARGS);
    cfg = opts.mutate?.(cfg) ?? cfg;
    await writeFile(configPath, JSON.stringify(cfg, null, 2) + "\n");
    const bundle: Bundle = {
      dir,
      rootfs,
      configPath,
      config: cfg,
      async writeConfig(next: OciConfig): Promise<void> {
        await writeFile(configPath, JSON.stringify(next, null, 2) + "\n");
        bundle.config = next;
      },
      async cleanup(): Promise<void> {
        await rm(dir, { recursive: true, force: true });
      },
    };
    return bundle;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
