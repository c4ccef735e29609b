/**
 * What a runtime may leave on the host, as a snapshot to compare:
 *
 * - mounts (host mount namespace) whose mountpoint, root or source names this run;
 * - cgroup directories under /sys/fs/cgroup (every hierarchy, depth <= 4)
 *   whose name names this run;
 * - processes in those cgroups, whose cmdline names this run, or whose root
 *   directory lies in one of this run's bundles;
 * - container state directories under this run's runtime roots;
 * - this run's temp directories (/tmp/runts-test-*-<run>-*);
 * - this process's open file descriptors.
 *
 * "Names this run" means contains "runts-test" and the run token (see
 * context.ts), so another test run on the same machine is never reported or
 * touched. No vitest imports: global-setup.ts uses this too.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cgroupHierarchies, parseMountinfo, type MountInfoEntry } from "./mountinfo.js";
import { isOurs, MARK, runToken, subdirNames } from "./context.js";

export interface LeakSnapshot {
  /** Mountpoints. */
  mounts: string[];
  /** Absolute cgroup directories (the topmost matching one of each subtree). */
  cgroups: string[];
  /** "pid=N cmd=... (why)". */
  processes: string[];
  /** <root>/state/<id> directories. */
  stateDirs: string[];
  /** /tmp/runts-test-* directories. */
  tempDirs: string[];
  /** "fd -> target" of this process. */
  fds: string[];
}

/** Deep enough for <test's own cgroup>/<id> on systemd hosts (user@.service/app.slice/...). */
const CGROUP_DEPTH = 7;

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function subdirs(dir: string): string[] {
  return subdirNames(dir).map((name) => path.join(dir, name));
}

function mountTable(): MountInfoEntry[] {
  return parseMountinfo(read("/proc/self/mountinfo"));
}

/** Matching cgroup dirs, not descending below a match. */
function findCgroups(token: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    for (const sub of subdirs(dir)) {
      if (isOurs(path.basename(sub), token)) found.add(sub);
      else if (depth < CGROUP_DEPTH) walk(sub, depth + 1);
    }
  };
  for (const h of cgroupHierarchies()) walk(h, 1);
  return [...found].sort();
}

/**
 * /runts in every hierarchy, where it exists: the parent of tests' explicit
 * /runts/<id> cgroupsPaths (and runts' default before it took runc's). The
 * container that made it removes it when it leaves it empty; one a test run
 * made and left empty is a leak the name-based search above cannot see (the
 * name is shared with any other runts container on the host).
 */
export function runtsParents(): string[] {
  return cgroupHierarchies()
    .map((h) => path.join(h, "runts"))
    .filter((d) => existsSync(d))
    .sort();
}

/** Those of `now` not in `before` that hold no cgroup: left behind empty. */
export function emptyNewParents(before: readonly string[], now: readonly string[]): string[] {
  return now.filter((d) => !before.includes(d) && subdirs(d).length === 0);
}

/** Every cgroup dir of a subtree, deepest first. */
function cgroupSubtree(dir: string): string[] {
  return [...subdirs(dir).flatMap(cgroupSubtree), dir];
}

function cgroupPids(dir: string): number[] {
  return cgroupSubtree(dir).flatMap((d) =>
    read(path.join(d, "cgroup.procs"))
      .split("\n")
      .filter((s) => s !== "")
      .map(Number),
  );
}

function findProcesses(token: string, cgroups: string[]): string[] {
  const why = new Map<number, string>();
  for (const cg of cgroups) for (const pid of cgroupPids(cg)) why.set(pid, `in cgroup ${cg}`);
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || why.has(pid)) continue;
    const cmd = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    if (isOurs(cmd, token)) {
      why.set(pid, "cmdline names a test container or path");
      continue;
    }
    let root = "";
    try {
      root = readlinkSync(`/proc/${pid}/root`);
    } catch {
      continue;
    }
    if (root.startsWith(`/tmp/${MARK}`) && isOurs(root, token)) why.set(pid, `root is ${root}`);
  }
  return [...why].map(([pid, reason]) => {
    const cmd = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    return `pid=${pid} cmd=${cmd || "?"} (${reason})`;
  });
}

function findTempDirs(token: string): string[] {
  return readdirSync("/tmp")
    .filter((name) => name.startsWith(`${MARK}-`) && isOurs(name, token))
    .map((name) => path.join("/tmp", name))
    .sort();
}

function findStateDirs(tempDirs: string[]): string[] {
  return tempDirs
    .filter((dir) => path.basename(dir).startsWith(`${MARK}-root-`))
    .flatMap((dir) => subdirs(path.join(dir, "state")));
}

