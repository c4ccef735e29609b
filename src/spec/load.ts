/**
 * Loading a bundle's config.json for create and run: read, validate
 * (validate-fast.ts), and check that the root filesystem is a directory.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { errnoText } from "../errors.js";
import type { Spec } from "./schema.js";
import { fail, parseJson } from "./semantics.js";
import { validateSpecFast } from "./validate-fast.js";

/** Absolute path of the container's root filesystem (root.path against the bundle). Does not follow symlinks. */
export function rootfsPath(bundleDir: string, spec: Spec): string {
  return resolve(bundleDir, spec.root.path);
}

/**
 * Read, parse and validate `<bundleDir>/config.json`, and check that the root
 * filesystem it names is an existing directory. Throws RuntsError.
 */
export async function loadSpec(bundleDir: string): Promise<Spec> {
  const bundle = resolve(bundleDir);
  const file = join(bundle, "config.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw fail("", `cannot read ${file}: ${codeText(err)}`);
  }
  const spec = await validateSpecFast(parseJson(text));
  const rootfs = rootfsPath(bundle, spec);
  let isDir: boolean;
  try {
    isDir = statSync(rootfs).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw fail("root.path", `${rootfs} does not exist`);
    throw fail("root.path", `cannot access ${rootfs}: ${codeText(err)}`);
  }
  if (!isDir) throw fail("root.path", `${rootfs} is not a directory`);
  return spec;
}

function codeText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? errnoText(code) : err instanceof Error ? err.message : String(err);
}
