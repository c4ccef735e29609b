/**
 * v2 hugetlb controller: hugetlb.<size>.max per OCI hugepageLimits entry, and
 * hugetlb.<size>.rsvd.max when the kernel has reservation accounting (as
 * runc). Page sizes are checked against /sys/kernel/mm/hugepages.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { hasFile, writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { hugePageSizes, readKeyValues, readU64 } from "../stats.js";
import type { V2Controller } from "./controller.js";

const STEP = "cgroup apply hugetlb";

export function hugetlbNonDefault(r: LinuxResources): string | undefined {
  return r.hugepageLimits?.length ? "hugepageLimits" : undefined;
}

/** Refuse a page size this kernel does not have, naming the ones it has. */
export function checkHugepages(r: LinuxResources): void {
  if (!r.hugepageLimits?.length) return;
  const have = hugePageSizes();
  for (const [i, h] of r.hugepageLimits.entries()) {
    if (!have.includes(h.pageSize)) {
      throw new RuntsError(
        `linux.resources.hugepageLimits[${i}].pageSize: ${h.pageSize} pages are not supported by this kernel (it has: ${have.join(", ") || "none"})`,
        { step: STEP },
      );
    }
  }
}

function apply(dir: string, r: LinuxResources): void {
  for (const h of r.hugepageLimits ?? []) {
    writeValue(dir, `hugetlb.${h.pageSize}.max`, String(h.limit), STEP);
    const rsvd = `hugetlb.${h.pageSize}.rsvd.max`;
    if (hasFile(dir, rsvd)) writeValue(dir, rsvd, String(h.limit), STEP);
  }
}

function stats(dir: string, s: CgroupStats): void {
  for (const size of hugePageSizes()) {
    if (!hasFile(dir, `hugetlb.${size}.current`)) continue;
    s.hugetlb.set(size, {
      usage: readU64(dir, `hugetlb.${size}.current`),
      max: 0n,
      failcnt: readKeyValues(dir, `hugetlb.${size}.events`).get("max") ?? 0n,
    });
  }
}

export const hugetlbV2: V2Controller = {
  name: "hugetlb",
  nonDefault: hugetlbNonDefault,
  check: (r) => checkHugepages(r),
  apply,
  stats,
};
