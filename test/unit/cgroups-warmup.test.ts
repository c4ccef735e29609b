import { readFileSync, statfsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProcCgroup } from "../../src/cgroups/procfiles.js";
import { listsPid, ownProcsFile, procsFileCandidates } from "../../src/cgroups/warmup.js";
import { CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC, TMPFS_MAGIC } from "../helpers/cgroups.js";

const candidates = (procSelfCgroup: string): string[] => procsFileCandidates(parseProcCgroup(procSelfCgroup));

describe("cgroup migration warm-up", () => {
  it("looks for this process's cgroup.procs at the usual mount points of each hierarchy", () => {
    expect(candidates("9:name=systemd:/s\n8:pids:/a/b\n3:cpu,cpuacct:/\n0::/u\n")).toEqual([
      "/sys/fs/cgroup/systemd/s/cgroup.procs",
      "/sys/fs/cgroup/pids/a/b/cgroup.procs",
      "/sys/fs/cgroup/cpu,cpuacct/cgroup.procs",
      "/sys/fs/cgroup/u/cgroup.procs",
      "/sys/fs/cgroup/unified/u/cgroup.procs",
    ]);
    expect(candidates("0::/\n")).toEqual(["/sys/fs/cgroup/cgroup.procs", "/sys/fs/cgroup/unified/cgroup.procs"]);
  });

  it("skips lines it cannot trust: not absolute, with '..', malformed", () => {
    expect(candidates("1:pids:a\n2:memory:/x/../y\nnonsense\n")).toEqual([]);
  });

  it("uses only a file that lists our pid: then it is our cgroup, whatever hierarchy is mounted there", () => {
    const files: Record<string, string> = {
      "/sys/fs/cgroup/systemd/s/cgroup.procs": "10\n4242\n",
      "/sys/fs/cgroup/pids/a/b/cgroup.procs": "42\n",
    };
    const read = (f: string) => files[f];
    const found = candidates("9:name=systemd:/s\n8:pids:/a/b\n");
    expect(ownProcsFile(found, 42, read)).toBe("/sys/fs/cgroup/pids/a/b/cgroup.procs");
    expect(ownProcsFile(found, 4242, read)).toBe("/sys/fs/cgroup/systemd/s/cgroup.procs");
    expect(ownProcsFile(found, 7, read)).toBeUndefined();
  });

  // The warm-up swallows every error: without this, a lookup that never finds
  // anything on a real host would pass every test above.
  const cgroupFs = (() => {
    try {
      return [CGROUP2_SUPER_MAGIC, CGROUP_SUPER_MAGIC, TMPFS_MAGIC].includes(statfsSync("/sys/fs/cgroup").type);
    } catch {
      return false;
    }
  })();
  it.skipIf(!cgroupFs)(
    "finds this process's own cgroup.procs on this host",
    () => {
      const read = (f: string): string | undefined => {
        try {
          return readFileSync(f, "utf8");
        } catch {
          return undefined;
        }
      };
      expect(ownProcsFile(candidates(readFileSync("/proc/self/cgroup", "utf8")), process.pid, read)).toMatch(/\/cgroup\.procs$/);
    },
  );

  it("matches whole pids only", () => {
    expect(listsPid("1\n42\n", 42)).toBe(true);
    expect(listsPid("42\n", 42)).toBe(true);
    expect(listsPid("142\n420\n", 42)).toBe(false);
    expect(listsPid("", 42)).toBe(false);
  });
});
