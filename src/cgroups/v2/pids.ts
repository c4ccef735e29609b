/**
 * v2 pids controller: pids.max ("max" for a negative limit; 0 is "not set",
 * as runc treats it).
 */
import type { LinuxResources } from "../common.js";
import { writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { U64_MAX, readU64 } from "../stats.js";
import type { V2Controller } from "./controller.js";

export function pidsNonDefault(r: LinuxResources): string | undefined {
  const l = r.pids?.limit;
  return l !== undefined && l > 0 ? "pids.limit" : undefined;
}

/** The pids.max value for an OCI limit, or undefined when not set. */
export function pidsMax(limit: number | undefined): string | undefined {
  if (limit === undefined || limit === 0) return undefined;
  return limit > 0 ? String(limit) : "max";
}

function apply(dir: string, r: LinuxResources): void {
  const v = pidsMax(r.pids?.limit);
  if (v !== undefined) writeValue(dir, "pids.max", v, "cgroup apply pids");
}

/** Shared with v1: the same files. "max" is reported as limit 0, as runc does. */
export function pidsStats(dir: string, s: CgroupStats): void {
  const limit = readU64(dir, "pids.max");
  s.pids = { current: readU64(dir, "pids.current"), limit: limit === U64_MAX ? 0n : limit };
}

export const pidsV2: V2Controller = {
  name: "pids",
  nonDefault: pidsNonDefault,
  apply,
  stats: pidsStats,
};
