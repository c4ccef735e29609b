/**
 * v2 io controller (as runc's fs2/io.go): the weight into io.bfq.weight when
 * BFQ is there (same 10..1000 scale), else io.weight converted to 1..10000;
 * per-device weights the same way; throttles as io.max lines
 * "major:minor rbps=N" (wbps, riops, wiops). leafWeight has no v2 file.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources, LinuxThrottleDevice } from "../common.js";
import { hasFile, readOptional, writeLines, writeValue } from "../fsutil.js";
import { THROTTLE_KEYS } from "../resources.js";
import type { BlkioEntry, CgroupStats } from "../stats.js";
import type { V2Controller } from "./controller.js";

const STEP = "cgroup apply io";

/** blkio weight (10..1000) → io.weight (1..10000), as runc's ConvertBlkIOToIOWeightValue. */
export function blkioWeightToIo(weight: number): number {
  if (weight === 0) return 0;
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

function nonDefault(r: LinuxResources): string | undefined {
  const b = r.blockIO;
  if (!b) return undefined;
  if (b.weight) return "blockIO.weight";
  if (b.weightDevice?.some((d) => d.weight)) return "blockIO.weightDevice";
  for (const k of THROTTLE_KEYS) if (b[k]?.length) return `blockIO.${k}`;
  return undefined;
}

function check(r: LinuxResources): void {
  const b = r.blockIO;
  if (!b) return;
  if (b.leafWeight || b.weightDevice?.some((d) => d.leafWeight)) {
    throw new RuntsError("linux.resources.blockIO.leafWeight: leaf weights do not exist on cgroup v2", { step: STEP });
  }
  for (const w of [b.weight, ...(b.weightDevice ?? []).map((d) => d.weight)]) {
    if (w && (w < 10 || w > 1000)) {
      throw new RuntsError(`linux.resources.blockIO: weight must be in 10..1000, got ${w}`, { step: STEP });
    }
  }
}

const IO_MAX_KEY: Record<(typeof THROTTLE_KEYS)[number], string> = {
  throttleReadBpsDevice: "rbps",
  throttleWriteBpsDevice: "wbps",
  throttleReadIOPSDevice: "riops",
  throttleWriteIOPSDevice: "wiops",
};

function apply(dir: string, r: LinuxResources): void {
  const b = r.blockIO;
  if (!b) return;
  const bfq = hasFile(dir, "io.bfq.weight");
  if (b.weight) {
    if (bfq) writeValue(dir, "io.bfq.weight", String(b.weight), STEP);
    else writeValue(dir, "io.weight", String(blkioWeightToIo(b.weight)), STEP);
  }
  const devs = (b.weightDevice ?? []).filter((d) => d.weight);
  if (devs.length) {
    const file = bfq ? "io.bfq.weight" : "io.weight";
    writeLines(
      `${dir}/${file}`,
      devs.map((d) => `${d.major}:${d.minor} ${bfq ? d.weight : blkioWeightToIo(d.weight ?? 0)}`),
      STEP,
    );
  }
  for (const k of THROTTLE_KEYS) {
    const l = b[k];
    if (l?.length) writeLines(`${dir}/io.max`, l.map((d: LinuxThrottleDevice) => `${d.major}:${d.minor} ${IO_MAX_KEY[k]}=${d.rate}`), STEP);
  }
}

/** io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" → runc's blkio entries. */
export function parseIoStat(text: string | undefined): { bytes: BlkioEntry[]; ios: BlkioEntry[] } {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const l of (text ?? "").split("\n")) {
    const f = l.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? "");
    if (!dev) continue;
    const major = BigInt(dev[1] ?? 0);
    const minor = BigInt(dev[2] ?? 0);
    for (const kv of f.slice(1)) {
      const [k, v] = kv.split("=");
      if (v === undefined || !/^\d+$/.test(v)) continue;
      const op = k?.startsWith("r") ? "Read" : k?.startsWith("w") ? "Write" : k?.startsWith("d") ? "Discard" : "";
      if (op === "") continue;
      if (k?.endsWith("bytes")) bytes.push({ major, minor, op, value: BigInt(v) });
      else if (k?.endsWith("ios")) ios.push({ major, minor, op, value: BigInt(v) });
    }
  }
  return { bytes, ios };
}

function stats(dir: string, s: CgroupStats): void {
  const { bytes, ios } = parseIoStat(readOptional(`${dir}/io.stat`, "cgroup stats"));
  s.blkio.ioServiceBytesRecursive = bytes;
  s.blkio.ioServicedRecursive = ios;
}

export const ioV2: V2Controller = {
  name: "io",
  nonDefault,
  check,
  apply,
  stats,
};
