/**
 * runts update [flags] ID: change a running container's limits, with runc's
 * flags (--memory 512m, --pids-limit 100, --cpu-quota ...) or a
 * LinuxResources JSON document (-r FILE, or -r - on stdin, as containerd and
 * Docker send it). As with runc, 0 means "not set" and -1 "unlimited".
 */
import { updateArgs, type ParsedCommandLine, type UpdateArgs } from "../cli/args.js";
import type { LinuxResources } from "../cgroups/index.js";
import { StateDir } from "../container/state.js";
import { updateContainer } from "../container/update.js";
import { RuntsError } from "../errors.js";

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** docker/go-units RAMInBytes: "512m", "1.5GiB", "100 KB", "4096" (binary multiples). */
export function ramInBytes(s: string): number {
  const m = /^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (!m?.[1]) throw new Error(`invalid size: '${s}'`);
  const n = Number.parseFloat(m[1]);
  return Math.trunc(n * (UNITS[(m[3] ?? "").toLowerCase()] ?? 1));
}

function invalid(flag: string, why: string): RuntsError {
  return new RuntsError(`invalid value for ${flag}: ${why}`);
}

function parseUint(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw invalid(flag, `strconv.ParseUint: parsing "${v}": invalid syntax`);
  return Number(v);
}

function parseInt64(flag: string, v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw invalid(flag, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  return Number(v);
}

function memValue(flag: string, v: string): number {
  if (v === "-1") return -1;
  try {
    return ramInBytes(v);
  } catch (err) {
    throw invalid(flag, (err as Error).message);
  }
}

/** The resources runc update would build from its flags. */
export function resourcesFromFlags(a: UpdateArgs): LinuxResources {
  if (a.l3CacheSchema) throw new RuntsError("Intel RDT/CAT: l3 cache schema is not enabled");
  if (a.memBwSchema) throw new RuntsError("Intel RDT/MBA: memory bandwidth schema is not enabled");
  const r: LinuxResources = { memory: {}, cpu: {}, blockIO: {}, pids: {} };
  const mem = r.memory ?? {};
  const cpu = r.cpu ?? {};
  if (a.blkioWeight) r.blockIO = { weight: a.blkioWeight };
  if (a.cpusetCpus) cpu.cpus = a.cpusetCpus;
  if (a.cpusetMems) cpu.mems = a.cpusetMems;
  if (a.cpuPeriod) cpu.period = parseUint("cpu-period", a.cpuPeriod);
  if (a.cpuRtPeriod) cpu.realtimePeriod = parseUint("cpu-rt-period", a.cpuRtPeriod);
  if (a.cpuShare) cpu.shares = parseUint("cpu-share", a.cpuShare);
  if (a.cpuQuota) cpu.quota = parseInt64("cpu-quota", a.cpuQuota);
  if (a.cpuRtRuntime) cpu.realtimeRuntime = parseInt64("cpu-rt-runtime", a.cpuRtRuntime);
  if (a.memory) mem.limit = memValue("memory", a.memory);
  if (a.memorySwap) mem.swap = memValue("memory-swap", a.memorySwap);
  if (a.kernelMemory) mem.kernel = memValue("kernel-memory", a.kernelMemory);
  if (a.kernelMemoryTcp) mem.kernelTCP = memValue("kernel-memory-tcp", a.kernelMemoryTcp);
  if (a.memoryReservation) mem.reservation = memValue("memory-reservation", a.memoryReservation);
  if (a.pidsLimit !== undefined) r.pids = { limit: a.pidsLimit };
  return r;
}

async function readResources(from: string): Promise<unknown> {
  const { readFileSync } = await import("node:fs");
  let text: string;
  try {
    text = from === "-" ? readFileSync(0, "utf8") : readFileSync(from, "utf8");
  } catch (err) {
    throw new RuntsError(`open ${from}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RuntsError(`cannot parse the resources in ${from === "-" ? "stdin" : from}: ${(err as Error).message}`);
  }
}

export async function run(cmd: ParsedCommandLine): Promise<number> {
  const a = updateArgs(cmd);
  const dir = new StateDir(cmd.global.root, a.id);
  // Check the container first, as runc finds it before reading anything.
  dir.load();
  const resources = a.resources !== undefined && a.resources !== "" ? await readResources(a.resources) : resourcesFromFlags(a);
  if (typeof resources !== "object" || resources === null || Array.isArray(resources)) {
    throw new RuntsError("the resources to update must be a JSON object (LinuxResources)");
  }
  await updateContainer(dir, resources as LinuxResources);
  return 0;
}
