/**
 * The cgroup managers against this machine's real cgroup filesystems (root
 * only), below the container level:
 *
 * - the host's own mode (v1 or hybrid here): every resource written and
 *   read back from the kernel's files, refusals naming the controller;
 * - the real cgroup2 mount (/sys/fs/cgroup/unified on a hybrid host, or
 *   /sys/fs/cgroup on a v2 one) driven by a v2 manager: placement, freezing
 *   (cgroup.freeze + cgroup.events), cgroup.kill, hugetlb, and the eBPF
 *   device filter, checked from a process inside the cgroup.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, statfsSync } from "node:fs";
import { CGROUP2_SUPER_MAGIC, sweepCgroupDirs } from "../helpers/cgroups.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CgroupEnv, CgroupManager } from "../../src/cgroups/index.js";
import { createCgroupManager, parseProcCgroup, statsJson, toJson } from "../../src/cgroups/index.js";
import * as libc from "../../src/sys/libc.js";
import { initLibc } from "../../src/sys/libc.js";
import { attachedDevicePrograms } from "../../src/cgroups/v2/bpf.js";
import { isRoot, newContainerId, tmpPrefix } from "../helpers/context.js";

const ROOT = "/sys/fs/cgroup";


/** The cgroup2 mount of this host, if any. */
function cgroup2Mount(): string | undefined {
  try {
    if (statfsSync(ROOT).type === CGROUP2_SUPER_MAGIC) return ROOT;
  } catch {
    return undefined;
  }
  return existsSync(`${ROOT}/unified/cgroup.procs`) ? `${ROOT}/unified` : undefined;
}

function read(path: string): string {
  return readFileSync(path, "utf8").trim();
}

/** A first real block device (major:minor) for the blkio throttle, or undefined. */
function blockDevice(): string | undefined {
  for (const name of readdirSync("/sys/block")) {
    if (/^(loop|ram|zram)/.test(name)) continue;
    try {
      return read(`/sys/block/${name}/dev`);
    } catch {
      // next
    }
  }
  return undefined;
}

interface Proc {
  child: ChildProcess;
  pid: number;
  out: () => string;
  done: Promise<void>;
}

