/** v1 net_prio controller: network.priorities, one "ifname priority" write each into net_prio.ifpriomap. */
import type { LinuxResources } from "../common.js";
import { writeLines } from "../fsutil.js";
import type { V1Controller } from "./controller.js";

export const netPrioController: V1Controller = {
  subsystem: "net_prio",
  nonDefault: (r: LinuxResources) => (r.network?.priorities?.length ? "network.priorities" : undefined),
  apply(dir: string, r: LinuxResources): void {
    const p = r.network?.priorities ?? [];
    if (p.length) writeLines(`${dir}/net_prio.ifpriomap`, p.map((e) => `${e.name} ${e.priority}`), "cgroup apply net_prio");
  },
};
