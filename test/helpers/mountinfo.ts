/**
 * /proc/<pid>/mountinfo parsing. No vitest imports: leaks.ts (and through it
 * global-setup.ts) uses this too.
 */
import { readFileSync } from "node:fs";
import { posix } from "node:path";

export interface MountInfoEntry {
  mountpoint: string;
  root: string;
  /** Per-mount options (ro, nosuid, nodev, noexec, relatime, ...). */
  options: string[];
  fstype: string;
  source: string;
  /** Superblock options (mode=755, size=..., ...). */
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parse /proc/<pid>/mountinfo text. */
export function parseMountinfo(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    const dash = f.indexOf("-");
    if (dash < 6) continue;
    out.push({
      root: unescape(f[3] ?? ""),
      mountpoint: unescape(f[4] ?? ""),
      options: (f[5] ?? "").split(","),
      fstype: f[dash + 1] ?? "",
      source: unescape(f[dash + 2] ?? ""),
      superOptions: (f[dash + 3] ?? "").split(","),
    });
  }
  return out;
}

/** The last (topmost) mount at `mountpoint`, or undefined. */
export function mountAt(entries: MountInfoEntry[], mountpoint: string): MountInfoEntry | undefined {
  return entries.filter((e) => e.mountpoint === mountpoint).at(-1);
}

/** Mountpoints of the test process's own (host) mount namespace. */
export function hostMountpoints(): string[] {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).map((m) => m.mountpoint);
}

/** Mount points of the cgroup hierarchies under /sys/fs/cgroup (v1 ones and the cgroup2 one). */
export function cgroupHierarchies(): string[] {
  const found = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
    .filter((m) => (m.fstype === "cgroup" || m.fstype === "cgroup2") && m.mountpoint.startsWith("/sys/fs/cgroup"))
    .map((m) => m.mountpoint);
  return [...new Set(found)];
}

/** Where a container without linux.cgroupsPath has its cgroup in one hierarchy. */
export interface DefaultCgroup {
  mountpoint: string;
  /** As /proc/<pid>/cgroup names it, e.g. "/<id>" or "/process_api/abc/<id>". */
  path: string;
  /** Its directory on the host. */
  dir: string;
}

/**
 * Where a container without linux.cgroupsPath has its cgroup, in every
 * hierarchy under /sys/fs/cgroup: `<id>` under the test process's own cgroup
 * (the runtimes it starts inherit it), in the cgroup2 hierarchy under that
 * cgroup's parent (runc's default on v2, and runts' on v2 and hybrid).
 */
export function defaultCgroups(id: string): DefaultCgroup[] {
  const mounts = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).filter(
    (m) => m.mountpoint.startsWith("/sys/fs/cgroup") && (m.fstype === "cgroup" || m.fstype === "cgroup2"),
  );
  const out: DefaultCgroup[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const f = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!f) continue;
    const [, hid, list = "", own = "/"] = f;
    const controllers = list.split(",").filter((c) => c !== "");
    const m = mounts.find((x) =>
      hid === "0" ? x.fstype === "cgroup2" : x.fstype === "cgroup" && controllers.every((c) => x.superOptions.includes(c)),
    );
    if (!m || out.some((o) => o.mountpoint === m.mountpoint)) continue;
    const base = hid === "0" ? posix.dirname(own) : own;
    const rel = posix.relative(m.root, base);
    if (rel.startsWith("..")) continue;
    const path = posix.join(base, id);
    out.push({ mountpoint: m.mountpoint, path, dir: posix.join(m.mountpoint, rel, id) });
  }
  return out;
}

/** The host directories of defaultCgroups(id). */
export function defaultCgroupDirs(id: string): string[] {
  return defaultCgroups(id).map((c) => c.dir);
}
