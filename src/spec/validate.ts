/**
 * Validating a config.json with zod: the schemas of schema.ts, issues turned
 * into one line by format-error.ts. This module pulls in zod and builds every
 * schema, so it is loaded only when needed: by validate-fast.ts when the fast
 * parser refuses a config, to say why.
 */
import { RuntsError } from "../errors.js";
import { specSchema, type Spec } from "./schema.js";
import { expectationFor, formatIssue } from "./format-error.js";
import { checkSemantics, checkVersion, fail, parseJson } from "./semantics.js";

// No `jitless` needed: zod/mini objects never build classic zod's
// eval-compiled fast path (which cost ~5 ms on the first parse).
const PARSE_OPTIONS = { reportInput: true, error: expectationFor } as const;

/** Parse and validate the text of a config.json. Throws RuntsError. */
export function parseSpec(text: string): Spec {
  return validateSpec(parseJson(text));
}

/** Validate an already parsed config.json value. Throws RuntsError. */
export function validateSpec(raw: unknown): Spec {
  checkVersion(raw);
  const result = specSchema.safeParse(raw, PARSE_OPTIONS);
  if (!result.success) {
    const first = result.error.issues[0];
    throw first ? new RuntsError(formatIssue(first)) : fail("", "invalid configuration");
  }
  checkSemantics(result.data);
  return result.data;
}
