/**
 * v2 freezer: write cgroup.freeze, then wait until cgroup.events says
 * "frozen 1" (the kernel freezes asynchronously); thawing is "0" and
 * "frozen 0".
 */
import { RuntsError } from "../../errors.js";
import type { FreezerState } from "../common.js";
import { readOptional, writeValue } from "../fsutil.js";
import { sleepSync } from "../../sleep.js";

const STEP = "cgroup freeze";
/** How long to wait for the kernel to report the new state. */
const WAIT_MS = 10_000;

export function readFreezerV2(dir: string): FreezerState {
  const want = readOptional(`${dir}/cgroup.freeze`, STEP)?.trim();
  if (want === undefined) return "unsupported";
  if (want === "0") return "THAWED";
  const events = readOptional(`${dir}/cgroup.events`, STEP) ?? "";
  return /^frozen 1$/m.test(events) ? "FROZEN" : "FREEZING";
}

export function setFreezerV2(dir: string, frozen: boolean): void {
  writeValue(dir, "cgroup.freeze", frozen ? "1" : "0", STEP);
  const want = frozen ? "frozen 1" : "frozen 0";
  const deadline = Date.now() + WAIT_MS;
  let delay = 1;
  for (;;) {
    const events = readOptional(`${dir}/cgroup.events`, STEP);
    // No cgroup.events (a scratch tree): the write is all there is.
    if (events === undefined || new RegExp(`^${want}$`, "m").test(events)) return;
    if (Date.now() > deadline) {
      throw new RuntsError(`timeout waiting for the cgroup to ${frozen ? "freeze" : "thaw"} (cgroup.events never said "${want}")`, {
        step: STEP,
        path: dir,
      });
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 10);
  }
}
