/**
 * For tests only (nothing in the runtime imports it): scratch directory trees
 * laid out like the cgroup filesystems of a v1, hybrid or v2 host, with
 * matching mountinfo and /proc/self/cgroup text to inject through CgroupEnv.
 * Controller work of later issues can be tested on the same trees. Also the
 * small directory walks the cgroup tests share.
 */
import { type Dirent, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { CgroupEnv, CgroupManager, CgroupMode } from "./common.js";

/** v1 hierarchies as mounted on a typical host: directory name → superblock options. */
export const V1_MOUNTS: ReadonlyArray<[string, string]> = [
  ["cpu,cpuacct", "rw,cpu,cpuacct"],
  ["cpuset", "rw,cpuset"],
  ["memory", "rw,memory"],
  ["devices", "rw,devices"],
  ["freezer", "rw,freezer"],
  ["pids", "rw,pids"],
  ["systemd", "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd"],
];

export interface Scratch {
  root: string;
  env: CgroupEnv;
  /** Host directory of a hierarchy by its mount directory name ("memory", "unified", "" for v2). */
  mount(name: string): string;
  cleanup(): void;
}

export interface ScratchOptions {
  /** Own cgroup per hierarchy name for /proc/self/cgroup ("unified" for the 0:: line); default "/". */
  own?: Record<string, string>;
  /** Mounts to leave out. */
  without?: string[];
  /** v1 hierarchies to mount besides V1_MOUNTS, e.g. ["hugetlb", "rw,hugetlb"]. */
  extraMounts?: ReadonlyArray<[string, string]>;
  /** cgroup.controllers of a v2 root (or of the unified root in hybrid); default V2_CONTROLLER_NAMES for v2, none in hybrid. */
  v2Controllers?: string;
  /** Path prefix of the tree's directory (mkdtemp adds six characters); default $TMPDIR/runts-cgroups-. */
  prefix?: string;
}

/** The controllers of a typical v2 host's root cgroup. */
export const V2_CONTROLLER_NAMES = "cpuset cpu io memory hugetlb pids rdma misc";

/**
 * Control files as the kernel would show them in a new cgroup, for the
 * controller code that reads before it writes (swap order, shares read back).
 */
export function seedFiles(dir: string, files: Record<string, string>): void {
  for (const [name, value] of Object.entries(files)) writeFileSync(`${dir}/${name}`, value.endsWith("\n") ? value : `${value}\n`);
}

export function makeScratch(mode: CgroupMode, opts: ScratchOptions = {}): Scratch {
  const root = mkdtempSync(opts.prefix ?? `${tmpdir()}/runts-cgroups-`);
  const own = opts.own ?? {};
  const lines: string[] = [
    // Mounts that are not cgroups, or not under the root, are ignored.
    `22 27 0:21 / /proc rw,relatime - proc proc rw`,
    `50 27 0:99 / /elsewhere/cgroup/memory rw,relatime - cgroup cgroup rw,memory`,
  ];
  const selfCgroup: string[] = [];
  let id = 40;
  if (mode === "v2") {
    lines.push(`${id} 23 0:${id} / ${root} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`);
    selfCgroup.push(`0::${own.unified ?? "/"}`);
    // What a v2 host offers; a test may rewrite it to take controllers away.
    writeFileSync(`${root}/cgroup.controllers`, `${opts.v2Controllers ?? V2_CONTROLLER_NAMES}\n`);
  } else {
    lines.push(`31 23 0:28 / ${root} rw - tmpfs tmpfs rw,mode=755`);
    let hid = 1;
    for (const [name, options] of [...V1_MOUNTS, ...(opts.extraMounts ?? [])]) {
      if (opts.without?.includes(name)) continue;
      mkdirSync(`${root}/${name}`);
      lines.push(`${++id} 31 0:${id} / ${root}/${name} rw,nosuid,nodev,noexec,relatime shared:${id} - cgroup cgroup ${options}`);
      const controllers = options
        .split(",")
        .filter((o) => o !== "rw" && o !== "xattr" && !o.startsWith("release_agent="))
        .join(",");
      selfCgroup.push(`${hid++}:${controllers}:${own[name] ?? "/"}`);
    }
    if (mode === "hybrid") {
      mkdirSync(`${root}/unified`);
      if (opts.v2Controllers !== undefined) writeFileSync(`${root}/unified/cgroup.controllers`, `${opts.v2Controllers}\n`);
      lines.push(`${++id} 31 0:${id} / ${root}/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate`);
      selfCgroup.push(`0::${own.unified ?? "/"}`);
    }
    // Root cpuset values a new level inherits.
    writeFileSync(`${root}/cpuset/cpuset.cpus`, "0-3\n");
    writeFileSync(`${root}/cpuset/cpuset.mems`, "0\n");
  }
  // The runtime's own cgroups must exist for relative paths.
  for (const [name, path] of Object.entries(own)) {
    const mount = mode === "v2" ? (name === "unified" ? root : undefined) : `${root}/${name}`;
    if (mount !== undefined && existsSync(mount)) mkdirSync(`${mount}${path}`, { recursive: true });
  }
  return {
    root,
    env: { root, mode, mountinfo: lines.join("\n") + "\n", procSelfCgroup: selfCgroup.reverse().join("\n") + "\n" },
    mount: (name) => (name === "" ? root : `${root}/${name}`),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Real cgroupfs lets rmdir remove a cgroup whose only entries are its control
 * files; a scratch directory needs them gone first. Deletes the plain files
 * in `dir` (and in its sub-directories when `recursive`), as rmdir would on
 * cgroupfs.
 */
function dropControlFiles(dir: string, recursive = true): void {
  for (const e of entriesOf(dir)) {
    const p = `${dir}/${e.name}`;
    if (!e.isDirectory()) unlinkSync(p);
    else if (recursive) dropControlFiles(p);
  }
}

/** Directory entries of `dir`; none when it cannot be read (gone meanwhile). */
function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Names of the sub-directories (cgroups) of `dir`; plain files are control files. */
export function subdirNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
}

/** Every directory under `root` (not itself) whose path contains `needle`. */
export function findDirs(root: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of entriesOf(dir)) {
      if (!e.isDirectory()) continue;
      const p = `${dir}/${e.name}`;
      if (p.includes(needle)) found.push(p);
      walk(p);
    }
  };
  walk(root);
  return found;
}

/** destroy() on a scratch tree, after taking out the control files rmdir would ignore on cgroupfs. */
export function destroyOnScratch(m: CgroupManager): void {
  for (const h of m.toState().hierarchies) {
    const leaf = h.created[h.created.length - 1];
    if (leaf !== undefined) dropControlFiles(leaf);
    for (const upper of h.created.slice(0, -1)) dropControlFiles(upper, false);
  }
  m.destroy();
}
