/**
 * OCI network.classID and network.priorities are cgroup v1 only (net_cls,
 * net_prio); v2 has no such files (eBPF does that job). A value is refused
 * rather than dropped.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import type { V2Controller } from "./controller.js";

function nonDefault(r: LinuxResources): string | undefined {
  if (r.network?.classID) return "network.classID";
  if (r.network?.priorities?.length) return "network.priorities";
  return undefined;
}

export const networkV2: V2Controller = {
  name: "",
  nonDefault,
  check(r: LinuxResources): void {
    const field = nonDefault(r);
    if (field === undefined) return;
    const c = field === "network.classID" ? "net_cls" : "net_prio";
    throw new RuntsError(`linux.resources.${field} needs the ${c} cgroup controller, which cgroup v2 does not have`, {
      step: "cgroup apply",
    });
  },
  apply(): void {},
};
