/**
 * Resource usage of a container's cgroup in runc's `events --stats` shape
 * (runc's types/events.go): the same keys, in the same order, the same
 * omissions. Counters are bigint (cgroup files hold 64-bit values such as
 * 9223372036854771712 that a double cannot carry); statsToJson() prints them
 * as plain JSON numbers.
 */
import { readdirSync } from "node:fs";
import { readOptional } from "./fsutil.js";

export interface CpuUsage {
  total: bigint;
  percpu: bigint[];
  percpuKernel: bigint[];
  percpuUser: bigint[];
  kernel: bigint;
  user: bigint;
}

export interface Throttling {
  periods: bigint;
  throttledPeriods: bigint;
  throttledTime: bigint;
}

export interface MemoryEntry {
  limit: bigint;
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface BlkioEntry {
  major: bigint;
  minor: bigint;
  op: string;
  value: bigint;
}

export interface HugetlbStats {
  usage: bigint;
  max: bigint;
  failcnt: bigint;
}

export interface CpusetStats {
  cpus: number[];
  cpuExclusive: bigint;
  mems: number[];
  memHardwall: bigint;
  memExclusive: bigint;
  memoryMigrate: bigint;
  memorySpreadPage: bigint;
  memorySpreadSlab: bigint;
  memoryPressure: bigint;
  schedLoadBalance: bigint;
  schedRelaxDomainLevel: bigint;
}

export interface CgroupStats {
  cpu: { usage: CpuUsage; throttling: Throttling };
  cpuset: CpusetStats;
  memory: {
    cache: bigint;
    usage: MemoryEntry;
    swap: MemoryEntry;
    kernel: MemoryEntry;
    kernelTCP: MemoryEntry;
    raw: Map<string, bigint>;
  };
  pids: { current: bigint; limit: bigint };
  blkio: {
    ioServiceBytesRecursive: BlkioEntry[];
    ioServicedRecursive: BlkioEntry[];
    ioQueueRecursive: BlkioEntry[];
    ioServiceTimeRecursive: BlkioEntry[];
    ioWaitTimeRecursive: BlkioEntry[];
    ioMergedRecursive: BlkioEntry[];
    ioTimeRecursive: BlkioEntry[];
    sectorsRecursive: BlkioEntry[];
  };
  hugetlb: Map<string, HugetlbStats>;
}

const memoryEntry = (): MemoryEntry => ({ limit: 0n, usage: 0n, max: 0n, failcnt: 0n });

export function emptyStats(): CgroupStats {
  return {
    cpu: {
      usage: { total: 0n, percpu: [], percpuKernel: [], percpuUser: [], kernel: 0n, user: 0n },
      throttling: { periods: 0n, throttledPeriods: 0n, throttledTime: 0n },
    },
    cpuset: {
      cpus: [],
      cpuExclusive: 0n,
      mems: [],
      memHardwall: 0n,
      memExclusive: 0n,
      memoryMigrate: 0n,
      memorySpreadPage: 0n,
      memorySpreadSlab: 0n,
      memoryPressure: 0n,
      schedLoadBalance: 0n,
      schedRelaxDomainLevel: 0n,
    },
    memory: {
      cache: 0n,
      usage: memoryEntry(),
      swap: memoryEntry(),
      kernel: memoryEntry(),
      kernelTCP: memoryEntry(),
      raw: new Map(),
    },
    pids: { current: 0n, limit: 0n },
    blkio: {
      ioServiceBytesRecursive: [],
      ioServicedRecursive: [],
      ioQueueRecursive: [],
      ioServiceTimeRecursive: [],
      ioWaitTimeRecursive: [],
      ioMergedRecursive: [],
      ioTimeRecursive: [],
      sectorsRecursive: [],
    },
    hugetlb: new Map(),
  };
}

export const U64_MAX = 18446744073709551615n;

const STEP = "cgroup stats";

/** A number from a cgroup file; "max" is 2^64-1 as in runc; "" or junk is 0. */
export function parseU64(s: string | undefined): bigint {
  const t = (s ?? "").trim();
  if (t === "max") return U64_MAX;
  if (!/^-?\d+$/.test(t)) return 0n;
  const v = BigInt(t);
  // runc reads negative values (e.g. -1) as 0.
  return v < 0n ? 0n : v;
}

/** A single-number control file, 0n when absent. */
export function readU64(dir: string, file: string): bigint {
  return parseU64(readOptional(`${dir}/${file}`, STEP));
}

/** "key value" lines (memory.stat, cpu.stat, memory.events ...); empty when absent. */
export function readKeyValues(dir: string, file: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const text = readOptional(`${dir}/${file}`, STEP);
  if (text === undefined) return out;
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined) out.set(k, parseU64(v));
  }
  return out;
}

/** Whitespace-separated numbers (cpuacct.usage_percpu). */
export function readU64List(dir: string, file: string): bigint[] {
  const text = readOptional(`${dir}/${file}`, STEP);
  if (text === undefined) return [];
  return text
    .trim()
    .split(/\s+/)
    .filter((x) => x !== "")
    .map(parseU64);
}

