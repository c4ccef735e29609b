/** Mount options of config.json turned into mount(2) flags, as runc parses them. */
import { MS } from "./linux.js";

export interface ParsedMountOptions {
  /** Flags for the mount(2) call. */
  flags: number;
  /** MOUNT_ATTR_* set and cleared recursively with mount_setattr (the "r" options: rro, rnosuid, ...). */
  recursiveSet: number;
  recursiveClear: number;
  /** Propagation flags applied after the mount (MS_SHARED, MS_SLAVE, ... with MS_REC). */
  propagation: number;
  /** Filesystem-specific data (the options mount(2) does not know), comma-joined. */
  data: string;
  /** Podman's tmpcopyup: the tmpfs starts with a copy of the directory it covers. */
  tmpcopyup: boolean;
  /** idmap / ridmap: an idmapped bind mount (recursive for ridmap). */
  idmap: "" | "idmap" | "ridmap";
}

/** option → [flags to set, flags to clear] */
export const FLAG_OPTIONS: Record<string, [number, number]> = {
  async: [0, MS.SYNCHRONOUS],
  atime: [0, MS.NOATIME],
  bind: [MS.BIND, 0],
  defaults: [0, 0],
  dev: [0, MS.NODEV],
  diratime: [0, MS.NODIRATIME],
  dirsync: [MS.DIRSYNC, 0],
  exec: [0, MS.NOEXEC],
  mand: [MS.MANDLOCK, 0],
  noatime: [MS.NOATIME, 0],
  nodev: [MS.NODEV, 0],
  nodiratime: [MS.NODIRATIME, 0],
  noexec: [MS.NOEXEC, 0],
  nomand: [0, MS.MANDLOCK],
  norelatime: [0, MS.RELATIME],
  nostrictatime: [0, MS.STRICTATIME],
  nosuid: [MS.NOSUID, 0],
  nosymfollow: [MS.NOSYMFOLLOW, 0],
  rbind: [MS.BIND | MS.REC, 0],
  relatime: [MS.RELATIME, 0],
  remount: [MS.REMOUNT, 0],
  ro: [MS.RDONLY, 0],
  rw: [0, MS.RDONLY],
  strictatime: [MS.STRICTATIME, 0],
  suid: [0, MS.NOSUID],
  sync: [MS.SYNCHRONOUS, 0],
  lazytime: [MS.LAZYTIME, 0],
  nolazytime: [0, MS.LAZYTIME],
};

export const PROPAGATION: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

const MOUNT_ATTR = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  ATIME: 0x70, // the atime mode field
  RELATIME: 0x0,
  NOATIME: 0x10,
  STRICTATIME: 0x20,
  NODIRATIME: 0x80,
  NOSYMFOLLOW: 0x200000,
} as const;

/** Recursive options (mount_setattr with AT_RECURSIVE): option → [attributes set, attributes cleared]. */
export const RECURSIVE_OPTIONS: Record<string, [number, number]> = {
  rro: [MOUNT_ATTR.RDONLY, 0],
  rrw: [0, MOUNT_ATTR.RDONLY],
  rnosuid: [MOUNT_ATTR.NOSUID, 0],
  rsuid: [0, MOUNT_ATTR.NOSUID],
  rnodev: [MOUNT_ATTR.NODEV, 0],
  rdev: [0, MOUNT_ATTR.NODEV],
  rnoexec: [MOUNT_ATTR.NOEXEC, 0],
  rexec: [0, MOUNT_ATTR.NOEXEC],
  rnodiratime: [MOUNT_ATTR.NODIRATIME, 0],
  rdiratime: [0, MOUNT_ATTR.NODIRATIME],
  rrelatime: [MOUNT_ATTR.RELATIME, MOUNT_ATTR.ATIME],
  rnorelatime: [0, MOUNT_ATTR.ATIME],
  rnoatime: [MOUNT_ATTR.NOATIME, MOUNT_ATTR.ATIME],
  ratime: [0, MOUNT_ATTR.ATIME],
  rstrictatime: [MOUNT_ATTR.STRICTATIME, MOUNT_ATTR.ATIME],
  rnostrictatime: [0, MOUNT_ATTR.ATIME],
  rnosymfollow: [MOUNT_ATTR.NOSYMFOLLOW, 0],
  rsymfollow: [0, MOUNT_ATTR.NOSYMFOLLOW],
};

export function parseMountOptions(options: readonly string[]): ParsedMountOptions {
  let flags = 0;
  let propagation = 0;
  let recursiveSet = 0;
  let recursiveClear = 0;
  let tmpcopyup = false;
  let idmap: ParsedMountOptions["idmap"] = "";
  const data: string[] = [];
  for (const opt of options) {
    const f = FLAG_OPTIONS[opt];
    const r = RECURSIVE_OPTIONS[opt];
    if (f) {
      flags = (flags | f[0]) & ~f[1];
    } else if (r) {
      // A later option wins, as with the plain flags. (The atime mode is set inside a cleared field.)
      recursiveSet = (recursiveSet & ~r[1]) | r[0];
      recursiveClear = (recursiveClear & ~r[0]) | r[1];
    } else if (opt in PROPAGATION) {
      propagation |= PROPAGATION[opt] ?? 0;
    } else if (opt === "tmpcopyup") {
      tmpcopyup = true;
    } else if (opt === "idmap" || opt === "ridmap") {
      idmap = opt;
    } else {
      data.push(opt);
    }
  }
  return { flags, recursiveSet, recursiveClear, propagation, data: data.join(","), tmpcopyup, idmap };
}

/** The mount_setattr attributes of the recursive options, if any were given. */
export function recursiveAttrs(o: ParsedMountOptions): { set: number; clear: number } | undefined {
  return o.recursiveSet || o.recursiveClear ? { set: o.recursiveSet, clear: o.recursiveClear } : undefined;
}

export const FLAG_OPTION_NAMES: readonly string[] = Object.keys(FLAG_OPTIONS);
