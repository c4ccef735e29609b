/**
 * Device policy: which nodes every container gets, and the device cgroup
 * rules that go with them. As runc: the config's rules first, then the
 * default allow list. A node listed in linux.devices is created, but gets no
 * access the config's rules do not grant.
 */
import type { LinuxDeviceCgroup } from "../cgroups/index.js";
import type { Spec } from "../spec/schema.js";

/** Nodes created in every container whose /dev is not bound from the host. */
export const DEFAULT_DEVICES = [
  { path: "/dev/null", major: 1, minor: 3 },
  { path: "/dev/zero", major: 1, minor: 5 },
  { path: "/dev/full", major: 1, minor: 7 },
  { path: "/dev/random", major: 1, minor: 8 },
  { path: "/dev/urandom", major: 1, minor: 9 },
  { path: "/dev/tty", major: 5, minor: 0 },
] as const;

const allow = (type: "c" | "b", major: number | null, minor: number | null, access = "rwm"): LinuxDeviceCgroup => ({
  allow: true,
  type,
  major,
  minor,
  access,
});

/** runc's default allow list: mknod of anything, the default nodes, ptys and tun. */
export const DEFAULT_DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  allow("c", null, null, "m"),
  allow("b", null, null, "m"),
  ...DEFAULT_DEVICES.map((d) => allow("c", d.major, d.minor)),
  allow("c", 136, null), // /dev/pts/*
  allow("c", 5, 2), // /dev/ptmx
  allow("c", 10, 200), // /dev/net/tun
];

export function deviceCgroupRules(spec: Spec): LinuxDeviceCgroup[] {
  return [...(spec.linux?.resources?.devices ?? []), ...DEFAULT_DEVICE_RULES];
}