/** "0-3,5" → [0,1,2,3,5]. */
export function parseCpuList(s: string | undefined): number[] {
  const out: number[] = [];
  for (const part of (s ?? "").trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b === undefined || !Number.isInteger(b) ? a : b;
    for (let i = a; i <= end; i++) out.push(i);
  }
  return out;
}

/** Hugepage sizes the kernel has, as hugetlb files name them ("2MB", "1GB"). */
export function hugePageSizes(): string[] {
  return hostFacts.hugePageSizes();
}

/** What is read from the host outside the cgroup tree; unit tests on scratch trees replace it. */
export const hostFacts = {
  hugePageSizes: readHugePageSizes,
};

function readHugePageSizes(): string[] {
  let names: string[];
  try {
    names = readdirSync("/sys/kernel/mm/hugepages");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const m = /^hugepages-(\d+)kB$/.exec(n);
    if (m?.[1]) out.push(pageSizeName(Number(m[1]) * 1024));
  }
  return out;
}

/** Bytes → the kernel's hugetlb size name: 2097152 → "2MB", 1073741824 → "1GB", 65536 → "64KB". */
export function pageSizeName(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let i = 0;
  let v = bytes;
  while (v >= 1024 && v % 1024 === 0 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v}${units[i]}`;
}

// --- JSON in runc's shape --------------------------------------------------

type Json = bigint | number | string | boolean | null | Json[] | { [k: string]: Json };

function memEntryJson(e: MemoryEntry): Json {
  // limit and failcnt have no omitempty in runc's types.
  const o: Record<string, Json> = { limit: e.limit };
  if (e.usage) o.usage = e.usage;
  if (e.max) o.max = e.max;
  o.failcnt = e.failcnt;
  return o;
}

function omitZero(o: Record<string, Json | undefined>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === 0n || v === 0 || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

function blkioJson(b: CgroupStats["blkio"]): Json {
  const entries = (l: BlkioEntry[]): Json[] | undefined =>
    l.length === 0 ? undefined : l.map((e) => omitZero({ major: e.major, minor: e.minor, op: e.op, value: e.value }));
  return omitZero({
    ioServiceBytesRecursive: entries(b.ioServiceBytesRecursive),
    ioServicedRecursive: entries(b.ioServicedRecursive),
    ioQueueRecursive: entries(b.ioQueueRecursive),
    ioServiceTimeRecursive: entries(b.ioServiceTimeRecursive),
    ioWaitTimeRecursive: entries(b.ioWaitTimeRecursive),
    ioMergedRecursive: entries(b.ioMergedRecursive),
    ioTimeRecursive: entries(b.ioTimeRecursive),
    sectorsRecursive: entries(b.sectorsRecursive),
  });
}

/** runc's types.Stats as a JSON-ready value. */
export function statsJson(s: CgroupStats): Json {
  const u = s.cpu.usage;
  const cs = s.cpuset;
  const hugetlb: Record<string, Json> = {};
  for (const [size, h] of s.hugetlb) hugetlb[size] = { ...omitZero({ usage: h.usage, max: h.max }), failcnt: h.failcnt };
  const raw: Record<string, Json> = {};
  for (const [k, v] of s.memory.raw) raw[k] = v;
  return {
    cpu: {
      usage: { ...omitZero({ total: u.total, percpu: u.percpu, percpu_kernel: u.percpuKernel, percpu_user: u.percpuUser }), kernel: u.kernel, user: u.user },
      throttling: omitZero({
        periods: s.cpu.throttling.periods,
        throttledPeriods: s.cpu.throttling.throttledPeriods,
        throttledTime: s.cpu.throttling.throttledTime,
      }),
    },
    cpuset: {
      ...(cs.cpus.length ? { cpus: cs.cpus } : {}),
      cpu_exclusive: cs.cpuExclusive,
      ...(cs.mems.length ? { mems: cs.mems } : {}),
      mem_hardwall: cs.memHardwall,
      mem_exclusive: cs.memExclusive,
      memory_migrate: cs.memoryMigrate,
      memory_spread_page: cs.memorySpreadPage,
      memory_spread_slab: cs.memorySpreadSlab,
      memory_pressure: cs.memoryPressure,
      sched_load_balance: cs.schedLoadBalance,
      sched_relax_domain_level: cs.schedRelaxDomainLevel,
    },
    memory: {
      ...(s.memory.cache ? { cache: s.memory.cache } : {}),
      usage: memEntryJson(s.memory.usage),
      swap: memEntryJson(s.memory.swap),
      kernel: memEntryJson(s.memory.kernel),
      kernelTCP: memEntryJson(s.memory.kernelTCP),
      ...(s.memory.raw.size ? { raw } : {}),
    },
    pids: omitZero({ current: s.pids.current, limit: s.pids.limit }),
    blkio: blkioJson(s.blkio),
    hugetlb,
    intel_rdt: {},
    network_interfaces: null,
  };
}

/** JSON text with bigints as exact numbers (one line, as Go's json.Encoder). */
export function toJson(value: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") {
      marks.push(v.toString());
      return `\u0000big${marks.length - 1}\u0000`;
    }
    if (v instanceof Map) return Object.fromEntries(v);
    return v;
  });
  return text.replace(/"\\u0000big(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)] ?? "0");
}
