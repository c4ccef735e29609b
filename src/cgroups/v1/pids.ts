/** v1 pids controller: pids.max, the same file and values as on v2. */
import type { LinuxResources } from "../common.js";
import { writeValue } from "../fsutil.js";
import { pidsMax, pidsNonDefault, pidsStats, pidsV2 } from "../v2/pids.js";
import type { V1Controller } from "./controller.js";

export const pidsController: V1Controller = {
  subsystem: "pids",
  nonDefault: pidsNonDefault,
  apply(dir: string, r: LinuxResources): void {
    const v = pidsMax(r.pids?.limit);
    if (v !== undefined) writeValue(dir, "pids.max", v, "cgroup apply pids");
  },
  stats: pidsStats,
  v2: pidsV2,
};
