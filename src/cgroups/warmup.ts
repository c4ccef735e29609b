/**
 * The first cgroup migration after the system has been quiet costs a whole
 * RCU grace period (~10 ms here): the kernel switches its global
 * cgroup_threadgroup_rwsem into writer mode. Later migrations within that
 * window are cheap. main.ts therefore starts a no-op migration (our own pid
 * into the cgroup we are already in) on an I/O thread first thing when the
 * command line has the word create or run (a container named "run" costs one
 * needless no-op), so that the grace period passes while runts parses the
 * config and plans, instead of when it creates the cgroup and moves the
 * container process in. (The kernel holds cgroup_mutex meanwhile: cgroup
 * directories are made after planning, as late as possible.) Best effort:
 * nothing changes, no file is created (the file must exist), errors are
 * ignored.
 */
import { writeFile } from "node:fs";
import { CgroupHost, cgroupHost } from "./detect.js";
import { dirInMount } from "./paths.js";

let started: Promise<void> | undefined;

/**
 * cgroup.procs of the cgroup `host` is in, in the first hierarchy it knows.
 * The detection it uses is the one the cgroup manager reuses later, so the
 * warm-up parses nothing twice.
 */
export function procsFileOf(host: CgroupHost): string | undefined {
  for (const h of host.hierarchies()) {
    const own = host.ownPath(h);
    const dir = own === undefined ? undefined : dirInMount(h, own);
    if (dir !== undefined) return `${dir}/cgroup.procs`;
  }
  return undefined;
}

/** procsFileOf for given /proc/self/mountinfo and /proc/self/cgroup texts. */
export function ownProcsFile(mountinfo: string, procSelfCgroup: string): string | undefined {
  return procsFileOf(new CgroupHost({ mountinfo, procSelfCgroup }));
}

/** Start the warm-up once; later calls return the same promise. */
export function warmCgroupMigration(): Promise<void> {
  return (started ??= new Promise((resolve) => {
    let file: string | undefined;
    try {
      file = procsFileOf(cgroupHost());
    } catch {
      file = undefined;
    }
    if (!file) {
      resolve();
      return;
    }
    // "r+": open an existing file only; never create one.
    writeFile(file, String(process.pid), { flag: "r+" }, () => resolve());
  }));
}
