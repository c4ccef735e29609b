/**
 * v1 cpu controller (as runc's fs/cpu.go): shares (read back, so a value the
 * kernel clamped is an error naming the bound), CFS period, burst and quota
 * (a period or burst the kernel refuses before the quota is set is retried
 * after it), cpu.idle, and the realtime period/runtime pair in the same way.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { hasFile, readValue, writeOrDefer, writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { readKeyValues } from "../stats.js";
import { cpuNonDefault, cpuV2 } from "../v2/cpu.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup apply cpu";

function applyCpu(dir: string, r: LinuxResources): void {
  const c = r.cpu;
  if (!c) return;
  if (c.shares) {
    writeValue(dir, "cpu.shares", String(c.shares), STEP);
    const got = Number(readValue(`${dir}/cpu.shares`, STEP));
    if (c.shares > got) throw new RuntsError(`the maximum allowed cpu-shares is ${got}`, { step: STEP, path: dir });
    if (c.shares < got) throw new RuntsError(`the minimum allowed cpu-shares is ${got}`, { step: STEP, path: dir });
  }
  const quota = c.quota ?? 0;
  // old quota / new period may exceed the parent's: retry once the quota is in.
  const period = c.period ? writeOrDefer(dir, "cpu.cfs_period_us", String(c.period), STEP, quota !== 0) : "";
  const burst =
    c.burst !== undefined && hasFile(dir, "cpu.cfs_burst_us")
      ? writeOrDefer(dir, "cpu.cfs_burst_us", String(c.burst), STEP, quota !== 0)
      : "";
  if (quota !== 0) {
    writeValue(dir, "cpu.cfs_quota_us", String(quota), STEP);
    if (period !== "") writeValue(dir, "cpu.cfs_period_us", period, STEP);
    if (burst !== "") writeValue(dir, "cpu.cfs_burst_us", burst, STEP);
  }
  if (c.idle !== undefined) writeValue(dir, "cpu.idle", String(c.idle), STEP);
  const runtime = c.realtimeRuntime ?? 0;
  const rtPeriod = c.realtimePeriod
    ? writeOrDefer(dir, "cpu.rt_period_us", String(c.realtimePeriod), STEP, runtime !== 0)
    : "";
  if (runtime !== 0) {
    writeValue(dir, "cpu.rt_runtime_us", String(runtime), STEP);
    if (rtPeriod !== "") writeValue(dir, "cpu.rt_period_us", rtPeriod, STEP);
  }
}

function stats(dir: string, s: CgroupStats): void {
  const kv = readKeyValues(dir, "cpu.stat");
  s.cpu.throttling = {
    periods: kv.get("nr_periods") ?? 0n,
    throttledPeriods: kv.get("nr_throttled") ?? 0n,
    throttledTime: kv.get("throttled_time") ?? 0n,
  };
}

export const cpuController: V1Controller = {
  subsystem: "cpu",
  nonDefault: (r) => cpuNonDefault(r, true),
  apply: applyCpu,
  stats,
  v2: cpuV2,
};
