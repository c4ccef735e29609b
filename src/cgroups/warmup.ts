/**
 * The first cgroup migration after the system has been quiet costs a whole
 * RCU grace period (3-15 ms here): the kernel switches its global
 * cgroup_threadgroup_rwsem into writer mode, and holds cgroup_mutex while it
 * waits, so cgroup directories cannot be made meanwhile either. Migrations
 * within a grace period of the last one are cheap. So for create, run and
 * exec, runts starts a no-op migration (its own pid into the cgroup it is
 * already in) on an I/O thread before anything else (cli/prelude.ts), and the
 * grace period passes while it loads, reads the config and plans.
 *
 * That start cannot wait for mountinfo to be parsed: the own cgroup is looked
 * for at the usual mount points, and a candidate is used only if its
 * cgroup.procs lists our pid (then it is our cgroup, whichever hierarchy is
 * mounted there). Best effort: nothing changes, no file is created (the file
 * must exist), errors are ignored.
 */
import { readFileSync, writeFile } from "node:fs";
import { type ProcCgroupEntry, parseProcCgroup, readProcFile } from "./procfiles.js";

let started: Promise<void> | undefined;

/** Where this process's cgroup.procs may be, from its /proc/self/cgroup entries, under the usual mount points. */
export function procsFileCandidates(own: readonly ProcCgroupEntry[], root = "/sys/fs/cgroup"): string[] {
  const out: string[] = [];
  for (const { controllers, path } of own) {
    if (!path.startsWith("/") || path.includes("/..")) continue;
    const sub = path === "/" ? "" : path;
    const name = controllers.join(",");
    if (name === "") {
      out.push(`${root}${sub}/cgroup.procs`, `${root}/unified${sub}/cgroup.procs`);
    } else {
      out.push(`${root}/${name.startsWith("name=") ? name.slice(5) : name}${sub}/cgroup.procs`);
    }
  }
  return out;
}

/** Does a cgroup.procs text list `pid`? */
export function listsPid(procs: string, pid: number): boolean {
  const p = String(pid);
  return procs === p || procs.startsWith(`${p}\n`) || procs.includes(`\n${p}\n`);
}

/** The first candidate whose cgroup.procs lists `pid`. */
export function ownProcsFile(candidates: string[], pid: number, read: (file: string) => string | undefined): string | undefined {
  for (const file of candidates) {
    const text = read(file);
    if (text !== undefined && listsPid(text, pid)) return file;
  }
  return undefined;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Start the warm-up once; later calls return the same promise. */
export function warmCgroupMigration(): Promise<void> {
  return (started ??= new Promise((resolve) => {
    let file: string | undefined;
    try {
      // Read through the cache the cgroup manager uses later: read once.
      file = ownProcsFile(procsFileCandidates(parseProcCgroup(readProcFile("/proc/self/cgroup"))), process.pid, readOrUndefined);
    } catch {
      // Best effort: no warm-up.
    }
    if (!file) {
      resolve();
      return;
    }
    // "r+": open an existing file only; never create one.
    writeFile(file, String(process.pid), { flag: "r+" }, () => resolve());
  }));
}
