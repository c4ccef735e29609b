/**
 * Checking OCI linux.resources before anything is written: the shape of every
 * member, typed into LinuxResources (null becomes absent). Validation happens
 * in full first so a refused config leaves the cgroup untouched; whether the
 * host has the controllers is the managers' business.
 *
 * "Not set" follows runc: 0 (and absent) numbers leave the kernel's value
 * alone, except cpu.burst and cpu.idle, where 0 is a value (they are pointers
 * in runc).
 */
import { RuntsError } from "../errors.js";
import type {
  LinuxBlockIO,
  LinuxCPU,
  LinuxDeviceCgroup,
  LinuxHugepageLimit,
  LinuxMemory,
  LinuxNetwork,
  LinuxPids,
  LinuxRdma,
  LinuxResources,
  LinuxThrottleDevice,
  LinuxWeightDevice,
} from "./common.js";

const STEP = "cgroup apply";

/** Absent, null, 0, "", false, [] and objects/arrays of only those are empty. */
export function isEmptyResource(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === "" || v === false || v === 0n) return true;
  if (Array.isArray(v)) return v.every(isEmptyResource);
  if (typeof v === "object") return Object.values(v).every(isEmptyResource);
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(field: string, what: string, v: unknown): RuntsError {
  return new RuntsError(`linux.resources.${field} must be ${what}, got ${JSON.stringify(v)}`, { step: STEP });
}

/** The members this build knows; any other non-empty one is refused. */
const KNOWN = new Set(["devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits", "network", "rdma", "unified"]);

/** A JSON number that is an integer (values beyond 2^53 arrive rounded, as JSON.parse gives them). */
function int(v: unknown, field: string, min = -Infinity, max = Infinity): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = min === -Infinity ? "an integer" : max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
    throw bad(field, range, v);
  }
  return v;
}

function bool(v: unknown, field: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad(field, "a boolean", v);
  return v;
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad(field, "a string", v);
  return v;
}

function obj(v: unknown, field: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw bad(field, "an object", v);
  return v;
}

function list(v: unknown, field: string): unknown[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw bad(field, "an array", v);
  return v;
}

