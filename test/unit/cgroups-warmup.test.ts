import { describe, expect, it } from "vitest";
import { ownProcsFile } from "../../src/cgroups/warmup.js";

const HYBRID_MOUNTINFO = [
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
  "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

describe("cgroup migration warm-up", () => {
  it("finds this process's own cgroup.procs in the first cgroup mount", () => {
    expect(ownProcsFile(HYBRID_MOUNTINFO, "3:cpu:/a/b\n1:name=systemd:/s\n0::/u\n")).toBe("/sys/fs/cgroup/cpu/a/b/cgroup.procs");
    expect(ownProcsFile("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw", "0::/\n")).toBe("/sys/fs/cgroup/cgroup.procs");
  });

  it("skips a cgroup2 path that is not mounted (a tmpfs over it) and uses a v1 one", () => {
    const mi = HYBRID_MOUNTINFO.replace("cgroup2 cgroup2", "tmpfs tmpfs");
    expect(ownProcsFile(mi, "0::/u\n1:name=systemd:/s\n")).toBe("/sys/fs/cgroup/systemd/s/cgroup.procs");
  });

  it("skips a cgroup mount that a later mount covers", () => {
    const mi = `${HYBRID_MOUNTINFO}\n99 41 0:99 / /sys/fs/cgroup/cpu rw - tmpfs none rw`;
    expect(ownProcsFile(mi, "3:cpu:/a/b\n1:name=systemd:/s\n0::/u\n")).toBe("/sys/fs/cgroup/systemd/s/cgroup.procs");
  });

  it("takes a mount's own root (mountinfo field 4) off the path, and skips a mount that does not show our cgroup", () => {
    const mi = HYBRID_MOUNTINFO.replace("0:29 / /sys/fs/cgroup/cpu", "0:29 /a /sys/fs/cgroup/cpu");
    expect(ownProcsFile(mi, "3:cpu:/a/b\n1:name=systemd:/s\n")).toBe("/sys/fs/cgroup/cpu/b/cgroup.procs");
    expect(ownProcsFile(mi, "3:cpu:/a\n1:name=systemd:/s\n")).toBe("/sys/fs/cgroup/cpu/cgroup.procs");
    expect(ownProcsFile(mi, "3:cpu:/ab\n1:name=systemd:/s\n")).toBe("/sys/fs/cgroup/systemd/s/cgroup.procs");
  });

  it("gives nothing without a cgroup filesystem", () => {
    expect(ownProcsFile("1 0 0:1 / / rw - ext4 /dev/vda rw", "0::/\n")).toBeUndefined();
  });
});
