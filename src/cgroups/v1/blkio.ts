/**
 * v1 blkio controller (as runc's fs/blkio.go): weight and per-device weight
 * into blkio.weight[_device] (CFQ) or blkio.bfq.weight[_device] (BFQ, when
 * the CFQ files are absent), leaf weights, and the four throttle files, one
 * "major:minor rate" line per device. Stats from the CFQ, BFQ or throttle
 * files, whichever the kernel has.
 */
import type { LinuxResources, LinuxThrottleDevice } from "../common.js";
import { hasFile, readOptional, writeLines, writeValue } from "../fsutil.js";
import { THROTTLE_KEYS } from "../resources.js";
import type { BlkioEntry, CgroupStats } from "../stats.js";
import { ioV2 } from "../v2/io.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup apply blkio";

export function blkioNonDefault(r: LinuxResources): string | undefined {
  const b = r.blockIO;
  if (!b) return undefined;
  if (b.weight) return "blockIO.weight";
  if (b.leafWeight) return "blockIO.leafWeight";
  if (b.weightDevice?.some((d) => d.weight || d.leafWeight)) return "blockIO.weightDevice";
  for (const k of THROTTLE_KEYS) if (b[k]?.length) return `blockIO.${k}`;
  return undefined;
}

const THROTTLE_FILES: Record<(typeof THROTTLE_KEYS)[number], string> = {
  throttleReadBpsDevice: "blkio.throttle.read_bps_device",
  throttleWriteBpsDevice: "blkio.throttle.write_bps_device",
  throttleReadIOPSDevice: "blkio.throttle.read_iops_device",
  throttleWriteIOPSDevice: "blkio.throttle.write_iops_device",
};

const line = (d: LinuxThrottleDevice): string => `${d.major}:${d.minor} ${d.rate}`;

function apply(dir: string, r: LinuxResources): void {
  const b = r.blockIO;
  if (!b) return;
  const cfq = hasFile(dir, "blkio.weight");
  const weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
  const weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
  if (b.weight) writeValue(dir, weightFile, String(b.weight), STEP);
  if (b.leafWeight) writeValue(dir, "blkio.leaf_weight", String(b.leafWeight), STEP);
  for (const d of b.weightDevice ?? []) {
    if (d.weight) writeLines(`${dir}/${weightDeviceFile}`, [`${d.major}:${d.minor} ${d.weight}`], STEP);
    if (d.leafWeight) writeLines(`${dir}/blkio.leaf_weight_device`, [`${d.major}:${d.minor} ${d.leafWeight}`], STEP);
  }
  for (const k of THROTTLE_KEYS) {
    const l = b[k];
    if (l?.length) writeLines(`${dir}/${THROTTLE_FILES[k]}`, l.map(line), STEP);
  }
}

/** "8:0 Read 4096" lines (and "8:0 4096"); "Total" lines are skipped, as runc does. */
export function parseBlkioEntries(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const l of (text ?? "").split("\n")) {
    const f = l.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? "");
    if (!dev) continue;
    const [op, value] = f.length >= 3 ? [f[1] ?? "", f[2]] : ["", f[1]];
    if (value === undefined || !/^\d+$/.test(value)) continue;
    out.push({ major: BigInt(dev[1] ?? 0), minor: BigInt(dev[2] ?? 0), op, value: BigInt(value) });
  }
  return out;
}

function stats(dir: string, s: CgroupStats): void {
  const read = (f: string): BlkioEntry[] => parseBlkioEntries(readOptional(`${dir}/${f}`, "cgroup stats"));
  const b = s.blkio;
  if (hasFile(dir, "blkio.io_serviced_recursive")) {
    b.sectorsRecursive = read("blkio.sectors_recursive");
    b.ioServiceBytesRecursive = read("blkio.io_service_bytes_recursive");
    b.ioServicedRecursive = read("blkio.io_serviced_recursive");
    b.ioQueueRecursive = read("blkio.io_queued_recursive");
    b.ioServiceTimeRecursive = read("blkio.io_service_time_recursive");
    b.ioWaitTimeRecursive = read("blkio.io_wait_time_recursive");
    b.ioMergedRecursive = read("blkio.io_merged_recursive");
    b.ioTimeRecursive = read("blkio.time_recursive");
  } else if (hasFile(dir, "blkio.bfq.io_serviced_recursive")) {
    b.ioServiceBytesRecursive = read("blkio.bfq.io_service_bytes_recursive");
    b.ioServicedRecursive = read("blkio.bfq.io_serviced_recursive");
  } else {
    b.ioServiceBytesRecursive = read("blkio.throttle.io_service_bytes_recursive");
    b.ioServicedRecursive = read("blkio.throttle.io_serviced_recursive");
  }
}

export const blkioController: V1Controller = {
  subsystem: "blkio",
  nonDefault: blkioNonDefault,
  apply,
  stats,
  v2: ioV2,
};