/** Copy the defined members only, so absent stays absent under exactOptionalPropertyTypes. */
function defined<T extends object>(o: { [K in keyof T]: T[K] | undefined }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

const U64 = 2 ** 64;

/** Engines send swappiness -1 as uint64 2^64-1; both mean "not set". */
export function swappinessUnset(v: number | undefined): boolean {
  return v === undefined || v === -1 || v >= 2 ** 63;
}

function checkMemory(v: unknown): LinuxMemory | undefined {
  const m = obj(v, "memory");
  if (!m) return undefined;
  const f = (k: string): string => `memory.${k}`;
  const swappiness = int(m.swappiness, f("swappiness"), -1, U64);
  if (!swappinessUnset(swappiness) && (swappiness ?? 0) > 100) {
    throw new RuntsError(`linux.resources.memory.swappiness: invalid value ${swappiness} (valid range is 0-100)`, { step: STEP });
  }
  return defined<LinuxMemory>({
    limit: int(m.limit, f("limit"), -1),
    reservation: int(m.reservation, f("reservation"), -1),
    swap: int(m.swap, f("swap"), -1),
    kernel: int(m.kernel, f("kernel"), -1),
    kernelTCP: int(m.kernelTCP, f("kernelTCP"), -1),
    swappiness,
    disableOOMKiller: bool(m.disableOOMKiller, f("disableOOMKiller")),
    useHierarchy: bool(m.useHierarchy, f("useHierarchy")),
    checkBeforeUpdate: bool(m.checkBeforeUpdate, f("checkBeforeUpdate")),
  });
}

function checkCpu(v: unknown): LinuxCPU | undefined {
  const c = obj(v, "cpu");
  if (!c) return undefined;
  const f = (k: string): string => `cpu.${k}`;
  return defined<LinuxCPU>({
    shares: int(c.shares, f("shares"), 0),
    quota: int(c.quota, f("quota"), -1),
    burst: int(c.burst, f("burst"), 0),
    period: int(c.period, f("period"), 0),
    realtimeRuntime: int(c.realtimeRuntime, f("realtimeRuntime"), -1),
    realtimePeriod: int(c.realtimePeriod, f("realtimePeriod"), 0),
    cpus: cpuList(str(c.cpus, f("cpus")), f("cpus")),
    mems: cpuList(str(c.mems, f("mems")), f("mems")),
    idle: int(c.idle, f("idle"), -1, 1),
  });
}

/** "0-3,5" lists, as cpuset.cpus takes them. */
function cpuList(v: string | undefined, field: string): string | undefined {
  if (v === undefined || v === "") return v;
  if (!/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(v)) throw bad(field, 'a list such as "0-3,5"', v);
  return v.trim();
}

function checkPids(v: unknown): LinuxPids | undefined {
  const p = obj(v, "pids");
  if (!p) return undefined;
  return defined<LinuxPids>({ limit: int(p.limit, "pids.limit") });
}

/** The required device numbers of a blockIO per-device entry. */
function majorMinor(d: Record<string, unknown>, field: string): { major: number; minor: number } {
  return {
    major: int(d.major, `${field}.major`, 0, 0xffffffff) ?? missing(`${field}.major`),
    minor: int(d.minor, `${field}.minor`, 0, 0xffffffff) ?? missing(`${field}.minor`),
  };
}

function checkWeightDevice(v: unknown, field: string): LinuxWeightDevice {
  const d = obj(v, field);
  if (!d) throw bad(field, "an object", v);
  return defined<LinuxWeightDevice>({
    ...majorMinor(d, field),
    weight: int(d.weight, `${field}.weight`, 0, 0xffff),
    leafWeight: int(d.leafWeight, `${field}.leafWeight`, 0, 0xffff),
  });
}

function checkThrottle(v: unknown, field: string): LinuxThrottleDevice {
  const d = obj(v, field);
  if (!d) throw bad(field, "an object", v);
  return {
    ...majorMinor(d, field),
    rate: int(d.rate, `${field}.rate`, 0) ?? missing(`${field}.rate`),
  };
}

function missing(field: string): never {
  throw new RuntsError(`linux.resources.${field} is required`, { step: STEP });
}

export const THROTTLE_KEYS = [
  "throttleReadBpsDevice",
  "throttleWriteBpsDevice",
  "throttleReadIOPSDevice",
  "throttleWriteIOPSDevice",
] as const;

function checkBlockIO(v: unknown): LinuxBlockIO | undefined {
  const b = obj(v, "blockIO");
  if (!b) return undefined;
  const out: LinuxBlockIO = defined<LinuxBlockIO>({
    weight: int(b.weight, "blockIO.weight", 0, 0xffff),
    leafWeight: int(b.leafWeight, "blockIO.leafWeight", 0, 0xffff),
  });
  const wd = list(b.weightDevice, "blockIO.weightDevice");
  if (wd) out.weightDevice = wd.map((d, i) => checkWeightDevice(d, `blockIO.weightDevice[${i}]`));
  for (const k of THROTTLE_KEYS) {
    const l = list(b[k], `blockIO.${k}`);
    if (l) out[k] = l.map((d, i) => checkThrottle(d, `blockIO.${k}[${i}]`));
  }
  return out;
}

function checkHugepages(v: unknown): LinuxHugepageLimit[] | undefined {
  const l = list(v, "hugepageLimits");
  if (!l) return undefined;
  return l.map((x, i) => {
    const field = `hugepageLimits[${i}]`;
    const h = obj(x, field);
    if (!h) throw bad(field, "an object", x);
    const pageSize = str(h.pageSize, `${field}.pageSize`) ?? missing(`${field}.pageSize`);
    if (!/^[1-9][0-9]*[KMG]B$/.test(pageSize)) throw bad(`${field}.pageSize`, 'a page size such as "2MB"', pageSize);
    return { pageSize, limit: int(h.limit, `${field}.limit`, 0) ?? missing(`${field}.limit`) };
  });
}

function checkNetwork(v: unknown): LinuxNetwork | undefined {
  const n = obj(v, "network");
  if (!n) return undefined;
  const out: LinuxNetwork = defined<LinuxNetwork>({ classID: int(n.classID, "network.classID", 0, 0xffffffff) });
  const p = list(n.priorities, "network.priorities");
  if (p) {
    out.priorities = p.map((x, i) => {
      const field = `network.priorities[${i}]`;
      const e = obj(x, field);
      if (!e) throw bad(field, "an object", x);
      const name = str(e.name, `${field}.name`) ?? missing(`${field}.name`);
      if (name === "" || /[\s/]/.test(name)) throw bad(`${field}.name`, "an interface name", name);
      return { name, priority: int(e.priority, `${field}.priority`, 0, 0xffffffff) ?? missing(`${field}.priority`) };
    });
  }
  return out;
}

function checkRdma(v: unknown): Record<string, LinuxRdma> | undefined {
  const r = obj(v, "rdma");
  if (!r) return undefined;
  const out: Record<string, LinuxRdma> = {};
  for (const [dev, x] of Object.entries(r)) {
    const field = `rdma.${dev}`;
    if (dev === "" || /\s/.test(dev)) throw bad("rdma", "keyed by device names", dev);
    const e = obj(x, field) ?? {};
    out[dev] = defined<LinuxRdma>({
      hcaHandles: int(e.hcaHandles, `${field}.hcaHandles`, 0, 0xffffffff),
      hcaObjects: int(e.hcaObjects, `${field}.hcaObjects`, 0, 0xffffffff),
    });
  }
  return out;
}

function checkUnified(v: unknown): Record<string, string> | undefined {
  const u = obj(v, "unified");
  if (!u) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(u)) {
    if (typeof x !== "string") throw bad(`unified[${JSON.stringify(k)}]`, "a string", x);
    if (k === "" || k.includes("/") || k === "." || k === "..") {
      throw new RuntsError(`linux.resources.unified: ${JSON.stringify(k)} must be a file name (no slashes)`, { step: STEP });
    }
    if (!k.includes(".")) {
      throw new RuntsError(`linux.resources.unified: ${JSON.stringify(k)} must be in the form CONTROLLER.PARAMETER`, { step: STEP });
    }
    out[k] = x;
  }
  return out;
}

