/**
 * v2 cpuset controller: cpuset.cpus and cpuset.mems (an empty value inherits
 * the parent's effective set, so nothing needs filling in as on v1).
 */
import type { LinuxResources } from "../common.js";
import { readValue, writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { parseCpuList } from "../stats.js";
import type { V2Controller } from "./controller.js";

/** Also the v1 controller's: the same OCI fields and file names. */
export function cpusetNonDefault(r: LinuxResources): string | undefined {
  if (r.cpu?.cpus) return "cpu.cpus";
  if (r.cpu?.mems) return "cpu.mems";
  return undefined;
}

export function applyCpuset(dir: string, r: LinuxResources): void {
  if (r.cpu?.cpus) writeValue(dir, "cpuset.cpus", r.cpu.cpus, "cgroup apply cpuset");
  if (r.cpu?.mems) writeValue(dir, "cpuset.mems", r.cpu.mems, "cgroup apply cpuset");
}

function stats(dir: string, s: CgroupStats): void {
  s.cpuset.cpus = parseCpuList(readValue(`${dir}/cpuset.cpus.effective`, "cgroup stats"));
  s.cpuset.mems = parseCpuList(readValue(`${dir}/cpuset.mems.effective`, "cgroup stats"));
}

export const cpusetV2: V2Controller = {
  name: "cpuset",
  nonDefault: cpusetNonDefault,
  apply: applyCpuset,
  stats,
};
