/**
 * /proc/<pid>/mountinfo parsing. No vitest imports: leaks.ts (and through it
 * global-setup.ts) uses this too.
 */
import { readFileSync } from "node:fs";

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

/** A cgroup hierarchy mounted under /sys/fs/cgroup and the test process's own cgroup in it. */
export interface OwnCgroup {
  mountpoint: string;
  /** As /proc/self/cgroup names it, e.g. "/" or "/process_api/abc". */
  path: string;
  /** Its directory under the mountpoint. */
  dir: string;
}

/**
 * The test process's own cgroup in every hierarchy: the runtimes it starts
 * inherit it, and a container without linux.cgroupsPath gets `<dir>/<id>`
 * (runc's default, and runts'). The cgroup2 hierarchy counts only on a
 * hybrid host here (on a pure v2 host the default is beside, not under, it).
 */
export function ownCgroups(): OwnCgroup[] {
  const mounts = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8")).filter(
    (m) => m.mountpoint.startsWith("/sys/fs/cgroup") && (m.fstype === "cgroup" || m.fstype === "cgroup2"),
  );
  const out: OwnCgroup[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const f = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!f) continue;
    const [, id, list = "", p = "/"] = f;
    const controllers = list.split(",").filter((c) => c !== "");
    const m = mounts.find((x) =>
      id === "0" ? x.fstype === "cgroup2" : x.fstype === "cgroup" && controllers.every((c) => x.superOptions.includes(c)),
    );
    if (!m || out.some((o) => o.mountpoint === m.mountpoint)) continue;
    const rel = m.root === "/" ? p : p === m.root ? "/" : p.startsWith(`${m.root}/`) ? p.slice(m.root.length) : undefined;
    if (rel === undefined) continue;
    out.push({ mountpoint: m.mountpoint, path: p, dir: rel === "/" ? m.mountpoint : m.mountpoint + rel });
  }
  return out;
}

/** Where a container without linux.cgroupsPath has its cgroup directory, in every hierarchy. */
export function defaultCgroupDirs(id: string): string[] {
  return ownCgroups().map((o) => `${o.dir}/${id}`);
}