/**
 * Validate `resources` and return it typed. Unknown members are refused
 * unless empty; known ones are checked field by field.
 */
export function checkResources(resources: unknown): LinuxResources {
  if (resources === undefined || resources === null) return {};
  if (!isRecord(resources)) {
    throw new RuntsError("linux.resources must be an object", { step: STEP });
  }
  for (const [name, value] of Object.entries(resources)) {
    if (KNOWN.has(name) || isEmptyResource(value)) continue;
    throw new RuntsError(`linux.resources.${name} is not supported`, { step: STEP });
  }
  return defined<LinuxResources>({
    devices: resources.devices === undefined || resources.devices === null ? undefined : checkDeviceRules(resources.devices),
    memory: checkMemory(resources.memory),
    cpu: checkCpu(resources.cpu),
    pids: checkPids(resources.pids),
    blockIO: checkBlockIO(resources.blockIO),
    hugepageLimits: checkHugepages(resources.hugepageLimits),
    network: checkNetwork(resources.network),
    rdma: checkRdma(resources.rdma),
    unified: checkUnified(resources.unified),
  });
}

function checkNumber(v: unknown, field: string, i: number): number | null {
  if (v === undefined || v === null || v === -1) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RuntsError(
      `linux.resources.devices[${i}].${field} must be a non-negative integer or null, got ${JSON.stringify(v)}`,
      { step: STEP },
    );
  }
  return v;
}

