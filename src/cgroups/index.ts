/** The cgroup layer of runts: one interface over cgroup v1, hybrid and v2. */
export type {
  CgroupEnv,
  CgroupHierarchyState,
  CgroupJoin,
  CgroupManager,
  CgroupManagerOptions,
  CgroupMode,
  CgroupState,
  FreezerState,
  LinuxDeviceCgroup,
  LinuxResources,
} from "./common.js";
export type { CgroupStats } from "./stats.js";
export { statsJson, toJson } from "./stats.js";
export { DEFAULT_CGROUP_ROOT } from "./common.js";
export { cgroupManagerFromState, createCgroupManager } from "./manager.js";
export { parseMountinfo } from "./detect.js";
export type { Hierarchy } from "./detect.js";
export { parseProcCgroup } from "./procfiles.js";
export type { ProcCgroupEntry } from "./procfiles.js";
export { normalizeCgroupsPath } from "./paths.js";
