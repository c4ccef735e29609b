/**
 * cgroup v2 devices: no control files, an eBPF program attached to the
 * container's cgroup. The OCI list is emulated into its policy exactly as on
 * v1 (device-rules.ts), compiled (ebpf.ts) and attached (bpf.ts), replacing
 * any device filter attached before.
 */
import type { LinuxResources } from "../common.js";
import { DeviceEmulator, expandOciRules } from "../device-rules.js";
import { checkDeviceRules } from "../resources.js";
import * as libc from "../../sys/libc.js";
import { setDeviceFilter } from "./bpf.js";
import type { V2Controller } from "./controller.js";
import { deviceFilterProgram } from "./ebpf.js";

/** How the program reaches the kernel; tests on scratch trees replace `attach`. */
export const deviceFilterHooks = {
  attach(dir: string, insns: Buffer): void {
    setDeviceFilter(libc, dir, insns);
  },
};

function policy(r: LinuxResources): DeviceEmulator {
  return DeviceEmulator.fromRules(expandOciRules(checkDeviceRules(r.devices ?? [])));
}

export const devicesController: V2Controller = {
  name: "",
  nonDefault(r: LinuxResources): string | undefined {
    return (r.devices?.length ?? 0) > 0 ? "devices" : undefined;
  },
  check(r: LinuxResources): void {
    if (r.devices?.length) deviceFilterProgram(policy(r));
  },
  apply(dir: string, r: LinuxResources): void {
    if (!r.devices?.length) return;
    deviceFilterHooks.attach(dir, deviceFilterProgram(policy(r)));
  },
};
