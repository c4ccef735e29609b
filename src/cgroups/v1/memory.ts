/**
 * v1 memory controller (as runc's fs/memory.go): limit and memory+swap in
 * the order the kernel accepts (memsw may never be below the limit, so a
 * rising memsw goes first), reservation (soft limit), kernel and kernel TCP
 * limits where the files exist, swappiness, the OOM killer switch and
 * use_hierarchy. checkBeforeUpdate refuses a limit below current usage.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { hasFile, readValue, writeValue } from "../fsutil.js";
import { swappinessUnset } from "../resources.js";
import type { CgroupStats, MemoryEntry } from "../stats.js";
import { readKeyValues, readU64 } from "../stats.js";
import type { V1Controller } from "./controller.js";
import { checkUsage, memoryV2 } from "../v2/memory.js";

const STEP = "cgroup apply memory";
const LIMIT = "memory.limit_in_bytes";
const MEMSW = "memory.memsw.limit_in_bytes";

function num(v: number): string {
  return String(v);
}

export function memoryNonDefault(r: LinuxResources): string | undefined {
  const m = r.memory;
  if (!m) return undefined;
  for (const k of ["limit", "reservation", "swap", "kernel", "kernelTCP"] as const) {
    const v = m[k];
    if (v !== undefined && v !== 0 && v !== -1) return `memory.${k}`;
  }
  if (!swappinessUnset(m.swappiness)) return "memory.swappiness";
  if (m.disableOOMKiller) return "memory.disableOOMKiller";
  return undefined;
}

function setLimit(dir: string, v: number): void {
  if (v === 0) return;
  try {
    writeValue(dir, LIMIT, num(v), STEP);
  } catch (err) {
    if (err instanceof RuntsError && err.context.errno === "device or resource busy") {
      const usage = readValue(`${dir}/memory.usage_in_bytes`, STEP);
      const peak = readValue(`${dir}/memory.max_usage_in_bytes`, STEP);
      throw new RuntsError(`unable to set memory limit to ${v} (current usage: ${usage}, peak usage: ${peak})`, err.context);
    }
    throw err;
  }
}

function setSwap(dir: string, v: number): void {
  if (v === 0) return;
  if (!hasFile(dir, MEMSW) && v === -1) return; // no swap accounting: unlimited is what there is
  writeValue(dir, MEMSW, num(v), STEP);
}

export function applyMemoryV1(dir: string, r: LinuxResources): void {
  const m = r.memory;
  if (!m) return;
  const limit = m.limit ?? 0;
  let swap = m.swap ?? 0;
  if (m.checkBeforeUpdate) checkUsage(dir, "memory.usage_in_bytes", limit, swap);
  // Unlimited memory with swap not given means unlimited swap too.
  if (limit === -1 && swap === 0 && hasFile(dir, MEMSW)) swap = -1;
  let swapFirst = false;
  if (limit !== 0 && swap !== 0) {
    const cur = BigInt(readValue(`${dir}/${LIMIT}`, STEP) || "0");
    swapFirst = swap === -1 || cur < BigInt(swap);
  }
  if (swapFirst) {
    setSwap(dir, swap);
    setLimit(dir, limit);
  } else {
    setLimit(dir, limit);
    setSwap(dir, swap);
  }
  if (m.reservation) writeValue(dir, "memory.soft_limit_in_bytes", num(m.reservation), STEP);
  if (m.kernel) writeValue(dir, "memory.kmem.limit_in_bytes", num(m.kernel), STEP);
  if (m.kernelTCP) writeValue(dir, "memory.kmem.tcp.limit_in_bytes", num(m.kernelTCP), STEP);
  if (m.useHierarchy) writeValue(dir, "memory.use_hierarchy", "1", STEP);
  if (m.disableOOMKiller) writeValue(dir, "memory.oom_control", "1", STEP);
  if (!swappinessUnset(m.swappiness)) writeValue(dir, "memory.swappiness", num(m.swappiness as number), STEP);
}

function entry(dir: string, prefix: string): MemoryEntry {
  const f = (name: string): string => (prefix === "" ? `memory.${name}` : `memory.${prefix}.${name}`);
  if (!hasFile(dir, f("usage_in_bytes"))) return { limit: 0n, usage: 0n, max: 0n, failcnt: 0n };
  return {
    limit: readU64(dir, f("limit_in_bytes")),
    usage: readU64(dir, f("usage_in_bytes")),
    max: readU64(dir, f("max_usage_in_bytes")),
    failcnt: readU64(dir, f("failcnt")),
  };
}

export function memoryStatsV1(dir: string, s: CgroupStats): void {
  const raw = readKeyValues(dir, "memory.stat");
  s.memory.raw = raw;
  s.memory.cache = raw.get("cache") ?? 0n;
  s.memory.usage = entry(dir, "");
  s.memory.swap = entry(dir, "memsw");
  s.memory.kernel = entry(dir, "kmem");
  s.memory.kernelTCP = entry(dir, "kmem.tcp");
}

/** oom_kill from memory.oom_control (kernel 4.13+). */
export function oomKillCountV1(dir: string): number | undefined {
  const kv = readKeyValues(dir, "memory.oom_control");
  const n = kv.get("oom_kill");
  return n === undefined ? undefined : Number(n);
}

export const memoryController: V1Controller = {
  subsystem: "memory",
  nonDefault: memoryNonDefault,
  apply: applyMemoryV1,
  stats: memoryStatsV1,
  v2: memoryV2,
};
