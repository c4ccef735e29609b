/**
 * Turns zod issues into the one line runts prints for a bad config.json:
 *
 *   config.json: <json path>: <what was expected>, got <what was there>
 *
 * The "expected" half is the issue message. Schemas in schema.ts set it
 * themselves; `expectationFor` (passed to safeParse as the per-parse error
 * map) supplies it for the rest. zod's default English messages are never
 * used. The "got" half is built here from the issue's input, which zod only
 * keeps when safeParse runs with `reportInput: true`.
 */
import type { z } from "zod/mini";

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ["linux", "namespaces", 3, "type"] -> linux.namespaces[3].type */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else {
      const k = String(key);
      if (IDENT.test(k)) out += out ? `.${k}` : k;
      else out += `[${JSON.stringify(k)}]`;
    }
  }
  return out;
}

/** The JSON type name of a parsed JSON value. */
export function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean" || t === "object") return t;
  return t === "undefined" ? "nothing" : t;
}

const MAX_STRING = 60;
const MAX_COMPOUND = 40;

/** A short JSON rendering of a value: "foo", 12, true, [], or its type name. */
export function shortJson(v: unknown): string {
  if (typeof v === "string") {
    const s = JSON.stringify(v);
    return s.length <= MAX_STRING ? s : `${s.slice(0, MAX_STRING - 4)}..."`;
  }
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (typeof v === "object") {
    const s = JSON.stringify(v);
    return s.length <= MAX_COMPOUND ? s : jsonType(v);
  }
  return jsonType(v);
}

/** A config.json error line for a path and a message. */
export function specLine(path: string, what: string): string {
  return path ? `config.json: ${path}: ${what}` : `config.json: ${what}`;
}

/**
 * Per-parse error map: the "what was expected" text for issues whose schema
 * did not set its own.
 */
export function expectationFor(iss: z.core.$ZodRawIssue): string {
  switch (iss.code) {
    case "invalid_type":
      return `expected ${iss.expected === "record" ? "object" : iss.expected}`;
    case "invalid_value":
      return `expected one of ${iss.values.map((v) => String(v)).join(", ")}`;
    case "too_small":
      return iss.origin === "array"
        ? `must have at least ${String(iss.minimum)} entries`
        : `expected ${iss.origin} >= ${String(iss.minimum)}`;
    case "too_big":
      return iss.origin === "array"
        ? `must have at most ${String(iss.maximum)} entries`
        : `expected ${iss.origin} <= ${String(iss.maximum)}`;
    case "invalid_format":
      return `expected ${iss.format}`;
    default:
      return "expected a valid value";
  }
}

/** The config.json line for one zod issue (from a parse with reportInput). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const where = jsonPath(issue.path);
  const input: unknown = issue.input;
  // JSON has no undefined: a missing input is a missing field, whichever
  // check noticed it (invalid_type for most, invalid_value for enums).
  if (input === undefined) return specLine(where, "required");
  if (issue.code === "invalid_type") {
    // A non-finite number (JSON "1e400" parses to Infinity) is the only
    // number zod rejects as a type; name it rather than say "got number".
    const got = typeof input === "number" && !Number.isFinite(input) ? String(input) : jsonType(input);
    return specLine(where, `${issue.message}, got ${got}`);
  }
  return specLine(where, `${issue.message}, got ${shortJson(input)}`);
}
