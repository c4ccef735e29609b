/**
 * v2 cpu controller (as runc's fs2/cpu.go): OCI shares become cpu.weight
 * with runc's conversion, quota/period become cpu.max ("max" for no quota;
 * the period only when given), burst is cpu.max.burst (retried after
 * cpu.max when the kernel refuses it first), idle is cpu.idle. Realtime
 * scheduling has no v2 interface: setting it is an error.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { writeOrDefer, writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { readKeyValues } from "../stats.js";
import type { V2Controller } from "./controller.js";

const STEP = "cgroup apply cpu";

/**
 * cgroup v1 cpu.shares (2..262144, default 1024) → v2 cpu.weight (1..10000,
 * default 100), as runc 1.0-1.3: linear, so 1024 → 39. 0 stays "not set".
 */
export function sharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** The first non-default cpu field; `realtime` for v1, which has the realtime pair too. */
export function cpuNonDefault(r: LinuxResources, realtime = false): string | undefined {
  const c = r.cpu;
  if (!c) return undefined;
  if (c.shares) return "cpu.shares";
  if (c.quota && c.quota !== -1) return "cpu.quota";
  if (c.period) return "cpu.period";
  if (c.burst) return "cpu.burst";
  if (realtime && c.realtimeRuntime && c.realtimeRuntime !== -1) return "cpu.realtimeRuntime";
  if (realtime && c.realtimePeriod) return "cpu.realtimePeriod";
  if (c.idle) return "cpu.idle";
  return undefined;
}

function check(r: LinuxResources): void {
  const c = r.cpu;
  if (!c) return;
  if ((c.realtimeRuntime && c.realtimeRuntime !== -1) || c.realtimePeriod) {
    throw new RuntsError(
      `linux.resources.cpu.${c.realtimePeriod ? "realtimePeriod" : "realtimeRuntime"}: realtime scheduling limits do not exist on cgroup v2`,
      { step: STEP },
    );
  }
  if (c.shares && (c.shares < 2 || c.shares > 262144)) {
    throw new RuntsError(`linux.resources.cpu.shares must be in 2..262144 on cgroup v2, got ${c.shares}`, { step: STEP });
  }
}

function apply(dir: string, r: LinuxResources): void {
  const c = r.cpu;
  if (!c) return;
  const weight = sharesToWeight(c.shares ?? 0);
  if (weight !== 0) writeValue(dir, "cpu.weight", String(weight), STEP);
  if (c.idle !== undefined) writeValue(dir, "cpu.idle", String(c.idle), STEP);
  const quota = c.quota ?? 0;
  const period = c.period ?? 0;
  const burst = c.burst !== undefined ? writeOrDefer(dir, "cpu.max.burst", String(c.burst), STEP, quota !== 0) : "";
  if (quota !== 0 || period !== 0) {
    let max = quota > 0 ? String(quota) : "max";
    if (period !== 0) max += ` ${period}`;
    writeValue(dir, "cpu.max", max, STEP);
    if (burst !== "") writeValue(dir, "cpu.max.burst", burst, STEP);
  }
}

function stats(dir: string, s: CgroupStats): void {
  const kv = readKeyValues(dir, "cpu.stat");
  const u = s.cpu.usage;
  u.total = (kv.get("usage_usec") ?? 0n) * 1000n;
  u.user = (kv.get("user_usec") ?? 0n) * 1000n;
  u.kernel = (kv.get("system_usec") ?? 0n) * 1000n;
  s.cpu.throttling = {
    periods: kv.get("nr_periods") ?? 0n,
    throttledPeriods: kv.get("nr_throttled") ?? 0n,
    throttledTime: (kv.get("throttled_usec") ?? 0n) * 1000n,
  };
}

export const cpuV2: V2Controller = {
  name: "cpu",
  nonDefault: (r) => cpuNonDefault(r),
  check,
  apply,
  stats,
};
