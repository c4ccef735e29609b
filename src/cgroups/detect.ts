/**
 * What the host has: the cgroup mode from statfs(/sys/fs/cgroup), and for v1
 * and hybrid the hierarchies (controllers → mountpoint) from
 * /proc/self/mountinfo. Each file is read at most once per process.
 */
import { statfsSync } from "node:fs";
import { posix } from "node:path";
import { RuntsError, fromNodeError } from "../errors.js";
import type { CgroupEnv, CgroupMode } from "./common.js";
import { CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC, DEFAULT_CGROUP_ROOT, TMPFS_MAGIC } from "./common.js";
import { type ProcCgroupEntry, parseProcCgroup, readProcFile } from "./procfiles.js";

/** A mounted cgroup hierarchy. */
export interface Hierarchy {
  /** Sorted controller names incl. "name=..." for named hierarchies; [] for cgroup2. */
  controllers: string[];
  unified: boolean;
  /** Host path the hierarchy is mounted at. */
  mountpoint: string;
  /** The cgroup the mount shows as its root (mountinfo field 4), usually "/". */
  mountRoot: string;
}

/**
 * Superblock options of a v1 cgroup mount that are not controllers. Anything
 * else in the list (cpu, memory, misc, name=systemd ...) is a controller, so a
 * controller this list does not know about is still found.
 */
const NON_CONTROLLER_OPTIONS = new Set([
  "rw",
  "ro",
  "noprefix",
  "xattr",
  "clone_children",
  "cpuset_v2_mode",
  "favordynmods",
  "nsdelegate",
  "memory_localevents",
  "memory_recursiveprot",
  "memory_hugetlb_accounting",
  "pids_localevents",
  "none",
]);

function unescapeMountinfo(s: string): string {
  if (!s.includes("\\")) return s;
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function isUnder(path: string, root: string): boolean {
  if (root === "/") return path.startsWith("/");
  return path === root || path.startsWith(root + "/");
}

/**
 * Cgroup hierarchies mounted under `root` (mounts elsewhere, e.g. bind mounts
 * into a container rootfs, are ignored). The first mount of a hierarchy wins.
 *
 * Runs once per create/run/exec on v1 and hybrid hosts (and for a relative
 * path on v2), cold: only the lines of cgroup mounts are split into fields.
 */
export function parseMountinfo(text: string, root: string = DEFAULT_CGROUP_ROOT): Hierarchy[] {
  const out: Hierarchy[] = [];
  const seen = new Set<string>();
  const lines = text.split("\n");
  let top: Map<string, number> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const sep = line.indexOf(" - cgroup");
    if (sep < 0) continue;
    const post = line.slice(sep + 3).split(" ");
    const fstype = post[0];
    if (fstype !== "cgroup" && fstype !== "cgroup2") continue;
    const pre = line.slice(0, sep).split(" ");
    if (pre.length < 5) continue;
    const mountRoot = unescapeMountinfo(pre[3] ?? "/");
    const mountpoint = unescapeMountinfo(pre[4] ?? "");
    if (!isUnder(mountpoint, root)) continue;
    // Mounted over later (a tmpfs on top of it, say): not what the path shows.
    top ??= topmostMounts(lines);
    if (top.get(mountpoint) !== i) continue;
    let controllers: string[] = [];
    if (fstype === "cgroup") {
      const opts = (post[2] ?? "").split(",");
      for (const o of opts) {
        if (o !== "" && !NON_CONTROLLER_OPTIONS.has(o) && !o.startsWith("release_agent=")) controllers.push(o);
      }
      if (controllers.length === 0) continue;
      controllers = controllers.sort();
    }
    const key = fstype === "cgroup2" ? "" : controllers.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ controllers, unified: fstype === "cgroup2", mountpoint, mountRoot });
  }
  return out;
}

