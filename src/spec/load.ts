/**
 * Loading a bundle's config.json for create and run.
 *
 * A good config is checked by parse-fast.generated.ts: the zod schema of
 * schema.ts compiled ahead of time (scripts/gen-spec-parser.ts) into plain
 * code that gives the same result as the schema's parse without building the
 * schemas (~3 ms of a cold start; of zod, only its small util module is
 * loaded, for three helpers the code calls). When it refuses a config,
 * validate.ts runs zod itself, whose issue becomes the error line. Either
 * way the same checks of semantics.ts come before and after.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { errnoText } from "../errors.js";
import type { Spec } from "./schema.js";
import { INVALID, parseSpecFast } from "./parse-fast.generated.js";
import { checkSemantics, checkVersion, fail, parseJson } from "./semantics.js";

export type * from "./schema.js";

/** Absolute path of the container's root filesystem (root.path against the bundle). Does not follow symlinks. */
export function rootfsPath(bundleDir: string, spec: Spec): string {
  return resolve(bundleDir, spec.root.path);
}

/** Validate a parsed config.json: the fast parser, or zod to say what is wrong. Throws RuntsError. */
export async function validateSpecFast(raw: unknown): Promise<Spec> {
  checkVersion(raw);
  const parsed = parseSpecFast(raw);
  if (parsed === INVALID) return (await import("./validate.js")).validateSpec(raw);
  const spec = parsed as Spec;
  checkSemantics(spec);
  return spec;
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
