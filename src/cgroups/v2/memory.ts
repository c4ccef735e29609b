/**
 * v2 memory controller (as runc's fs2/memory.go): memory.swap.max (OCI swap
 * is memory+swap, v2 takes swap alone: swap - limit), memory.max and
 * memory.low. Swap goes before the limit as runc does. checkBeforeUpdate
 * refuses a limit below memory.current. v2 has no kernel memory limits, no
 * swappiness and no OOM killer switch: setting them is an error.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { hasFile, writeValue } from "../fsutil.js";
import { swappinessUnset } from "../resources.js";
import type { CgroupStats, MemoryEntry } from "../stats.js";
import { U64_MAX, readKeyValues, readU64 } from "../stats.js";
import type { V2Controller } from "./controller.js";

const STEP = "cgroup apply memory";

/** 0 → "" (not set), -1 → "max". */
function numToStr(v: number | undefined): string {
  if (v === undefined || v === 0) return "";
  if (v === -1) return "max";
  return String(v);
}

/** OCI memory+swap → memory.swap.max, as runc's ConvertMemorySwapToCgroupV2Value. */
export function swapToV2(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1;
  if (swap === -1 || swap === 0) return swap;
  if (limit === 0 || limit === -1) {
    throw new RuntsError("linux.resources.memory.swap: unable to set swap limit without memory limit", { step: STEP });
  }
  if (limit < 0) throw new RuntsError(`linux.resources.memory.limit: invalid memory value: ${limit}`, { step: STEP });
  if (swap < limit) {
    throw new RuntsError("linux.resources.memory.swap: memory+swap limit should be >= memory limit", { step: STEP });
  }
  return swap - limit;
}

function nonDefault(r: LinuxResources): string | undefined {
  const m = r.memory;
  if (!m) return undefined;
  for (const k of ["limit", "reservation", "swap"] as const) {
    const v = m[k];
    if (v !== undefined && v !== 0 && v !== -1) return `memory.${k}`;
  }
  return undefined;
}

/** What v2 cannot do at all, and swap that does not fit the limit; refused before anything is written. */
export function checkMemoryV2(r: LinuxResources): void {
  const m = r.memory;
  if (!m) return;
  swapToV2(m.swap ?? 0, m.limit ?? 0);
  const why = (f: string, what: string): RuntsError =>
    new RuntsError(`linux.resources.memory.${f}: ${what} on cgroup v2`, { step: STEP });
  if (m.kernel && m.kernel !== -1) throw why("kernel", "kernel memory limits do not exist");
  if (m.kernelTCP && m.kernelTCP !== -1) throw why("kernelTCP", "kernel TCP memory limits do not exist");
  if (!swappinessUnset(m.swappiness)) throw why("swappiness", "memory.swappiness does not exist");
  if (m.disableOOMKiller) throw why("disableOOMKiller", "the OOM killer cannot be disabled");
  if (m.useHierarchy === false) throw why("useHierarchy", "hierarchical accounting cannot be turned off");
}

/** Refuse a new limit below what the cgroup already uses in `usageFile` (checkBeforeUpdate; v1 too). */
export function checkUsage(dir: string, usageFile: string, limit: number, swap: number): void {
  const usage = readU64(dir, usageFile);
  if (swap > 0 && BigInt(swap) <= usage) {
    throw new RuntsError(`rejecting memory+swap limit ${swap} <= usage ${usage}`, { step: STEP, path: dir });
  }
  if (limit > 0 && BigInt(limit) <= usage) {
    throw new RuntsError(`rejecting memory limit ${limit} <= usage ${usage}`, { step: STEP, path: dir });
  }
}

function apply(dir: string, r: LinuxResources): void {
  const m = r.memory;
  if (!m) return;
  const limit = m.limit ?? 0;
  const swap = m.swap ?? 0;
  const reservation = m.reservation ?? 0;
  if (limit === 0 && swap === 0 && reservation === 0) return;
  if (m.checkBeforeUpdate && hasFile(dir, "memory.current")) checkUsage(dir, "memory.current", limit, swap);
  const v2swap = swapToV2(swap, limit);
  let swapStr = numToStr(v2swap);
  // memory and memory+swap equal: no swap at all.
  if (swapStr === "" && v2swap === 0 && swap > 0) swapStr = "0";
  if (swapStr !== "") {
    try {
      writeValue(dir, "memory.swap.max", swapStr, STEP);
    } catch (err) {
      // No swap accounting: "max" and "0" are what there is anyway.
      const missing = err instanceof RuntsError && /no such cgroup file/.test(err.message);
      if (!(missing && (swapStr === "max" || swapStr === "0"))) throw err;
    }
  }
  const limitStr = numToStr(limit);
  if (limitStr !== "") writeValue(dir, "memory.max", limitStr, STEP);
  const low = numToStr(reservation);
  if (low !== "") writeValue(dir, "memory.low", low, STEP);
}

function data(dir: string, prefix: string): MemoryEntry | undefined {
  if (!hasFile(dir, `${prefix}.current`)) return undefined;
  return {
    usage: readU64(dir, `${prefix}.current`),
    limit: readU64(dir, `${prefix}.max`),
    max: readU64(dir, `${prefix}.peak`),
    failcnt: 0n,
  };
}

function stats(dir: string, s: CgroupStats): void {
  const raw = readKeyValues(dir, "memory.stat");
  s.memory.raw = raw;
  s.memory.cache = raw.get("file") ?? 0n;
  const usage = data(dir, "memory");
  if (!usage) return;
  usage.failcnt = readKeyValues(dir, "memory.events").get("max") ?? 0n;
  s.memory.usage = usage;
  // As runc: v1 reported memory+swap, so swap here is swap + memory.
  const swapOnly = data(dir, "memory.swap") ?? { usage: 0n, limit: 0n, max: 0n, failcnt: 0n };
  s.memory.swap = {
    usage: swapOnly.usage + usage.usage,
    limit: swapOnly.limit === U64_MAX || usage.limit === U64_MAX ? U64_MAX : swapOnly.limit + usage.limit,
    max: 0n,
    failcnt: swapOnly.failcnt,
  };
}

/** oom_kill from memory.events. */
export function oomKillCountV2(dir: string): number | undefined {
  const n = readKeyValues(dir, "memory.events").get("oom_kill");
  return n === undefined ? undefined : Number(n);
}

export const memoryV2: V2Controller = {
  name: "memory",
  nonDefault,
  check: checkMemoryV2,
  apply,
  stats,
};
