/**
 * Loading and validating a bundle's config.json.
 *
 * This module pulls in zod and the schemas, so only commands that read a
 * config (create, run, exec) should import it; everything else must not.
 *
 * Every failure is a RuntsError with no context whose message is one line:
 *   config.json: <json path>: <what was expected>, got <what was there>
 * (or a close variant for checks that are not about a single value), so
 * `err.toLine() === err.message`.
 */
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { RuntsError, errnoText } from "../errors.js";
import { specSchema, type Spec } from "./schema.js";
import { expectationFor, formatIssue, jsonType, shortJson, specLine } from "./format-error.js";

export type * from "./schema.js";

// No `jitless` needed: zod/mini objects never build classic zod's
// eval-compiled fast path (which cost ~5 ms on the first parse).
const PARSE_OPTIONS = { reportInput: true, error: expectationFor } as const;

/** SemVer 2.0.0 (semver.org's recommended expression). */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

function fail(path: string, what: string): RuntsError {
  return new RuntsError(specLine(path, what));
}

/** Parse and validate the text of a config.json. Throws RuntsError. */
export function parseSpec(text: string): Spec {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw fail("", `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return validateSpec(raw);
}

/** Validate an already parsed config.json value. Throws RuntsError. */
export function validateSpec(raw: unknown): Spec {
  // The version is checked before anything else: a config for another major
  // version may use the same field names with other meanings.
  checkVersion(raw);
  const result = specSchema.safeParse(raw, PARSE_OPTIONS);
  if (!result.success) {
    const first = result.error.issues[0];
    throw first ? new RuntsError(formatIssue(first)) : fail("", "invalid configuration");
  }
  checkSemantics(result.data);
  return result.data;
}

function checkVersion(raw: unknown): void {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw fail("", `expected object, got ${jsonType(raw)}`);
  }
  const version: unknown = (raw as Record<string, unknown>)["ociVersion"];
  if (version === undefined) throw fail("ociVersion", "required");
  if (typeof version !== "string") throw fail("ociVersion", `expected string, got ${jsonType(version)}`);
  const m = SEMVER.exec(version);
  if (!m) {
    throw fail("ociVersion", `expected a semantic version such as "1.2.0", got ${shortJson(version)}`);
  }
  if (m[1] !== "1") {
    throw fail("ociVersion", `unsupported major version ${m[1]} in ${shortJson(version)} (runts supports 1.x)`);
  }
}

/** Checks that involve more than one value. Runs on a type-correct spec. */
function checkSemantics(spec: Spec): void {
  const rlimits = spec.process.rlimits;
  if (rlimits) {
    const seen = new Set<string>();
    for (const r of rlimits) {
      if (seen.has(r.type)) throw fail("process.rlimits", `duplicate rlimit type ${shortJson(r.type)}`);
      seen.add(r.type);
    }
  }

  const linux = spec.linux;
  const namespaces = linux?.namespaces ?? [];
  const seen = new Set<string>();
  let userns = -1;
  namespaces.forEach((ns, i) => {
    if (seen.has(ns.type)) throw fail("linux.namespaces", `duplicate namespace type ${shortJson(ns.type)}`);
    seen.add(ns.type);
    if (ns.type === "user") userns = i;
  });

  const hasUids = (linux?.uidMappings?.length ?? 0) > 0;
  const hasGids = (linux?.gidMappings?.length ?? 0) > 0;
  if (userns >= 0) {
    // A user namespace joined by path brings its own mappings.
    if (!namespaces[userns]?.path) {
      const by = `required by the user namespace in linux.namespaces[${userns}]`;
      if (!hasUids) throw fail("linux.uidMappings", by);
      if (!hasGids) throw fail("linux.gidMappings", by);
    }
  } else {
    const what = "needs a user namespace in linux.namespaces";
    if (hasUids) throw fail("linux.uidMappings", what);
    if (hasGids) throw fail("linux.gidMappings", what);
  }
}

/** Absolute path of the container's root filesystem (root.path against the bundle). Does not follow symlinks. */
export function rootfsPath(bundleDir: string, spec: Spec): string {
  return resolve(bundleDir, spec.root.path);
}

/**
 * Read, parse and validate `<bundleDir>/config.json`, and check that the root
 * filesystem it names is an existing directory. Throws RuntsError.
 */
export function loadSpec(bundleDir: string): Spec {
  const bundle = resolve(bundleDir);
  const file = join(bundle, "config.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw fail("", `cannot read ${file}: ${codeText(err)}`);
  }
  const spec = parseSpec(text);
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
