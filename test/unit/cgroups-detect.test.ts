import { describe, expect, it } from "vitest";
import { RuntsError } from "../../src/errors.js";
import { CgroupHost, modeFromMagic, parseMountinfo } from "../../src/cgroups/detect.js";
import { parseProcCgroup } from "../../src/cgroups/procfiles.js";
import { createCgroupManager, normalizeCgroupsPath } from "../../src/cgroups/index.js";
import { isEmptyResource } from "../../src/cgroups/resources.js";
import { CGROUP2_SUPER_MAGIC, TMPFS_MAGIC } from "../helpers/cgroups.js";

/** mountinfo of a hybrid host (this machine's layout, plus a comount and a space). */
const HYBRID_MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
42 31 0:39 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio
43 31 0:40 / /sys/fs/cgroup/misc rw,relatime - cgroup cgroup rw,misc
50 27 0:32 /docker/x /var/lib/c/rootfs/sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
51 31 0:32 /sub /sys/fs/cgroup/memory\\040again rw - cgroup cgroup rw,memory
`;

describe("parseMountinfo", () => {
  it("ignores a cgroup mount that a later mount covers (a tmpfs over the unified mount)", () => {
    const covered = `${HYBRID_MOUNTINFO}\n99 31 0:99 / /sys/fs/cgroup/unified rw,relatime - tmpfs none rw\n`;
    const got = parseMountinfo(covered, "/sys/fs/cgroup");
    expect(got.some((h) => h.unified)).toBe(false);
    expect(got.length).toBe(parseMountinfo(HYBRID_MOUNTINFO, "/sys/fs/cgroup").length - 1);
  });

  const hs = parseMountinfo(HYBRID_MOUNTINFO, "/sys/fs/cgroup");

  it("maps every hierarchy under the root, named and comounted ones included", () => {
    expect(hs.map((h) => [h.controllers.join(","), h.mountpoint, h.unified])).toEqual([
      ["cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct", false],
      ["cpuset", "/sys/fs/cgroup/cpuset", false],
      ["memory", "/sys/fs/cgroup/memory", false],
      ["devices", "/sys/fs/cgroup/devices", false],
      ["name=systemd", "/sys/fs/cgroup/systemd", false],
      ["", "/sys/fs/cgroup/unified", true],
      ["net_cls,net_prio", "/sys/fs/cgroup/net_cls,net_prio", false],
      ["misc", "/sys/fs/cgroup/misc", false],
    ]);
  });

  it("ignores cgroup mounts outside the root and a second mount of the same hierarchy", () => {
    expect(hs.filter((h) => h.controllers.includes("memory"))).toHaveLength(1);
    expect(hs.some((h) => h.mountpoint.startsWith("/var/"))).toBe(false);
  });

  it("keeps the mount root and decodes escaped characters", () => {
    const [h] = parseMountinfo("51 31 0:32 /a\\040b /sys/fs/cgroup/mem\\040x rw - cgroup cgroup rw,memory\n");
    expect(h).toEqual({ controllers: ["memory"], unified: false, mountpoint: "/sys/fs/cgroup/mem x", mountRoot: "/a b" });
  });

  it("finds a v2 host's single cgroup2 mount", () => {
    const v2 = parseMountinfo("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
    expect(v2).toEqual([{ controllers: [], unified: true, mountpoint: "/sys/fs/cgroup", mountRoot: "/" }]);
  });
});

describe("parseProcCgroup", () => {
  it("reads v1 lines, named hierarchies and the 0:: line", () => {
    expect(parseProcCgroup("9:name=systemd:/\n4:memory:/process_api/abc\n2:cpuacct,cpu:/x\n0::/\n")).toEqual([
      { hierarchyId: 9, controllers: ["name=systemd"], path: "/" },
      { hierarchyId: 4, controllers: ["memory"], path: "/process_api/abc" },
      { hierarchyId: 2, controllers: ["cpu", "cpuacct"], path: "/x" },
      { hierarchyId: 0, controllers: [], path: "/" },
    ]);
  });

  it("gives each hierarchy the runtime's own path", () => {
    const host = new CgroupHost({
      root: "/sys/fs/cgroup",
      mode: "hybrid",
      mountinfo: HYBRID_MOUNTINFO,
      procSelfCgroup: "5:devices:/d\n4:memory:/process_api/abc\n1:cpu,cpuacct:/c\n0::/u\n",
    });
    const own = (c: string): string | undefined =>
      host.ownPath(host.hierarchies().find((h) => h.controllers.join(",") === c) ?? { controllers: [], unified: true });
    expect(own("memory")).toBe("/process_api/abc");
    expect(own("cpu,cpuacct")).toBe("/c");
    expect(own("")).toBe("/u");
    expect(own("cpuset")).toBeUndefined();
  });
});

describe("mode detection", () => {
  const withUnified = () => parseMountinfo(HYBRID_MOUNTINFO, "/sys/fs/cgroup");
  const v1Only = () => withUnified().filter((h) => !h.unified);

  it("cgroup2 magic is v2 without looking at mountinfo", () => {
    expect(
      modeFromMagic(CGROUP2_SUPER_MAGIC, () => {
        throw new Error("mountinfo read");
      }, "/sys/fs/cgroup"),
    ).toBe("v2");
  });

  it("tmpfs is hybrid with a cgroup2 mount under it, v1 without", () => {
    expect(modeFromMagic(TMPFS_MAGIC, withUnified, "/sys/fs/cgroup")).toBe("hybrid");
    expect(modeFromMagic(TMPFS_MAGIC, v1Only, "/sys/fs/cgroup")).toBe("v1");
  });

  it("anything else is a clear error", () => {
    expect(() => modeFromMagic(0xef53, v1Only, "/x")).toThrow(/no cgroup filesystem at \/x/);
  });

  it("reads mountinfo once per host", () => {
    const host = new CgroupHost({ root: "/sys/fs/cgroup", mode: "hybrid", mountinfo: HYBRID_MOUNTINFO });
    expect(host.hierarchies()).toBe(host.hierarchies());
  });
});

describe("normalizeCgroupsPath", () => {
  it("defaults to <id> relative to the runtime's own cgroup, as runc", () => {
    expect(normalizeCgroupsPath(undefined, "c1")).toEqual({ path: "c1", relative: true, fresh: true });
    expect(normalizeCgroupsPath("", "c1")).toEqual({ path: "c1", relative: true, fresh: true });
    // A path given is joined as runc joins it, existing or not.
    expect(normalizeCgroupsPath("c1", "c1")).toEqual({ path: "c1", relative: true });
    for (const id of ["", ".", "..", "a/b"]) expect(() => normalizeCgroupsPath(undefined, id)).toThrow(/cannot name a cgroup/);
  });

  it("normalizes absolute and relative paths", () => {
    expect(normalizeCgroupsPath("//a/./b//c/", "x")).toEqual({ path: "/a/b/c", relative: false });
    expect(normalizeCgroupsPath("/a/../b", "x")).toEqual({ path: "/b", relative: false });
    expect(normalizeCgroupsPath("a/b/../c", "x")).toEqual({ path: "a/c", relative: true });
  });

  it("refuses '..' that escapes", () => {
    expect(() => normalizeCgroupsPath("/../etc", "x")).toThrow(/escapes the cgroup root/);
    expect(() => normalizeCgroupsPath("/a/../../b", "x")).toThrow(/escapes the cgroup root/);
    expect(() => normalizeCgroupsPath("a/../../b", "x")).toThrow(/escapes the runtime's own cgroup/);
    expect(() => normalizeCgroupsPath("../sibling", "x")).toThrow(RuntsError);
  });

  it("refuses paths that are the root or the runtime's own cgroup", () => {
    expect(() => normalizeCgroupsPath("/", "x")).toThrow(/root cgroup/);
    expect(() => normalizeCgroupsPath("/a/..", "x")).toThrow(/root cgroup/);
    expect(() => normalizeCgroupsPath(".", "x")).toThrow(/own cgroup/);
  });

  it("refuses ids that are not a directory name", () => {
    expect(() => normalizeCgroupsPath(undefined, "../x")).toThrow(/cannot name a cgroup directory/);
    expect(() => normalizeCgroupsPath(undefined, "..")).toThrow(/cannot name a cgroup directory/);
  });

  it("refuses the systemd driver, naming the path", () => {
    try {
      normalizeCgroupsPath("system.slice:runts:c1", "c1", true);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RuntsError);
      const e = err as RuntsError;
      expect(e.message).toMatch(/systemd cgroup driver is not supported/);
      expect(e.message).toContain("system.slice:runts:c1");
      expect(e.context).toEqual({ step: "cgroup path", path: "system.slice:runts:c1" });
      expect(e.toLine()).toContain("system.slice:runts:c1");
    }
    expect(() => normalizeCgroupsPath("/runts/c1", "c1", true)).toThrow(/systemd cgroup driver is not supported.*\/runts\/c1/);
    expect(() => normalizeCgroupsPath(undefined, "c1", true)).toThrow(/systemd cgroup driver is not supported/);
  });

  it("refuses the slice:prefix:name form without the systemd driver too", () => {
    expect(() => normalizeCgroupsPath("system.slice:runts:c1", "c1")).toThrow(/slice:prefix:name/);
  });

  it("createCgroupManager refuses --systemd-cgroup before touching the host", () => {
    expect(() =>
      createCgroupManager({ id: "c1", cgroupsPath: "machine.slice:runts:c1", systemd: true, env: { root: "/nonexistent", mode: "v1", mountinfo: "" } }),
    ).toThrow(/systemd cgroup driver is not supported/);
  });
});

describe("isEmptyResource", () => {
  it("treats absent, zero and empty values as empty", () => {
    for (const v of [undefined, null, 0, "", false, [], {}, { limit: 0 }, { cpus: "", shares: 0 }, [{}], { a: { b: null } }]) {
      expect(isEmptyResource(v), JSON.stringify(v)).toBe(true);
    }
    for (const v of [1, "0-1", true, { limit: 1024 }, [{ pageSize: "2MB", limit: 0 }], { a: { b: -1 } }]) {
      expect(isEmptyResource(v), JSON.stringify(v)).toBe(false);
    }
  });
});