/** For each mount point, the index of the last mountinfo line mounting there: the one in sight. */
function topmostMounts(lines: readonly string[]): Map<string, number> {
  const top = new Map<string, number>();
  for (let i = 0; i < lines.length; i++) {
    const mp = field(lines[i] as string, 4);
    if (mp) top.set(unescapeMountinfo(mp), i);
  }
  return top;
}

/** The n-th space-separated field of a line (from 0), or "" when it has fewer. */
function field(line: string, n: number): string {
  let at = 0;
  for (let k = 0; k < n; k++) {
    at = line.indexOf(" ", at) + 1;
    if (at === 0) return "";
  }
  const end = line.indexOf(" ", at);
  return end < 0 ? line.slice(at) : line.slice(at, end);
}

/** Mode from the filesystem magic of the cgroup root and whether a cgroup2 mount sits under it. */
export function modeFromMagic(magic: number, hierarchies: () => Hierarchy[], root: string): CgroupMode {
  if (magic === CGROUP2_SUPER_MAGIC) return "v2";
  if (magic === TMPFS_MAGIC || magic === CGROUP_SUPER_MAGIC) {
    return hierarchies().some((h) => h.unified) ? "hybrid" : "v1";
  }
  throw new RuntsError(
    `no cgroup filesystem at ${root} (filesystem magic 0x${magic.toString(16)}, expected cgroup2 or tmpfs)`,
    { step: "cgroup detect", path: root },
  );
}

/** What the cgroup code believes about the host; built lazily, each piece once. */
export class CgroupHost {
  readonly root: string;
  private readonly env: CgroupEnv;
  private modeCache: CgroupMode | undefined;
  private hierarchiesCache: Hierarchy[] | undefined;
  private ownCache: ProcCgroupEntry[] | undefined;

  constructor(env: CgroupEnv = {}) {
    this.env = env;
    this.root = posix.normalize(env.root ?? DEFAULT_CGROUP_ROOT).replace(/(.)\/$/, "$1");
    this.modeCache = env.mode;
  }

  mode(): CgroupMode {
    if (this.modeCache === undefined) {
      let magic: number;
      try {
        magic = statfsSync(this.root).type;
      } catch (err) {
        throw fromNodeError(err, "cgroup detect", { path: this.root });
      }
      this.modeCache = modeFromMagic(magic, () => this.hierarchies(), this.root);
    }
    return this.modeCache;
  }

  /** Cgroup mounts under the root, from mountinfo (read once). */
  hierarchies(): Hierarchy[] {
    if (this.hierarchiesCache === undefined) {
      const text = this.env.mountinfo ?? readProcFile("/proc/self/mountinfo");
      this.hierarchiesCache = parseMountinfo(text, this.root);
    }
    return this.hierarchiesCache;
  }

  /** The runtime's own cgroups, from /proc/self/cgroup (read once). */
  ownCgroups(): ProcCgroupEntry[] {
    if (this.ownCache === undefined) {
      const text = this.env.procSelfCgroup ?? readProcFile("/proc/self/cgroup");
      this.ownCache = parseProcCgroup(text);
    }
    return this.ownCache;
  }

  /** The runtime's own cgroup path in a hierarchy ([] controllers = the cgroup2 one). */
  ownPath(h: { controllers: string[]; unified: boolean }): string | undefined {
    const key = h.unified ? "" : h.controllers.join(",");
    for (const e of this.ownCgroups()) {
      const k = e.controllers.join(",");
      if (h.unified ? e.hierarchyId === 0 && k === "" : k === key) return e.path;
    }
    return undefined;
  }
}

let defaultHost: CgroupHost | undefined;

/**
 * The host as seen through `env`. The real host (nothing injected) is
 * detected once per process and shared; an injected env gets its own.
 */
export function cgroupHost(env?: CgroupEnv): CgroupHost {
  const injected =
    env !== undefined &&
    (env.root !== undefined || env.mode !== undefined || env.mountinfo !== undefined || env.procSelfCgroup !== undefined);
  if (injected) return new CgroupHost(env);
  defaultHost ??= new CgroupHost();
  return defaultHost;
}
