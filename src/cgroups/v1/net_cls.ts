/** v1 net_cls controller: network.classID into net_cls.classid (no v2 counterpart). */
import type { LinuxResources } from "../common.js";
import { writeValue } from "../fsutil.js";
import type { V1Controller } from "./controller.js";

export const netClsController: V1Controller = {
  subsystem: "net_cls",
  nonDefault: (r: LinuxResources) => (r.network?.classID ? "network.classID" : undefined),
  apply(dir: string, r: LinuxResources): void {
    if (r.network?.classID) writeValue(dir, "net_cls.classid", String(r.network.classID), "cgroup apply net_cls");
  },
};
