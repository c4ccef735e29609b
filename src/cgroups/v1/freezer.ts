/**
 * v1 freezer: freezer.state. Freezing can stay in FREEZING while tasks keep
 * forking, so it is written and read back in a loop, with an occasional
 * thaw and short sleep, as runc does; thawing is immediate.
 */
import { RuntsError } from "../../errors.js";
import type { FreezerState } from "../common.js";
import { readOptional, writeValue } from "../fsutil.js";
import { sleepSync } from "../../sleep.js";

const STEP = "cgroup freeze";
const FILE = "freezer.state";

export function readFreezerV1(dir: string): FreezerState {
  const s = readOptional(`${dir}/${FILE}`, STEP)?.trim();
  if (s === undefined) return "unsupported";
  if (s === "FROZEN" || s === "FREEZING" || s === "THAWED") return s;
  throw new RuntsError(`unexpected ${FILE} ${JSON.stringify(s)}`, { step: STEP, path: dir });
}

export function setFreezerV1(dir: string, frozen: boolean): void {
  if (!frozen) {
    writeValue(dir, FILE, "THAWED", STEP);
    return;
  }
  for (let i = 0; i < 1000; i++) {
    if (i % 50 === 49) {
      // New tasks keep appearing: thaw, let them settle, try again.
      writeValue(dir, FILE, "THAWED", STEP);
      sleepSync(10);
    }
    writeValue(dir, FILE, "FROZEN", STEP);
    if (i % 25 === 24) sleepSync(1);
    const s = readFreezerV1(dir);
    if (s === "FROZEN") return;
    if (s !== "FREEZING") {
      throw new RuntsError(`unexpected ${FILE} ${s} after writing FROZEN`, { step: STEP, path: dir });
    }
  }
  // Do not leave it half-frozen.
  writeValue(dir, FILE, "THAWED", STEP);
  throw new RuntsError("unable to freeze: the cgroup stayed in FREEZING", { step: STEP, path: dir });
}
