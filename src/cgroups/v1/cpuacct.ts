/**
 * v1 cpuacct controller: nothing to set, CPU usage to read (total, per CPU,
 * user and system split; cpuacct.stat counts in USER_HZ ticks, turned into
 * nanoseconds as runc does).
 */
import type { CgroupStats } from "../stats.js";
import { readKeyValues, readU64, readU64List } from "../stats.js";
import { hasFile } from "../fsutil.js";
import type { V1Controller } from "./controller.js";

/** USER_HZ is 100 on every Linux architecture runts builds for. */
const NS_PER_TICK = 10_000_000n;

function stats(dir: string, s: CgroupStats): void {
  const u = s.cpu.usage;
  u.total = readU64(dir, "cpuacct.usage");
  u.percpu = readU64List(dir, "cpuacct.usage_percpu");
  if (hasFile(dir, "cpuacct.usage_percpu_sys")) u.percpuKernel = readU64List(dir, "cpuacct.usage_percpu_sys");
  if (hasFile(dir, "cpuacct.usage_percpu_user")) u.percpuUser = readU64List(dir, "cpuacct.usage_percpu_user");
  const st = readKeyValues(dir, "cpuacct.stat");
  u.user = (st.get("user") ?? 0n) * NS_PER_TICK;
  u.kernel = (st.get("system") ?? 0n) * NS_PER_TICK;
}

export const cpuacctController: V1Controller = {
  subsystem: "cpuacct",
  stats,
};
