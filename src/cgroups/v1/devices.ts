/**
 * v1 devices controller: the OCI device list, in order, one rule per write
 * into devices.allow or devices.deny. No default list is added here; the
 * config's list is the whole policy.
 */
import type { LinuxDeviceCgroup, LinuxResources } from "../common.js";
import { writeLines } from "../fsutil.js";
import { checkDeviceRules } from "../resources.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup apply devices";

/**
 * The devices.allow/devices.deny line(s) for one rule. "a *:* rwm" is the
 * kernel's whole-list rule and is written as "a". A type "a" rule narrowed by
 * major, minor or access would be read by the kernel as that whole-list rule
 * (it looks only at the "a"), so it is written as the same rule for "b" and
 * for "c", which is what it means.
 */
export function deviceRuleLines(rule: Required<LinuxDeviceCgroup>): string[] {
  const major = rule.major === null ? "*" : String(rule.major);
  const minor = rule.minor === null ? "*" : String(rule.minor);
  if (rule.type === "a") {
    if (rule.major === null && rule.minor === null && rule.access.length === 3) return ["a"];
    return [`b ${major}:${minor} ${rule.access}`, `c ${major}:${minor} ${rule.access}`];
  }
  return [`${rule.type} ${major}:${minor} ${rule.access}`];
}

export const devicesController: V1Controller = {
  subsystem: "devices",
  handles: ["devices"],
  needed(r: LinuxResources): boolean {
    return (r.devices?.length ?? 0) > 0;
  },
  apply(dir: string, r: LinuxResources): void {
    const rules = checkDeviceRules(r.devices ?? []);
    // Consecutive rules going to the same file share one open descriptor.
    let file: "allow" | "deny" | undefined;
    let batch: string[] = [];
    const flush = (): void => {
      if (file !== undefined && batch.length > 0) writeLines(`${dir}/devices.${file}`, batch, STEP);
      batch = [];
    };
    for (const rule of rules) {
      const target = rule.allow ? "allow" : "deny";
      if (target !== file) {
        flush();
        file = target;
      }
      batch.push(...deviceRuleLines(rule));
    }
    flush();
  },
};
