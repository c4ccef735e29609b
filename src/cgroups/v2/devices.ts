/**
 * cgroup v2 has no devices files: device rules are an eBPF program attached
 * to the cgroup. That filter is not written yet, so any rule is refused
 * rather than silently not enforced.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import type { V2Controller } from "./controller.js";

export const devicesController: V2Controller = {
  name: "",
  handles: ["devices"],
  needed(r: LinuxResources): boolean {
    return (r.devices?.length ?? 0) > 0;
  },
  apply(dir: string, r: LinuxResources): void {
    if ((r.devices?.length ?? 0) === 0) return;
    throw new RuntsError(
      "linux.resources.devices: device rules on cgroup v2 need the eBPF device filter, which is not implemented yet",
      { step: "cgroup apply devices", path: dir },
    );
  },
};
