/**
 * v1 devices controller, as runc: the OCI device list is emulated (see
 * device-rules.ts) into the policy it means, and only the transition from
 * what the cgroup has now (its devices.list) to that policy is written, one
 * rule per write into devices.allow or devices.deny. Applying the same list
 * twice writes nothing the second time.
 */
import type { LinuxDeviceCgroup, LinuxResources } from "../common.js";
import { DeviceEmulator, expandOciRules, ruleLine } from "../device-rules.js";
import { readOptional, writeLines } from "../fsutil.js";
import { checkDeviceRules } from "../resources.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup apply devices";

/**
 * The devices.allow/devices.deny line(s) for one OCI rule. "a *:* rwm" is
 * the kernel's whole-list rule and is written as "a". A type "a" rule
 * narrowed by major, minor or access is the same rule for "b" and for "c".
 */
export function deviceRuleLines(rule: Required<LinuxDeviceCgroup>): string[] {
  return expandOciRules([rule]).map(ruleLine);
}

/** The writes (file, line) that take the cgroup from `current` (devices.list) to `rules`. */
export function deviceTransition(current: string, rules: readonly Required<LinuxDeviceCgroup>[]): ["allow" | "deny", string][] {
  const target = DeviceEmulator.fromRules(expandOciRules(rules));
  return DeviceEmulator.fromList(current)
    .transition(target)
    .map((r) => [r.allow ? "allow" : "deny", ruleLine(r)]);
}

export const devicesController: V1Controller = {
  subsystem: "devices",
  nonDefault(r: LinuxResources): string | undefined {
    return (r.devices?.length ?? 0) > 0 ? "devices" : undefined;
  },
  check(r: LinuxResources): void {
    // Emulate now so a rule v1 cannot express fails before anything is written.
    DeviceEmulator.fromRules(expandOciRules(checkDeviceRules(r.devices ?? [])));
  },
  apply(dir: string, r: LinuxResources): void {
    if (!r.devices?.length) return;
    const rules = checkDeviceRules(r.devices);
    // A new cgroup on a scratch tree has no devices.list: the kernel's would say "a *:* rwm".
    const current = readOptional(`${dir}/devices.list`, STEP) ?? "a *:* rwm\n";
    // Consecutive rules going to the same file share one open descriptor.
    let file: "allow" | "deny" | undefined;
    let batch: string[] = [];
    const flush = (): void => {
      if (file !== undefined && batch.length > 0) writeLines(`${dir}/devices.${file}`, batch, STEP);
      batch = [];
    };
    for (const [target, line] of deviceTransition(current, rules)) {
      if (target !== file) {
        flush();
        file = target;
      }
      batch.push(line);
    }
    flush();
  },
};
