/** Where runts-init lives: beside the runts executable, or where RUNTS_INIT says. */
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RuntsError } from "../errors.js";

export function locateShim(): string {
  const fromEnv = process.env["RUNTS_INIT"];
  if (fromEnv) return resolve(fromEnv);
  const candidates: string[] = [];
  // The compiled binary: dist/runts with dist/runts-init beside it.
  candidates.push(join(dirname(realpathSync(process.execPath)), "runts-init"));
  // Running from source (node/bun on src/cli/main.ts): the build output of the checkout.
  const script = process.argv[1];
  if (script && !script.startsWith("/$bunfs/") && existsSync(script)) {
    const dir = dirname(realpathSync(script));
    candidates.push(join(dir, "runts-init"), join(dir, "..", "..", "dist", "runts-init"));
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new RuntsError(`cannot find runts-init (looked in ${candidates.join(", ")}); run npm run build`);
  }
  return found;
}
