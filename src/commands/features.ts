/**
 * runts features: what this build really supports, in the runtime-spec
 * features.md shape.
 */
import type { ParsedCommandLine } from "../cli/args.js";
import { realHost } from "../plan/host.js";
import { CAPABILITIES } from "../plan/linux.js";
import { FLAG_OPTION_NAMES, PROPAGATION, RECURSIVE_OPTIONS } from "../plan/mounts.js";
import { OCI_VERSION, RUNTS_VERSION } from "../version.js";
import { stdout } from "../output.js";

export function features(): Record<string, unknown> {
  return {
    ociVersionMin: "1.0.0",
    ociVersionMax: OCI_VERSION,
    hooks: ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"],
    mountOptions: [
      ...FLAG_OPTION_NAMES,
      ...Object.keys(PROPAGATION),
      ...Object.keys(RECURSIVE_OPTIONS),
      "idmap",
      "ridmap",
      "tmpcopyup",
    ].sort(),
    linux: {
      namespaces: ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
      capabilities: Object.keys(CAPABILITIES),
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: { enabled: false },
      apparmor: { enabled: realHost.apparmorEnabled() },
      selinux: { enabled: realHost.selinuxEnabled() },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
    },
    annotations: {
      "org.opencontainers.runtime-spec.features.runts.version": RUNTS_VERSION,
    },
  };
}

export async function run(_cmd: ParsedCommandLine): Promise<number> {
  stdout(`${JSON.stringify(features(), null, "    ")}\n`);
  return 0;
}
