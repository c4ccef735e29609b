/**
 * The first cgroup migration after the system has been quiet costs a whole
 * RCU grace period (~10 ms here): the kernel switches its global
 * cgroup_threadgroup_rwsem into writer mode. Later migrations within that
 * window are cheap. `create` therefore starts a no-op migration (our own pid
 * into the cgroup we are already in) on a worker thread as it begins, so that
 * the grace period passes while it parses the config and plans, instead of
 * when it creates the cgroup and moves the container process in. (The
 * kernel holds cgroup_mutex meanwhile: cgroup directories are made after
 * planning, as late as possible.) Best effort: nothing changes, no file is
 * created (the file must exist), and errors are ignored.
 */
import { writeFile } from "node:fs";
import { readProcFile, topmostMounts } from "./detect.js";

let started: Promise<void> | undefined;

/** cgroup.procs of the cgroup this process is in, in the first cgroup filesystem mounted. */
export function ownProcsFile(mountinfo: string, procSelfCgroup: string): string | undefined {
  const ours = procSelfCgroup
    .split("\n")
    .filter(Boolean)
    .map((l) => l.split(":"))
    .map(([, controllers = "", ...path]) => ({ controllers, path: path.join(":") }));
  const lines = mountinfo.split("\n");
  const top = topmostMounts(lines);
  for (const [i, line] of lines.entries()) {
    const [pre = "", post = ""] = line.split(" - ");
    const [fstype = "", , superOpts = ""] = post.split(" ");
    const mountpoint = pre.split(" ")[4];
    if (!mountpoint || (fstype !== "cgroup" && fstype !== "cgroup2") || top.get(mountpoint) !== i) continue;
    const want = fstype === "cgroup2" ? "" : superOpts.split(",").filter((o) => o !== "rw" && o !== "ro" && !o.includes("=") || o.startsWith("name=")).sort().join(",");
    const entry = ours.find((e) => e.controllers.split(",").sort().join(",") === want);
    if (entry) return `${mountpoint}${entry.path === "/" ? "" : entry.path}/cgroup.procs`;
  }
  return undefined;
}

/** Start the warm-up once; later calls return the same promise. */
export function warmCgroupMigration(): Promise<void> {
  return (started ??= new Promise((resolve) => {
    let file: string | undefined;
    try {
      file = ownProcsFile(readProcFile("/proc/self/mountinfo"), readProcFile("/proc/self/cgroup"));
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
