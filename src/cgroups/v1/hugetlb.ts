/** v1 hugetlb controller: hugetlb.<size>.limit_in_bytes per OCI hugepageLimits entry. */
import type { LinuxResources } from "../common.js";
import { hasFile, writeValue } from "../fsutil.js";
import type { CgroupStats } from "../stats.js";
import { hugePageSizes, readU64 } from "../stats.js";
import { checkHugepages, hugetlbNonDefault, hugetlbV2 } from "../v2/hugetlb.js";
import type { V1Controller } from "./controller.js";

function stats(dir: string, s: CgroupStats): void {
  for (const size of hugePageSizes()) {
    if (!hasFile(dir, `hugetlb.${size}.usage_in_bytes`)) continue;
    s.hugetlb.set(size, {
      usage: readU64(dir, `hugetlb.${size}.usage_in_bytes`),
      max: readU64(dir, `hugetlb.${size}.max_usage_in_bytes`),
      failcnt: readU64(dir, `hugetlb.${size}.failcnt`),
    });
  }
}

export const hugetlbController: V1Controller = {
  subsystem: "hugetlb",
  nonDefault: hugetlbNonDefault,
  check: (r) => checkHugepages(r),
  apply(dir: string, r: LinuxResources): void {
    for (const h of r.hugepageLimits ?? []) {
      writeValue(dir, `hugetlb.${h.pageSize}.limit_in_bytes`, String(h.limit), "cgroup apply hugetlb");
    }
  },
  stats,
  v2: hugetlbV2,
};
