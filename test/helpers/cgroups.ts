/**
 * Helpers for the cgroup integration tests (test/integration/cgroups-*.test.ts):
 * find a container's cgroup directory for a controller from the host, the
 * way an operator would (/proc/<pid>/cgroup + the host's cgroup mounts).
 */
import { readdirSync, readFileSync, rmdirSync, statfsSync, type Dirent } from "node:fs";
import { parseMountinfo } from "./mountinfo.js";

const ROOT = "/sys/fs/cgroup";

/**
 * statfs f_type of what may be mounted at /sys/fs/cgroup, from
 * include/uapi/linux/magic.h (written out here, not taken from src/).
 */
export const CGROUP2_SUPER_MAGIC = 0x63677270;
export const CGROUP_SUPER_MAGIC = 0x27e0eb;
export const TMPFS_MAGIC = 0x01021994;

export function hostIsV2(): boolean {
  return statfsSync(ROOT).type === CGROUP2_SUPER_MAGIC;
}

interface Mount {
  controllers: string[];
  unified: boolean;
  mountpoint: string;
  root: string;
}

function cgroupMounts(): Mount[] {
  return parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
    .filter((m) => (m.fstype === "cgroup" || m.fstype === "cgroup2") && m.mountpoint.startsWith(ROOT))
    .map((m) => ({
      controllers: m.fstype === "cgroup" ? m.superOptions.filter((o) => !["rw", "ro"].includes(o) && !o.includes("=")) : [],
      unified: m.fstype === "cgroup2",
      mountpoint: m.mountpoint,
      root: m.root || "/",
    }));
}

/**
 * The host directory of `pid`'s cgroup for `controller` (v1), or of its
 * cgroup2 cgroup ("" or on a v2 host). Undefined when the host does not
 * mount that controller.
 */
export function cgroupDirOf(pid: number, controller = ""): string | undefined {
  const lines = readFileSync(`/proc/${pid}/cgroup`, "utf8").split("\n").filter((l) => l !== "");
  const v2 = hostIsV2();
  for (const m of cgroupMounts()) {
    const wanted = v2 || controller === "" ? m.unified : m.controllers.includes(controller);
    if (!wanted) continue;
    for (const l of lines) {
      const [id, ctrls, path] = [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1, l.lastIndexOf(":")), l.slice(l.lastIndexOf(":") + 1)];
      const match = m.unified ? id === "0" : ctrls.split(",").includes(controller);
      if (!match) continue;
      const rel = m.root === "/" ? path : path.slice(m.root.length);
      return `${m.mountpoint}${rel === "/" ? "" : rel}`;
    }
  }
  return undefined;
}

/** cgroupDirOf(), or an error naming what is missing. */
export function cgroupDir(pid: number, controller = ""): string {
  const d = cgroupDirOf(pid, controller);
  if (d === undefined) throw new Error(`no ${controller || "cgroup2"} cgroup for pid ${pid} on this host`);
  return d;
}

export function readCgroupFile(pid: number, controller: string, file: string): string {
  return readFileSync(`${cgroupDir(pid, hostIsV2() ? "" : controller)}/${file}`, "utf8").trim();
}

/** Every directory under /sys/fs/cgroup whose path contains `needle` (walked here, not with src/'s helper). */
export function dirsContaining(needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed meanwhile
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = `${dir}/${e.name}`;
      if (p.includes(needle)) found.push(p);
      walk(p);
    }
  };
  walk(ROOT);
  return found;
}

/**
 * After a test, even one that failed half-way: remove every cgroup directory
 * named after one of `ids`, deepest first. What cannot go is reported by the
 * global leak check.
 */
export function sweepCgroupDirs(ids: string[]): void {
  for (const id of ids) {
    for (const d of dirsContaining(id).sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(d);
      } catch {
        // left for the global leak check
      }
    }
  }
}
