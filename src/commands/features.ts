/**
 * runts features: what this build really supports, in the runtime-spec
 * features.md shape. Kept honest by the unit test that builds plans from it.
 */
import type { ParsedCommandLine } from "../cli/args.js";
import { CAPABILITIES } from "../plan/linux.js";
import { FLAG_OPTION_NAMES, PROPAGATION } from "../plan/mounts.js";
import { OCI_VERSION, RUNTS_VERSION } from "../version.js";

export function features(): Record<string, unknown> {
  return {
    ociVersionMin: "1.0.0",
    ociVersionMax: OCI_VERSION,
    hooks: [],
    mountOptions: [...FLAG_OPTION_NAMES, ...Object.keys(PROPAGATION)].sort(),
    linux: {
      namespaces: ["cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"],
      capabilities: Object.keys(CAPABILITIES),
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: { enabled: false },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
    },
    annotations: {
      "org.opencontainers.runtime-spec.features.runts.version": RUNTS_VERSION,
    },
  };
}

export async function run(_cmd: ParsedCommandLine): Promise<number> {
  process.stdout.write(`${JSON.stringify(features(), null, "    ")}\n`);
  return 0;
}
