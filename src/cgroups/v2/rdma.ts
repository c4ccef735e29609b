/**
 * rdma controller, the same file on v1 and v2: one rdma.max line per device,
 * "mlx4_0 hca_handle=2 hca_object=max" (an absent count stays "max").
 */
import type { LinuxResources } from "../common.js";
import { writeLines } from "../fsutil.js";
import type { V2Controller } from "./controller.js";

export function rdmaNonDefault(r: LinuxResources): string | undefined {
  return r.rdma && Object.keys(r.rdma).length ? "rdma" : undefined;
}

export function applyRdma(dir: string, r: LinuxResources): void {
  const lines: string[] = [];
  for (const [dev, l] of Object.entries(r.rdma ?? {})) {
    const parts = [dev];
    if (l.hcaHandles !== undefined) parts.push(`hca_handle=${l.hcaHandles}`);
    if (l.hcaObjects !== undefined) parts.push(`hca_object=${l.hcaObjects}`);
    if (parts.length > 1) lines.push(parts.join(" "));
  }
  if (lines.length) writeLines(`${dir}/rdma.max`, lines, "cgroup apply rdma");
}

export const rdmaV2: V2Controller = {
  name: "rdma",
  nonDefault: rdmaNonDefault,
  apply: applyRdma,
};
