/** v1 rdma controller: rdma.max, the same lines as on v2. */
import { applyRdma, rdmaNonDefault, rdmaV2 } from "../v2/rdma.js";
import type { V1Controller } from "./controller.js";

export const rdmaController: V1Controller = {
  subsystem: "rdma",
  nonDefault: rdmaNonDefault,
  apply: applyRdma,
  v2: rdmaV2,
};