/** Validate OCI LinuxDeviceCgroup entries; absent fields are filled with their defaults. */
export function checkDeviceRules(rules: unknown): Required<LinuxDeviceCgroup>[] {
  if (!Array.isArray(rules)) {
    throw new RuntsError("linux.resources.devices must be an array", { step: STEP });
  }
  return rules.map((r: unknown, i) => {
    if (!isRecord(r) || typeof r.allow !== "boolean") {
      throw new RuntsError(`linux.resources.devices[${i}] needs a boolean "allow"`, { step: STEP });
    }
    const type = r.type === undefined || r.type === null || r.type === "" ? "a" : r.type;
    if (type !== "a" && type !== "b" && type !== "c") {
      throw new RuntsError(
        `linux.resources.devices[${i}].type must be "a", "b" or "c", got ${JSON.stringify(r.type)}`,
        { step: STEP },
      );
    }
    const access = r.access === undefined || r.access === null || r.access === "" ? "rwm" : r.access;
    if (typeof access !== "string" || !/^[rwm]{1,3}$/.test(access) || /(.).*\1/.test(access)) {
      throw new RuntsError(
        `linux.resources.devices[${i}].access must be a combination of r, w and m, got ${JSON.stringify(r.access)}`,
        { step: STEP },
      );
    }
    return {
      allow: r.allow,
      type,
      major: checkNumber(r.major, "major", i),
      minor: checkNumber(r.minor, "minor", i),
      access,
    };
  });
}

/**
 * runc update's merge: what `given` sets replaces what `base` had; 0/absent
 * leaves it (cpu quota and period each keep their old value when only the
 * other is given); per-device blkio entries are updated or added by
 * major:minor; unified is replaced when given. Devices are not part of it.
 */
export function mergeResources(base: LinuxResources, given: LinuxResources): LinuxResources {
  const out: LinuxResources = structuredClone({ ...base });
  delete out.devices;
  const setNum = <T extends object>(target: T, src: T | undefined, keys: (keyof T)[]): void => {
    if (!src) return;
    for (const k of keys) {
      const v = src[k];
      if (v !== undefined && v !== 0 && v !== "") target[k] = v;
    }
  };
  if (given.memory) {
    out.memory ??= {};
    setNum(out.memory, given.memory, ["limit", "reservation", "swap", "kernel", "kernelTCP"]);
    if (!swappinessUnset(given.memory.swappiness)) out.memory.swappiness = given.memory.swappiness as number;
    for (const k of ["disableOOMKiller", "useHierarchy", "checkBeforeUpdate"] as const) {
      const v = given.memory[k];
      if (v !== undefined) out.memory[k] = v;
    }
  }
  if (given.cpu) {
    out.cpu ??= {};
    setNum(out.cpu, given.cpu, ["shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems"]);
    if (given.cpu.burst !== undefined) out.cpu.burst = given.cpu.burst;
    if (given.cpu.idle !== undefined) out.cpu.idle = given.cpu.idle;
  }
  if (given.pids?.limit) out.pids = { limit: given.pids.limit };
  if (given.blockIO) {
    const b = given.blockIO;
    const ob: LinuxBlockIO = (out.blockIO ??= {});
    setNum(ob, b, ["weight", "leafWeight"]);
    if (b.weightDevice) ob.weightDevice = upsert(ob.weightDevice ?? [], b.weightDevice);
    for (const k of THROTTLE_KEYS) {
      const l = b[k];
      if (l) ob[k] = upsert(ob[k] ?? [], l);
    }
  }
  if (given.hugepageLimits?.length) {
    const byPage = new Map((out.hugepageLimits ?? []).map((h) => [h.pageSize, h]));
    for (const h of given.hugepageLimits) byPage.set(h.pageSize, h);
    out.hugepageLimits = [...byPage.values()];
  }
  if (given.network) {
    out.network ??= {};
    setNum(out.network, given.network, ["classID"]);
    if (given.network.priorities?.length) out.network.priorities = given.network.priorities;
  }
  if (given.rdma && Object.keys(given.rdma).length) out.rdma = { ...out.rdma, ...given.rdma };
  if (given.unified && Object.keys(given.unified).length) out.unified = given.unified;
  return out;
}

function upsert<T extends { major: number; minor: number }>(base: T[], given: T[]): T[] {
  const out = [...base];
  for (const d of given) {
    const i = out.findIndex((x) => x.major === d.major && x.minor === d.minor);
    if (i >= 0) out[i] = d;
    else out.push(d);
  }
  return out;
}
