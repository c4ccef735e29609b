/**
 * OCI linux.resources.unified: raw cgroup v2 files, written last so they
 * override what the typed members set (as runc). A file the kernel does not
 * have is an error naming the controller when that controller is missing.
 */
import { RuntsError } from "../../errors.js";
import type { LinuxResources } from "../common.js";
import { writeLines } from "../fsutil.js";
import type { V2Controller } from "./controller.js";

const STEP = "cgroup apply unified";

function check(r: LinuxResources, available: ReadonlySet<string>): void {
  for (const k of Object.keys(r.unified ?? {})) {
    const c = k.slice(0, k.indexOf("."));
    if (c !== "cgroup" && !available.has(c)) {
      throw new RuntsError(`linux.resources.unified: ${JSON.stringify(k)} can't be set: controller "${c}" not available`, {
        step: STEP,
      });
    }
  }
}

function apply(dir: string, r: LinuxResources): void {
  for (const [k, v] of Object.entries(r.unified ?? {})) {
    // One write per line, as runc's WriteFileByLine (e.g. several io.max lines).
    writeLines(`${dir}/${k}`, v.split("\n").filter((l) => l !== ""), STEP);
  }
}

export const unifiedV2: V2Controller = {
  name: "",
  nonDefault: (r) => (r.unified && Object.keys(r.unified).length ? "unified" : undefined),
  check,
  apply,
};
