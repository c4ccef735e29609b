/**
 * Validating a config.json (or exec's process.json, wrapped in one) the fast
 * way: parse-fast.generated.ts is the zod schema of schema.ts compiled ahead
 * of time (scripts/gen-spec-parser.ts) into plain code that gives the same
 * result as the schema's parse without building the schemas (~3 ms of a cold
 * start). When it refuses a config, validate.ts runs zod itself, whose issue
 * becomes the error line. Either way the checks of semantics.ts come before
 * and after.
 */
import type { Spec } from "./schema.js";
import { INVALID, parseSpecFast } from "./parse-fast.generated.js";
import { checkSemantics, checkVersion } from "./semantics.js";

/** Validate a parsed config.json: the fast parser, or zod to say what is wrong. Throws RuntsError. */
export async function validateSpecFast(raw: unknown): Promise<Spec> {
  checkVersion(raw);
  const parsed = parseSpecFast(raw);
  if (parsed === INVALID) return (await import("./validate.js")).validateSpec(raw);
  const spec = parsed as Spec;
  checkSemantics(spec);
  return spec;
}
