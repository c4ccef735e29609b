/**
 * v1 cpuset controller. A new cpuset cgroup starts with empty cpus and mems,
 * and no task can join it until both are set: give every empty level on the
 * way down its parent's values (runc does the same).
 */
import { readValue, writeLines } from "../fsutil.js";
import type { V1Controller } from "./controller.js";

const STEP = "cgroup create cpuset";

const FILES = ["cpuset.cpus", "cpuset.mems"] as const;

/** Make sure `dir` (at or below `mountpoint`) has non-empty cpus and mems. */
export function ensureCpuset(dir: string, mountpoint: string): void {
  for (const file of FILES) fill(dir, mountpoint, file);
}

function fill(dir: string, mountpoint: string, file: string): string {
  const value = readValue(`${dir}/${file}`, STEP);
  if (value !== "" || dir === mountpoint || !dir.startsWith(mountpoint + "/")) return value;
  const parentValue = fill(dir.slice(0, dir.lastIndexOf("/")), mountpoint, file);
  if (parentValue !== "") writeLines(`${dir}/${file}`, [parentValue], STEP);
  return parentValue;
}

export const cpusetController: V1Controller = {
  subsystem: "cpuset",
  handles: [],
  created(dir: string, mountpoint: string): void {
    ensureCpuset(dir, mountpoint);
  },
};
