/**
 * The first cgroup migration after the system has been quiet costs a whole
 * RCU grace period (~10 ms here): the kernel switches its global
 * cgroup_threadgroup_rwsem into writer mode. Later migrations within that
 * window are cheap. `create` therefore starts a no-op migration (our own pid
 * into the cgroup we are already in) on a worker thread as it begins, so that
 * the grace period passes while it parses the config and plans, instead of
 * when it creates the cgroup and moves the container process in. (The
 * kernel holds cgroup_mutex meanwhile: cgroup directories are made after
 * planning, as late as possible.) Best effort: nothing changes and errors
 * are ignored.
 */
import { readFileSync, writeFile } from "node:fs";

let started: Promise<void> | undefined;

/** Start the warm-up once; later calls return the same promise. */
export function warmCgroupMigration(): Promise<void> {
  return (started ??= new Promise((resolve) => {
    let line: string | undefined;
    try {
      line = readFileSync("/proc/self/cgroup", "utf8")
        .split("\n")
        .find((l) => l.startsWith("0::"));
    } catch {
      resolve();
      return;
    }
    if (!line) {
      resolve();
      return;
    }
    // cgroup v2 (pure, or the unified mount of a hybrid host).
    const path = line.slice(3);
    const base = readFileSync("/proc/self/mountinfo", "utf8").includes(" /sys/fs/cgroup/unified ")
      ? "/sys/fs/cgroup/unified"
      : "/sys/fs/cgroup";
    writeFile(`${base}${path === "/" ? "" : path}/cgroup.procs`, String(process.pid), () => resolve());
  }));
}
