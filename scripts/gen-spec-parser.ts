/**
 * Writes src/spec/parse-fast.generated.ts (see scripts/spec-parser.ts).
 *
 *   npm run gen:spec-parser
 */
import { writeFileSync } from "node:fs";
import { GENERATED_PATH, generateSpecParser } from "./spec-parser.js";

writeFileSync(new URL(`../${GENERATED_PATH}`, import.meta.url), generateSpecParser());
process.stdout.write(`wrote ${GENERATED_PATH}\n`);
