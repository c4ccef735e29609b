/** Mount options of config.json turned into mount(2) flags, as runc parses them. */
import { RuntsError } from "../errors.js";
import { MS } from "./linux.js";

export interface ParsedMountOptions {
  /** Flags for the mount(2) call. */
  flags: number;
  /** Propagation flags applied after the mount (MS_SHARED, MS_SLAVE, ... with MS_REC). */
  propagation: number;
  /** Filesystem-specific data (the options mount(2) does not know), comma-joined. */
  data: string;
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

/** Options that belong to later work; refused rather than silently dropped. */
const NOT_YET = new Set([
  "rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec", "rnodiratime", "rdiratime",
  "rrelatime", "rnorelatime", "rnoatime", "ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
  "rsymfollow", "tmpcopyup", "idmap", "ridmap",
]);

export function parseMountOptions(options: readonly string[], where: string): ParsedMountOptions {
  let flags = 0;
  let propagation = 0;
  const data: string[] = [];
  for (const opt of options) {
    const f = FLAG_OPTIONS[opt];
    if (f) {
      flags = (flags | f[0]) & ~f[1];
    } else if (opt in PROPAGATION) {
      propagation |= PROPAGATION[opt] ?? 0;
    } else if (NOT_YET.has(opt)) {
      throw new RuntsError(`config.json: ${where}: mount option "${opt}" is not supported by runts yet`);
    } else {
      data.push(opt);
    }
  }
  return { flags, propagation, data: data.join(",") };
}

export const FLAG_OPTION_NAMES: readonly string[] = Object.keys(FLAG_OPTIONS);