function openFds(): string[] {
  const fds: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      fds.push(`${fd} -> ${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // the directory handle readdirSync itself used, closed by now
    }
  }
  return fds;
}

/** Everything of this run (token, default runToken(); "" = of any run) on the host now. */
export function snapshotLeaks(token: string = runToken()): LeakSnapshot {
  const mounts = mountTable()
    .filter((m) => isOurs(m.mountpoint, token) || isOurs(m.root, token) || isOurs(m.source, token))
    .map((m) => m.mountpoint);
  const cgroups = findCgroups(token);
  const tempDirs = findTempDirs(token);
  return {
    mounts,
    cgroups,
    processes: findProcesses(token, cgroups),
    stateDirs: findStateDirs(tempDirs),
    tempDirs,
    fds: openFds(),
  };
}

/** What `after` has that `before` had not. File descriptors count only when their number grew. */
export function diffLeaks(before: LeakSnapshot, after: LeakSnapshot): LeakSnapshot {
  const added = (a: string[], b: string[]): string[] => b.filter((x) => !a.includes(x));
  const pidOf = (p: string): string => p.split(" ", 1)[0] ?? p;
  const beforePids = before.processes.map(pidOf);
  return {
    mounts: added(before.mounts, after.mounts),
    cgroups: added(before.cgroups, after.cgroups),
    processes: after.processes.filter((p) => !beforePids.includes(pidOf(p))),
    stateDirs: added(before.stateDirs, after.stateDirs),
    tempDirs: added(before.tempDirs, after.tempDirs),
    fds: after.fds.length > before.fds.length ? added(before.fds, after.fds) : [],
  };
}

export function isEmpty(s: LeakSnapshot): boolean {
  return Object.values(s).every((items: string[]) => items.length === 0);
}

export function formatLeaks(s: LeakSnapshot): string {
  return (Object.entries(s) as [string, string[]][])
    .filter(([, items]) => items.length > 0)
    .map(([kind, items]) => `${kind}:\n${items.map((i) => `  ${i}`).join("\n")}`)
    .join("\n");
}

/** Throw, listing them, when things of this run appeared on the host since `before`. */
export function assertNoLeaks(before: LeakSnapshot): void {
  const leaks = diffLeaks(before, snapshotLeaks());
  if (!isEmpty(leaks)) throw new Error(`the runtime left things behind on the host:\n${formatLeaks(leaks)}`);
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Force-remove the leftovers in `s` (a snapshot or a diff): thaw and kill the
 * processes, lazily unmount, remove cgroups, state and temp dirs. Returns
 * what it did and what failed, one line each. Open fds are not touched.
 */
export function sweepLeaks(s: LeakSnapshot): string[] {
  const done: string[] = [];
  const attempt = (what: string, fn: () => void): void => {
    try {
      fn();
      done.push(what);
    } catch (err) {
      done.push(`FAILED ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  for (const cg of s.cgroups) {
    for (const dir of cgroupSubtree(cg)) {
      if (existsSync(path.join(dir, "freezer.state"))) writeQuietly(path.join(dir, "freezer.state"), "THAWED");
      if (existsSync(path.join(dir, "cgroup.freeze"))) writeQuietly(path.join(dir, "cgroup.freeze"), "0");
    }
  }
  const pids = new Set([
    ...s.processes.map((p) => Number(/^pid=(\d+)/.exec(p)?.[1])),
    ...s.cgroups.flatMap(cgroupPids),
  ]);
  for (const pid of pids) {
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) attempt(`kill -9 ${pid}`, () => process.kill(pid, "SIGKILL"));
  }
  for (const mp of [...new Set(s.mounts)].sort((a, b) => b.length - a.length)) {
    attempt(`umount -l ${mp}`, () => {
      for (let i = 0; i < 8 && mountTable().some((m) => m.mountpoint === mp); i++) {
        execFileSync("umount", ["-l", mp], { stdio: "pipe" });
      }
    });
  }
  for (const cg of s.cgroups) {
    attempt(`rmdir cgroup ${cg}`, () => {
      for (let i = 0; i < 40 && cgroupPids(cg).length > 0; i++) sleepMs(50);
      for (const dir of cgroupSubtree(cg)) rmdirSync(dir);
    });
  }
  for (const dir of [...s.stateDirs, ...s.tempDirs]) {
    if (existsSync(dir)) attempt(`rm -rf ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  }
  return done;
}

function writeQuietly(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch {
    // not fatal: the kill that follows says whether it mattered
  }
}
