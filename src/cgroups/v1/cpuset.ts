/**
 * v1 cpuset controller. A new cpuset cgroup starts with empty cpus and mems,
 * and no task can join it until both are set: give every empty level on the
 * way down its parent's values (runc does the same). OCI cpu.cpus and
 * cpu.mems are then written over the inherited values.
 */
import { readValue, writeLines } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { parseCpuList, readU64 } from "../stats.js";
import { applyCpuset, cpusetNonDefault, cpusetV2 } from "../v2/cpuset.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup create cpuset";

const FILES = ["cpuset.cpus", "cpuset.mems"] as const;

/** Make sure `dir` (at or below `mountpoint`) has non-empty cpus and mems. */
export function ensureCpuset(dir: string, mountpoint: string): void {
  for (const file of FILES) fill(dir, mountpoint, file);
}

function fill(dir: string, mountpoint: string, file: string): string {
  const value = readValue(`${dir}/${file}`, STEP);
  if (value !== "" || dir === mountpoint || !dir.startsWith(mountpoint + "/")) return value;
  const parentValue = fill(dir.slice(0, dir.lastIndexOf("/")), mountpoint, file);
  if (parentValue !== "") writeLines(`${dir}/${file}`, [parentValue], STEP);
  return parentValue;
}

function stats(dir: string, s: CgroupStats): void {
  const c = s.cpuset;
  c.cpus = parseCpuList(readValue(`${dir}/cpuset.cpus`, "cgroup stats"));
  c.mems = parseCpuList(readValue(`${dir}/cpuset.mems`, "cgroup stats"));
  c.cpuExclusive = readU64(dir, "cpuset.cpu_exclusive");
  c.memHardwall = readU64(dir, "cpuset.mem_hardwall");
  c.memExclusive = readU64(dir, "cpuset.mem_exclusive");
  c.memoryMigrate = readU64(dir, "cpuset.memory_migrate");
  c.memorySpreadPage = readU64(dir, "cpuset.memory_spread_page");
  c.memorySpreadSlab = readU64(dir, "cpuset.memory_spread_slab");
  c.memoryPressure = readU64(dir, "cpuset.memory_pressure");
  c.schedLoadBalance = readU64(dir, "cpuset.sched_load_balance");
  const level = readValue(`${dir}/cpuset.sched_relax_domain_level`, "cgroup stats");
  c.schedRelaxDomainLevel = /^-?\d+$/.test(level) ? BigInt(level) : 0n;
}

export const cpusetController: V1Controller = {
  subsystem: "cpuset",
  nonDefault: cpusetNonDefault,
  created(dir: string, mountpoint: string): void {
    ensureCpuset(dir, mountpoint);
  },
  apply: applyCpuset,
  stats,
  v2: cpusetV2,
};
