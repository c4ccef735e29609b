/**
 * The checks of a config.json that are not about the shape of one value:
 * the JSON itself, ociVersion (checked first: a config for another major
 * version may use the same field names with other meanings), and rules that
 * span several fields. Shared by both ways a config is validated (load.ts's
 * fast parser, validate.ts's zod schema). No zod here.
 *
 * Every failure is a RuntsError with no context whose message is one line:
 *   config.json: <json path>: <what was expected>, got <what was there>
 * (or a close variant for checks that are not about a single value), so
 * `err.toLine() === err.message`.
 */
import { RuntsError } from "../errors.js";
import type { Spec } from "./schema.js";
import { jsonType, shortJson, specLine } from "./format-error.js";

/** SemVer 2.0.0 (semver.org's recommended expression). */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function fail(path: string, what: string): RuntsError {
  return new RuntsError(specLine(path, what));
}

/** config.json's text as a value. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail("", `invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function checkVersion(raw: unknown): void {
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
export function checkSemantics(spec: Spec): void {
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
  for (const [i, ns] of namespaces.entries()) {
    if (seen.has(ns.type)) throw fail("linux.namespaces", `duplicate namespace type ${shortJson(ns.type)}`);
    seen.add(ns.type);
    if (ns.type === "user") userns = i;
  }

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