/** A shell that waits for a line on stdin before running `script` (so it can be put in a cgroup first). */
function gatedShell(script: string): Proc {
  const child = spawn("sh", ["-c", `read _; ${script}`], { stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error("sh did not start");
  let text = "";
  child.stdout?.on("data", (b: Buffer) => (text += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (text += b.toString()));
  const done = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return { child, pid: child.pid, out: () => text, done };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)("cgroup managers on this host", () => {
  const children: ChildProcess[] = [];
  const managers: CgroupManager[] = [];
  const ids: string[] = [];
  let tmp = "";

  beforeAll(async () => {
    await initLibc();
    tmp = mkdtempSync(tmpPrefix("cgdev"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function track(cgroupsPath: string, env?: CgroupEnv): CgroupManager {
    const id = newContainerId();
    ids.push(id);
    const m = createCgroupManager({ id, cgroupsPath: cgroupsPath.replace("ID", id), ...(env ? { env } : {}) });
    managers.push(m);
    return m;
  }

  function proc(script: string): Proc {
    const p = gatedShell(script);
    children.push(p.child);
    return p;
  }

  afterEach(async () => {
    for (const c of children.splice(0)) c.kill("SIGKILL");
    await sleep(20);
    for (const m of managers.splice(0)) {
      try {
        if (m.freezerState() !== "THAWED") m.freeze(false);
      } catch {
        // gone
      }
      try {
        m.destroy();
      } catch {
        // swept below
      }
    }
    sweepCgroupDirs(ids.splice(0));
  });

  describe("the host's own mode", () => {
    it("writes memory, cpu, cpuset, pids and blkio values the kernel reads back", () => {
      const m = track("/ID"); // right under the root: its realtime budget is the root's
      m.create();
      const dirOf = (c: string): string => {
        const h = m.toState().hierarchies.find((x) => x.controllers.includes(c));
        if (!h) throw new Error(`no ${c} hierarchy`);
        return h.dir;
      };
      if (m.mode === "v2") return; // covered by the v2 tests below
      const dev = blockDevice();
      m.apply({
        memory: {
          limit: 64 << 20,
          swap: 128 << 20,
          reservation: 32 << 20,
          kernelTCP: 16 << 20,
          swappiness: 10,
          disableOOMKiller: true,
          useHierarchy: true,
        },
        cpu: { shares: 512, quota: 20000, period: 100000, burst: 1000, idle: 0, realtimePeriod: 500000, realtimeRuntime: 10000, cpus: "0", mems: "0" },
        pids: { limit: 20 },
        ...(dev ? { blockIO: { throttleReadBpsDevice: [{ major: Number(dev.split(":")[0]), minor: Number(dev.split(":")[1]), rate: 1 << 20 }] } } : {}),
      });
      const mem = dirOf("memory");
      expect(read(`${mem}/memory.limit_in_bytes`)).toBe(String(64 << 20));
      if (existsSync(`${mem}/memory.memsw.limit_in_bytes`)) expect(read(`${mem}/memory.memsw.limit_in_bytes`)).toBe(String(128 << 20));
      expect(read(`${mem}/memory.soft_limit_in_bytes`)).toBe(String(32 << 20));
      expect(read(`${mem}/memory.kmem.tcp.limit_in_bytes`)).toBe(String(16 << 20));
      expect(read(`${mem}/memory.swappiness`)).toBe("10");
      expect(read(`${mem}/memory.oom_control`)).toMatch(/^oom_kill_disable 1$/m);
      expect(read(`${mem}/memory.use_hierarchy`)).toBe("1");
      const cpu = dirOf("cpu");
      expect(read(`${cpu}/cpu.shares`)).toBe("512");
      expect(read(`${cpu}/cpu.cfs_quota_us`)).toBe("20000");
      expect(read(`${cpu}/cpu.cfs_period_us`)).toBe("100000");
      if (existsSync(`${cpu}/cpu.cfs_burst_us`)) expect(read(`${cpu}/cpu.cfs_burst_us`)).toBe("1000");
      expect(read(`${cpu}/cpu.rt_period_us`)).toBe("500000");
      expect(read(`${cpu}/cpu.rt_runtime_us`)).toBe("10000");
      expect(read(`${dirOf("cpuset")}/cpuset.cpus`)).toBe("0");
      expect(read(`${dirOf("pids")}/pids.max`)).toBe("20");
      if (dev) expect(read(`${dirOf("blkio")}/blkio.throttle.read_bps_device`)).toBe(`${dev} ${1 << 20}`);
      // The weight goes to the CFQ file, or BFQ's where only that exists (this host).
      const blkio = dirOf("blkio");
      const weightFile = existsSync(`${blkio}/blkio.weight`) ? "blkio.weight" : existsSync(`${blkio}/blkio.bfq.weight`) ? "blkio.bfq.weight" : "";
      if (weightFile) {
        m.apply({ blockIO: { weight: 300 } });
        expect(read(`${blkio}/${weightFile}`)).toMatch(/(^|default )300$/);
      } else {
        expect(() => m.apply({ blockIO: { weight: 300 } })).toThrow(/cannot set blkio.bfq.weight: the kernel has no such cgroup file/);
      }

      // Lowering memory below the current memsw and raising it again: the order adapts.
      m.update({ memory: { limit: 256 << 20, swap: 512 << 20 } });
      expect(read(`${mem}/memory.limit_in_bytes`)).toBe(String(256 << 20));
      m.update({ memory: { limit: 32 << 20 } });
      expect(read(`${mem}/memory.limit_in_bytes`)).toBe(String(32 << 20));
      // A quota update keeps the period; pids back to unlimited.
      m.update({ cpu: { quota: 50000 }, pids: { limit: -1 } });
      expect(read(`${cpu}/cpu.cfs_quota_us`)).toBe("50000");
      expect(read(`${cpu}/cpu.cfs_period_us`)).toBe("100000");
      expect(read(`${dirOf("pids")}/pids.max`)).toBe("max");
    });

    it("says which bound the kernel clamped cpu shares to, and names controllers this host lacks", () => {
      const m = track("/runts-ID");
      m.create();
      if (m.mode === "v2") return;
      expect(() => m.apply({ cpu: { shares: 1 } })).toThrow("the minimum allowed cpu-shares is 2");
      const mounted = (c: string): boolean => m.toState().hierarchies.some((h) => h.controllers.includes(c));
      if (!mounted("net_cls")) expect(() => m.apply({ network: { classID: 0x10001 } })).toThrow(/needs the net_cls cgroup controller/);
      if (!mounted("rdma")) expect(() => m.apply({ rdma: { mlx4_0: { hcaHandles: 1 } } })).toThrow(/needs the rdma cgroup controller/);
      expect(() => m.apply({ unified: { "pids.max": "3" } })).toThrow(/unified needs cgroup v2/);
    });

    it("device rules: writes the transition once, and nothing when applied again", () => {
      const m = track("/runts-ID");
      m.create();
      const h = m.toState().hierarchies.find((x) => x.controllers.includes("devices"));
      if (!h) return;
      const devices = [
        { allow: false, access: "rwm" },
        { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
        { allow: true, type: "c", major: 136, access: "rw" },
      ];
      m.apply({ devices });
      expect(read(`${h.dir}/devices.list`)).toBe("c 1:3 rwm\nc 136:* rw");
      m.apply({ devices });
      expect(read(`${h.dir}/devices.list`)).toBe("c 1:3 rwm\nc 136:* rw");
    });

    it("hugepage limits go where the host has hugetlb (the unified mount on this hybrid host)", () => {
      const m = track("/runts-ID");
      m.create();
      const st = m.toState();
      const v1 = st.hierarchies.find((x) => x.controllers.includes("hugetlb"));
      const u = st.hierarchies.find((x) => x.unified);
      const offered = u ? read(`${u.mountpoint}/cgroup.controllers`).split(" ") : [];
      if (!existsSync("/sys/kernel/mm/hugepages/hugepages-2048kB")) return;
      if (!v1 && !offered.includes("hugetlb")) {
        expect(() => m.apply({ hugepageLimits: [{ pageSize: "2MB", limit: 4 << 20 }] })).toThrow(/needs the hugetlb cgroup controller/);
        return;
      }
      m.apply({ hugepageLimits: [{ pageSize: "2MB", limit: 4 << 20 }] });
      if (v1) expect(read(`${v1.dir}/hugetlb.2MB.limit_in_bytes`)).toBe(String(4 << 20));
      else expect(read(`${u?.dir}/hugetlb.2MB.max`)).toBe(String(4 << 20));
      const stats = JSON.parse(toJson(statsJson(m.stats()))) as { hugetlb: Record<string, unknown> };
      // Nothing in the cgroup has used a huge page: runc's events shape, usage and max omitted at 0.
      expect(stats.hugetlb["2MB"]).toEqual({ failcnt: 0 });
    });
  });

  const v2root = cgroup2Mount();
  describe.skipIf(v2root === undefined)(`a v2 manager on the real cgroup2 mount (${v2root})`, () => {
    const env = (): CgroupEnv => ({ root: v2root ?? "", mode: "v2" });

    it("places a process, freezes it (the counter stops), thaws it (it moves again)", async () => {
      const m = track("/ID", env());
      m.create();
      const counter = `${tmp}/counter-${ids.length}`;
      // The file only grows (appends), so its size is a counter that cannot read as empty.
      const p = proc(`while :; do echo x >> ${counter}; done`);
      m.join(p.pid);
      const path = m.toState().hierarchies[0]?.path;
      expect(parseProcCgroup(readFileSync(`/proc/${p.pid}/cgroup`, "utf8")).find((e) => e.hierarchyId === 0)?.path).toBe(path);
      p.child.stdin?.write("\n");
      await sleep(100);
      m.freeze(true);
      expect(m.freezerState()).toBe("FROZEN");
      const a = statSync(counter).size;
      await sleep(200);
      expect(statSync(counter).size).toBe(a);
      m.freeze(false);
      expect(m.freezerState()).toBe("THAWED");
      await sleep(200);
      expect(statSync(counter).size).toBeGreaterThan(a);
    });

    it("cgroup.kill kills every process, frozen ones too", async () => {
      const m = track("/ID", env());
      m.create();
      const a = proc("sleep 1000");
      const b = proc("sleep 1000");
      m.join(a.pid);
      m.join(b.pid);
      m.freeze(true);
      expect(m.killAll()).toBe(true);
      await Promise.all([a.done, b.done]);
      expect(a.child.signalCode).toBe("SIGKILL");
      for (let i = 0; i < 100 && m.pids().length > 0; i++) await sleep(10);
      expect(m.pids()).toEqual([]);
    });

    it("hugetlb: hugetlb.2MB.max is written and read back", () => {
      if (!existsSync("/sys/kernel/mm/hugepages/hugepages-2048kB")) return;
      const m = track("/ID", env());
      m.create();
      const dir = m.toState().hierarchies[0]?.dir ?? "";
      if (!read(`${dir}/cgroup.controllers`).split(" ").includes("hugetlb")) return;
      m.apply({ hugepageLimits: [{ pageSize: "2MB", limit: 6 << 20 }] });
      expect(read(`${dir}/hugetlb.2MB.max`)).toBe(String(6 << 20));
    });

    it("the eBPF device filter allows /dev/null and refuses other devices with EPERM, from inside the cgroup", async () => {
      const m = track("/ID", env());
      m.create();
      // Nodes of our own, so the test does not depend on the host's /dev.
      const nodes = `${tmp}/dev-${ids.length}`;
      const mk = spawn("sh", ["-c", `mkdir -p ${nodes} && mknod ${nodes}/null c 1 3 && mknod ${nodes}/zero c 1 5 && mknod ${nodes}/loop b 7 0`]);
      await new Promise((r) => mk.once("close", r));
      m.apply({
        devices: [
          { allow: false, access: "rwm" },
          { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
        ],
      });
      const p = proc(
        `echo x > ${nodes}/null && echo null-ok; head -c1 ${nodes}/zero >/dev/null 2>&1 || echo zero-denied; ` +
          `(echo x > ${nodes}/loop) 2>&1; (head -c1 ${nodes}/zero) 2>&1`,
      );
      m.join(p.pid);
      p.child.stdin?.write("\n");
      await p.done;
      const out = p.out();
      expect(out).toMatch(/^null-ok\nzero-denied\n/);
      expect(out).toMatch(/loop: Operation not permitted/);
      expect(out).toMatch(/zero' for reading: Operation not permitted/);
      // Replacing the filter keeps one program: now /dev/zero is allowed too.
      m.apply({ devices: [{ allow: false }, { allow: true, type: "c", major: 1, minor: 5, access: "r" }] });
      const q = proc(`[ "$(head -c1 ${nodes}/zero | wc -c)" = 1 ] && echo zero-ok; (echo x > ${nodes}/null) 2>&1`);
      m.join(q.pid);
      q.child.stdin?.write("\n");
      await q.done;
      expect(q.out()).toMatch(/^zero-ok\n.*null: Operation not permitted/s);
      // One filter attached, not two.
      const fd = openSync(m.toState().hierarchies[0]?.dir ?? "", "r");
      try {
        expect(attachedDevicePrograms(libc, fd, "").length).toBe(1);
      } finally {
        closeSync(fd);
      }
    });
  });
});
