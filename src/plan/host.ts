/**
 * What the planner needs to know about the host and the runtime process
 * itself. Read lazily and once; tests replace it with fixed answers.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { readProcFile } from "../cgroups/procfiles.js";

export interface HostView {
  /** Is this host path a directory (false for files and missing paths). */
  isDir(path: string): boolean;
  /** Does this host path exist. */
  exists(path: string): boolean;
  /** The runtime's own capability bounding set: the container can hold no more. */
  capBounding(): bigint;
  /** The runtime's hard limit for a resource ("RLIMIT_NOFILE"), undefined when unlimited. */
  hardLimit(resource: string): bigint | undefined;
  /** Is the runtime allowed to raise hard limits (CAP_SYS_RESOURCE in its effective set). */
  canRaiseLimits(): boolean;
  /** The mount point of the mount a host path is on (longest mountinfo prefix). */
  mountOf(path: string): string;
  /** The runtime's own /proc/self/oom_score_adj. */
  oomScoreAdj(): number;
  /** Linux security modules enabled on the host. */
  apparmorEnabled(): boolean;
  selinuxEnabled(): boolean;
}

/** /proc/self/limits row names by rlimit. */
const LIMIT_ROWS: Record<string, string> = {
  RLIMIT_CPU: "Max cpu time",
  RLIMIT_FSIZE: "Max file size",
  RLIMIT_DATA: "Max data size",
  RLIMIT_STACK: "Max stack size",
  RLIMIT_CORE: "Max core file size",
  RLIMIT_RSS: "Max resident set",
  RLIMIT_NPROC: "Max processes",
  RLIMIT_NOFILE: "Max open files",
  RLIMIT_MEMLOCK: "Max locked memory",
  RLIMIT_AS: "Max address space",
  RLIMIT_LOCKS: "Max file locks",
  RLIMIT_SIGPENDING: "Max pending signals",
  RLIMIT_MSGQUEUE: "Max msgqueue size",
  RLIMIT_NICE: "Max nice priority",
  RLIMIT_RTPRIO: "Max realtime priority",
  RLIMIT_RTTIME: "Max realtime timeout",
};

const CAP_SYS_RESOURCE = 24n;

const status = (): string => readProcFile("/proc/self/status");
const limits = (): string => readProcFile("/proc/self/limits");

function capField(name: string): bigint {
  const m = new RegExp(`^${name}:\\s*([0-9a-f]+)$`, "m").exec(status());
  return m?.[1] ? BigInt(`0x${m[1]}`) : 0n;
}

function readFlag(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

export const realHost: HostView = {
  isDir: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
  exists: (p) => statSync(p, { throwIfNoEntry: false }) !== undefined,
  capBounding: () => capField("CapBnd"),
  canRaiseLimits: () => ((capField("CapEff") >> CAP_SYS_RESOURCE) & 1n) === 1n,
  hardLimit(resource) {
    const row = LIMIT_ROWS[resource];
    const line = limits()
      .split("\n")
      .find((l) => row !== undefined && l.startsWith(`${row} `));
    const hard = line?.slice(26).trim().split(/\s+/)[1];
    return hard === undefined || hard === "unlimited" ? undefined : BigInt(hard);
  },
  mountOf(path) {
    const real = realpathSync(path);
    let best = "/";
    for (const line of readProcFile("/proc/self/mountinfo").split("\n")) {
      // Field 5 is the mount point, with spaces and such octal-escaped.
      const mp = line.split(" ")[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
      if (mp && mp.length > best.length && (real === mp || real.startsWith(`${mp}/`))) best = mp;
    }
    return best;
  },
  oomScoreAdj: () => Number(readFlag("/proc/self/oom_score_adj") || "0"),
  apparmorEnabled: () => readFlag("/sys/module/apparmor/parameters/enabled") === "Y",
  selinuxEnabled: () => readFlag("/sys/fs/selinux/enforce") !== "",
};
