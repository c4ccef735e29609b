/**
 * Every linux.resources member on scratch trees laid out like a v1, hybrid
 * and v2 host: which files get which values, in which order (the write
 * journal sees every write, across files), what is refused before anything
 * is written, and the stats read back from seeded files.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import type { CgroupManager } from "../../src/cgroups/index.js";
import { cgroupManagerFromState, createCgroupManager, statsJson, toJson } from "../../src/cgroups/index.js";
import { observeWrites } from "../../src/cgroups/fsutil.js";
import type { Scratch, ScratchOptions } from "../../src/cgroups/scratch.js";
import { makeScratch, seedFiles } from "../../src/cgroups/scratch.js";
import { mergeResources, checkResources } from "../../src/cgroups/resources.js";
import { sharesToWeight } from "../../src/cgroups/v2/cpu.js";
import { blkioWeightToIo } from "../../src/cgroups/v2/io.js";
import { deviceFilterHooks } from "../../src/cgroups/v2/devices.js";
import { runDeviceFilter } from "../../src/cgroups/v2/ebpf.js";
import { hostFacts, pageSizeName } from "../../src/cgroups/stats.js";

/** Every scratch tree a test made (some make two): all removed after it. */
let made: Scratch[] = [];
let journal: [string, string][] = [];

const realHugePageSizes = hostFacts.hugePageSizes;

beforeEach(() => {
  // The page sizes of a typical x86-64 host, whatever this one has.
  hostFacts.hugePageSizes = () => ["2MB", "1GB"];
  journal = [];
  observeWrites((path, value) => journal.push([path, value]));
});
afterEach(() => {
  hostFacts.hugePageSizes = realHugePageSizes;
  observeWrites(undefined);
  for (const s of made) s.cleanup();
  made = [];
});

function setup(mode: "v1" | "hybrid" | "v2", opts: ScratchOptions = {}): Scratch {
  const scratch = makeScratch(mode, { prefix: tmpPrefix("cgroups"), ...opts });
  made.push(scratch);
  return scratch;
}

/** The writes since the last call, as [file relative to the latest scratch root, value]. */
function writes(): [string, string][] {
  const root = made.at(-1)?.root ?? "";
  const out = journal.map(([p, v]): [string, string] => [p.slice(root.length + 1), v]);
  journal = [];
  return out;
}

function read(path: string): string {
  return readFileSync(path, "utf8");
}

const UNLIMITED = "9223372036854771712";

function v1Container(mode: "v1" | "hybrid", opts: ScratchOptions = {}): { m: CgroupManager; s: Scratch; dir: (c: string) => string } {
  const s = setup(mode, opts);
  const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
  m.create();
  writes();
  return { m, s, dir: (c: string) => `${s.mount(c)}/runts/c1` };
}

describe.each(["v1", "hybrid"] as const)("%s resources", (mode) => {
  it("apply() of no member at all checks and writes nothing, and records nothing applied", () => {
    const { m } = v1Container(mode);
    // No controller runs at all: the manager's write step is skipped.
    const write = vi.spyOn(m as unknown as { write(r: unknown): void }, "write");
    m.apply({ devices: undefined });
    m.apply(undefined);
    expect(write).not.toHaveBeenCalled();
    expect(writes()).toEqual([]);
    expect(m.toState().resources).toEqual({});
    // With a member, the controllers write (a journal that could see writes).
    m.apply({ pids: { limit: 5 } });
    expect(write).toHaveBeenCalledTimes(1);
    expect(writes()).toEqual([["pids/runts/c1/pids.max", "5"]]);
  });

  it("memory: limit before memory+swap on a fresh cgroup, the other order when memsw must rise first", () => {
    const { m, dir } = v1Container(mode);
    const d = dir("memory");
    seedFiles(d, { "memory.limit_in_bytes": UNLIMITED, "memory.memsw.limit_in_bytes": UNLIMITED });
    m.apply({
      memory: {
        limit: 100 << 20,
        swap: 200 << 20,
        reservation: 50 << 20,
        kernel: 64 << 20,
        kernelTCP: 16 << 20,
        swappiness: 10,
        disableOOMKiller: true,
        useHierarchy: true,
      },
    });
    expect(writes()).toEqual([
      ["memory/runts/c1/memory.limit_in_bytes", String(100 << 20)],
      ["memory/runts/c1/memory.memsw.limit_in_bytes", String(200 << 20)],
      ["memory/runts/c1/memory.soft_limit_in_bytes", String(50 << 20)],
      ["memory/runts/c1/memory.kmem.limit_in_bytes", String(64 << 20)],
      ["memory/runts/c1/memory.kmem.tcp.limit_in_bytes", String(16 << 20)],
      ["memory/runts/c1/memory.use_hierarchy", "1"],
      ["memory/runts/c1/memory.oom_control", "1"],
      ["memory/runts/c1/memory.swappiness", "10"],
    ]);
    // Raising both: the current limit (100M) is below the new memsw, so memsw goes first.
    m.update({ memory: { limit: 300 << 20, swap: 400 << 20 } });
    expect(writes().slice(0, 2)).toEqual([
      ["memory/runts/c1/memory.memsw.limit_in_bytes", String(400 << 20)],
      ["memory/runts/c1/memory.limit_in_bytes", String(300 << 20)],
    ]);
    // Unlimited memory with no swap given: unlimited memsw too, first.
    m.apply({ memory: { limit: -1 } });
    expect(writes()).toEqual([
      ["memory/runts/c1/memory.memsw.limit_in_bytes", "-1"],
      ["memory/runts/c1/memory.limit_in_bytes", "-1"],
    ]);
  });

  it("memory: checkBeforeUpdate refuses a limit below usage; swappiness -1 / 2^64-1 is unset", () => {
    const { m, dir } = v1Container(mode);
    seedFiles(dir("memory"), { "memory.usage_in_bytes": String(50 << 20), "memory.limit_in_bytes": UNLIMITED });
    expect(() => m.apply({ memory: { limit: 10 << 20, checkBeforeUpdate: true } })).toThrow(
      `rejecting memory limit ${10 << 20} <= usage ${50 << 20}`,
    );
    expect(writes()).toEqual([]);
    m.apply({ memory: { swappiness: -1 } });
    m.apply({ memory: { swappiness: 18446744073709551615 } });
    expect(writes()).toEqual([]);
    expect(() => m.apply({ memory: { swappiness: 101 } })).toThrow(/valid range is 0-100/);
  });

  it("cpu: shares, period, burst, quota, idle, realtime; period retried after the quota on EINVAL only", () => {
    const { m, dir } = v1Container(mode);
    seedFiles(`${dir("cpu,cpuacct")}`, { "cpu.cfs_burst_us": "0" });
    m.apply({
      cpu: { shares: 512, period: 50000, quota: 25000, burst: 1000, idle: 0, realtimePeriod: 500000, realtimeRuntime: 1000 },
    });
    const c = "cpu,cpuacct/runts/c1";
    expect(writes()).toEqual([
      [`${c}/cpu.shares`, "512"],
      [`${c}/cpu.cfs_period_us`, "50000"],
      [`${c}/cpu.cfs_burst_us`, "1000"],
      [`${c}/cpu.cfs_quota_us`, "25000"],
      [`${c}/cpu.idle`, "0"],
      [`${c}/cpu.rt_period_us`, "500000"],
      [`${c}/cpu.rt_runtime_us`, "1000"],
    ]);
    // No burst file (older kernel): burst is skipped.
    const { m: m2 } = v1Container(mode);
    m2.apply({ cpu: { burst: 5, quota: -1 } });
    expect(writes()).toEqual([["cpu,cpuacct/runts/c1/cpu.cfs_quota_us", "-1"]]);
  });

  it("cpuset: cpus and mems over the inherited values", () => {
    const { m, dir } = v1Container(mode);
    expect(read(`${dir("cpuset")}/cpuset.cpus`)).toBe("0-3\n");
    m.apply({ cpu: { cpus: "1", mems: "0" } });
    expect(writes()).toEqual([
      ["cpuset/runts/c1/cpuset.cpus", "1"],
      ["cpuset/runts/c1/cpuset.mems", "0"],
    ]);
    expect(() => m.apply({ cpu: { cpus: "one" } })).toThrow(/cpu.cpus must be a list/);
  });

  it("pids: a limit, -1 as max, 0 as not set", () => {
    const { m } = v1Container(mode);
    m.apply({ pids: { limit: 10 } });
    m.apply({ pids: { limit: -1 } });
    m.apply({ pids: { limit: 0 } });
    expect(writes()).toEqual([
      ["pids/runts/c1/pids.max", "10"],
      ["pids/runts/c1/pids.max", "max"],
    ]);
  });

  it("blockIO: BFQ weight files when there is no CFQ one, leaf weights, one throttle line per device", () => {
    const { m, dir } = v1Container(mode, { extraMounts: [["blkio", "rw,blkio"]] });
    m.apply({
      blockIO: {
        weight: 300,
        weightDevice: [{ major: 8, minor: 0, weight: 200 }],
        throttleReadBpsDevice: [
          { major: 8, minor: 0, rate: 1048576 },
          { major: 8, minor: 16, rate: 2097152 },
        ],
        throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 1024 }],
        throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
        throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 50 }],
      },
    });
    const b = "blkio/runts/c1";
    expect(writes()).toEqual([
      [`${b}/blkio.bfq.weight`, "300"],
      [`${b}/blkio.bfq.weight_device`, "8:0 200"],
      [`${b}/blkio.throttle.read_bps_device`, "8:0 1048576"],
      [`${b}/blkio.throttle.read_bps_device`, "8:16 2097152"],
      [`${b}/blkio.throttle.write_bps_device`, "8:0 1024"],
      [`${b}/blkio.throttle.read_iops_device`, "8:0 100"],
      [`${b}/blkio.throttle.write_iops_device`, "8:0 50"],
    ]);
    seedFiles(dir("blkio"), { "blkio.weight": "500" });
    m.apply({ blockIO: { weight: 700, leafWeight: 600, weightDevice: [{ major: 8, minor: 0, leafWeight: 100 }] } });
    expect(writes()).toEqual([
      [`${b}/blkio.weight`, "700"],
      [`${b}/blkio.leaf_weight`, "600"],
      [`${b}/blkio.leaf_weight_device`, "8:0 100"],
    ]);
  });

  it("hugetlb, net_cls, net_prio and rdma where mounted", () => {
    const { m } = v1Container(mode, {
      extraMounts: [
        ["hugetlb", "rw,hugetlb"],
        ["net_cls,net_prio", "rw,net_cls,net_prio"],
        ["rdma", "rw,rdma"],
      ],
    });
    m.apply({
      hugepageLimits: [{ pageSize: "2MB", limit: 4 << 20 }],
      network: { classID: 0x100001, priorities: [{ name: "eth0", priority: 5 }, { name: "lo", priority: 1 }] },
      rdma: { mlx4_0: { hcaHandles: 2, hcaObjects: 2000 }, mlx5_1: { hcaHandles: 3 } },
    });
    expect(writes()).toEqual([
      ["hugetlb/runts/c1/hugetlb.2MB.limit_in_bytes", String(4 << 20)],
      ["net_cls,net_prio/runts/c1/net_cls.classid", String(0x100001)],
      ["net_cls,net_prio/runts/c1/net_prio.ifpriomap", "eth0 5"],
      ["net_cls,net_prio/runts/c1/net_prio.ifpriomap", "lo 1"],
      ["rdma/runts/c1/rdma.max", "mlx4_0 hca_handle=2 hca_object=2000"],
      ["rdma/runts/c1/rdma.max", "mlx5_1 hca_handle=3"],
    ]);
    expect(() => m.apply({ hugepageLimits: [{ pageSize: "3MB", limit: 1 }] })).toThrow(/3MB pages are not supported/);
  });

  it("a value for a controller the host does not mount is an error naming it, before anything is written; defaults pass", () => {
    const { m } = v1Container(mode, { without: ["pids", "memory"] });
    expect(() => m.apply({ cpu: { shares: 100 }, pids: { limit: 5 } })).toThrow(
      "linux.resources.pids.limit needs the pids cgroup controller, which is not mounted on this host",
    );
    expect(() => m.apply({ memory: { limit: 1 << 20 } })).toThrow(/memory.limit needs the memory cgroup controller/);
    expect(() => m.apply({ network: { classID: 7 } })).toThrow(/network.classID needs the net_cls cgroup controller/);
    expect(() => m.apply({ rdma: { mlx4_0: { hcaHandles: 1 } } })).toThrow(/rdma needs the rdma cgroup controller/);
    expect(writes()).toEqual([]);
    // Defaults and "not set" ask nothing of the host.
    m.apply({ pids: { limit: -1 }, memory: { limit: -1, swap: 0, swappiness: -1 }, network: { classID: 0, priorities: [] } });
    expect(writes()).toEqual([]);
  });

  it("reads stats in runc's shape", () => {
    const { m, dir } = v1Container(mode);
    seedFiles(dir("memory"), {
      "memory.stat": "cache 4096\nrss 8192\ntotal_cache 4096",
      "memory.usage_in_bytes": "12288",
      "memory.max_usage_in_bytes": "20480",
      "memory.limit_in_bytes": UNLIMITED,
      "memory.failcnt": "0",
      "memory.memsw.usage_in_bytes": "12288",
      "memory.memsw.limit_in_bytes": UNLIMITED,
      "memory.memsw.max_usage_in_bytes": "20480",
      "memory.memsw.failcnt": "0",
      "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 3",
    });
    seedFiles(dir("pids"), { "pids.current": "4", "pids.max": "max" });
    seedFiles(dir("cpu,cpuacct"), {
      "cpuacct.usage": "123456789",
      "cpuacct.usage_percpu": "100000000 23456789",
      "cpuacct.stat": "user 5\nsystem 7",
      "cpu.stat": "nr_periods 10\nnr_throttled 2\nthrottled_time 3000",
    });
    const j = JSON.parse(toJson(statsJson(m.stats()))) as Record<string, Record<string, unknown>>;
    expect(j.memory).toEqual({
      cache: 4096,
      usage: { limit: Number(UNLIMITED), usage: 12288, max: 20480, failcnt: 0 },
      swap: { limit: Number(UNLIMITED), usage: 12288, max: 20480, failcnt: 0 },
      kernel: { limit: 0, failcnt: 0 },
      kernelTCP: { limit: 0, failcnt: 0 },
      raw: { cache: 4096, rss: 8192, total_cache: 4096 },
    });
    expect(j.pids).toEqual({ current: 4 });
    expect(j.cpu).toEqual({
      usage: { total: 123456789, percpu: [100000000, 23456789], kernel: 70000000, user: 50000000 },
      throttling: { periods: 10, throttledPeriods: 2, throttledTime: 3000 },
    });
    expect(Object.keys(j)).toEqual(["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"]);
    // 64-bit values come out exact, not rounded as a double would print them.
    expect(toJson(statsJson(m.stats()))).toContain(`"limit":${UNLIMITED}`);
    expect(m.oomKillCount()).toBe(3);
  });
});

describe("hybrid: controllers only the unified hierarchy offers", () => {
  it("hugepageLimits go to hugetlb.<size>.max there, after enabling hugetlb down the path", () => {
    const { m, s } = v1Container("hybrid", { v2Controllers: "hugetlb" });
    m.apply({ hugepageLimits: [{ pageSize: "2MB", limit: 2 << 20 }] });
    expect(writes()).toEqual([
      ["unified/cgroup.subtree_control", "+hugetlb"],
      ["unified/runts/cgroup.subtree_control", "+hugetlb"],
      ["unified/runts/c1/hugetlb.2MB.max", String(2 << 20)],
    ]);
    expect(read(`${s.mount("unified")}/runts/c1/hugetlb.2MB.max`)).toBe(`${2 << 20}`);
  });

  it("without it there, hugepageLimits are an error naming hugetlb", () => {
    const { m } = v1Container("hybrid");
    expect(() => m.apply({ hugepageLimits: [{ pageSize: "2MB", limit: 1 }] })).toThrow(
      /hugepageLimits needs the hugetlb cgroup controller/,
    );
    m.apply({ hugepageLimits: [] });
  });
});

function v2Container(opts: ScratchOptions = {}): { m: CgroupManager; s: Scratch; d: string } {
  const s = setup("v2", opts);
  const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
  m.create();
  return { m, s, d: `${s.root}/runts/c1` };
}

describe("v2 resources on a scratch v2 layout", () => {
  it("create enables the host's controllers from the root down to the container's parent", () => {
    v2Container();
    expect(writes()).toEqual([
      ["cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"],
      ["runts/cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids +rdma +misc"],
    ]);
  });

  it("memory: swap.max (memory+swap minus memory) before memory.max, memory.low", () => {
    const { m } = v2Container();
    writes();
    m.apply({ memory: { limit: 100 << 20, swap: 300 << 20, reservation: 10 << 20 } });
    expect(writes()).toEqual([
      ["runts/c1/memory.swap.max", String(200 << 20)],
      ["runts/c1/memory.max", String(100 << 20)],
      ["runts/c1/memory.low", String(10 << 20)],
    ]);
    m.apply({ memory: { limit: 100 << 20, swap: 100 << 20 } });
    expect(writes()).toEqual([
      ["runts/c1/memory.swap.max", "0"],
      ["runts/c1/memory.max", String(100 << 20)],
    ]);
    m.apply({ memory: { limit: -1 } });
    expect(writes()).toEqual([
      ["runts/c1/memory.swap.max", "max"],
      ["runts/c1/memory.max", "max"],
    ]);
  });

  it("memory: refuses what v2 cannot do, before writing", () => {
    const { m } = v2Container();
    writes();
    expect(() => m.apply({ pids: { limit: 3 }, memory: { swap: 1 << 20 } })).toThrow(/without memory limit/);
    expect(() => m.apply({ memory: { limit: 2 << 20, swap: 1 << 20 } })).toThrow(/should be >= memory limit/);
    expect(() => m.apply({ memory: { kernel: 1 << 20 } })).toThrow(/kernel memory limits do not exist on cgroup v2/);
    expect(() => m.apply({ memory: { swappiness: 0 } })).toThrow(/swappiness does not exist/);
    expect(() => m.apply({ memory: { disableOOMKiller: true } })).toThrow(/OOM killer cannot be disabled/);
    expect(writes()).toEqual([]);
  });

  it("memory: checkBeforeUpdate compares with memory.current", () => {
    const { m, d } = v2Container();
    seedFiles(d, { "memory.current": String(8 << 20) });
    writes();
    expect(() => m.update({ memory: { limit: 4 << 20, checkBeforeUpdate: true } })).toThrow(/rejecting memory limit/);
    m.update({ memory: { limit: 16 << 20, checkBeforeUpdate: true } });
    expect(writes()).toEqual([["runts/c1/memory.max", String(16 << 20)]]);
  });

  it("cpu: shares as weight (runc's conversion), cpu.max from quota and period, burst, idle; no realtime", () => {
    expect([2, 1024, 262144].map(sharesToWeight)).toEqual([1, 39, 10000]);
    const { m } = v2Container();
    writes();
    m.apply({ cpu: { shares: 1024, quota: 50000, period: 100000, burst: 10000, idle: 0 } });
    expect(writes()).toEqual([
      ["runts/c1/cpu.weight", "39"],
      ["runts/c1/cpu.idle", "0"],
      ["runts/c1/cpu.max.burst", "10000"],
      ["runts/c1/cpu.max", "50000 100000"],
    ]);
    m.apply({ cpu: { quota: -1 } });
    m.apply({ cpu: { period: 20000 } });
    expect(writes()).toEqual([
      ["runts/c1/cpu.max", "max"],
      ["runts/c1/cpu.max", "max 20000"],
    ]);
    expect(() => m.apply({ cpu: { realtimeRuntime: 1000 } })).toThrow(/realtime scheduling limits do not exist on cgroup v2/);
  });

  it("update merges as runc: a new quota keeps the period given before", () => {
    const { m } = v2Container();
    m.apply({ cpu: { quota: 50000, period: 100000 }, pids: { limit: 10 } });
    writes();
    m.update({ cpu: { quota: 20000 } });
    expect(writes()).toEqual([
      ["runts/c1/pids.max", "10"],
      ["runts/c1/cpu.max", "20000 100000"],
    ]);
    // The merged resources survive state.json.
    const again = cgroupManagerFromState(JSON.parse(JSON.stringify(m.toState())));
    expect(again.toState().resources).toEqual({ cpu: { quota: 20000, period: 100000 }, pids: { limit: 10 } });
    again.update({ pids: { limit: 20 }, memory: { limit: 0 } });
    expect(writes()).toEqual([
      ["runts/c1/pids.max", "20"],
      ["runts/c1/cpu.max", "20000 100000"],
    ]);
  });

  it("cpuset, pids, hugetlb (with rsvd), rdma, and io with the BFQ or the converted io.weight", () => {
    const { m, d } = v2Container();
    writes();
    seedFiles(d, { "hugetlb.2MB.rsvd.max": "max" });
    m.apply({
      cpu: { cpus: "0-1", mems: "0" },
      pids: { limit: -1 },
      hugepageLimits: [
        { pageSize: "2MB", limit: 2 << 20 },
        { pageSize: "1GB", limit: 0 },
      ],
      rdma: { mlx4_0: { hcaObjects: 7 } },
      blockIO: {
        weight: 500,
        weightDevice: [{ major: 8, minor: 0, weight: 100 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 << 20 }],
        throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 30 }],
      },
    });
    expect(blkioWeightToIo(500)).toBe(4950);
    expect(writes()).toEqual([
      ["runts/c1/pids.max", "max"],
      ["runts/c1/io.weight", "4950"],
      ["runts/c1/io.weight", `8:0 ${blkioWeightToIo(100)}`],
      ["runts/c1/io.max", `8:0 rbps=${1 << 20}`],
      ["runts/c1/io.max", "8:16 wiops=30"],
      ["runts/c1/cpuset.cpus", "0-1"],
      ["runts/c1/cpuset.mems", "0"],
      ["runts/c1/hugetlb.2MB.max", String(2 << 20)],
      ["runts/c1/hugetlb.2MB.rsvd.max", String(2 << 20)],
      ["runts/c1/hugetlb.1GB.max", "0"],
      ["runts/c1/rdma.max", "mlx4_0 hca_object=7"],
    ]);
    seedFiles(d, { "io.bfq.weight": "default 100" });
    m.apply({ blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 100 }] } });
    expect(writes()).toEqual([
      ["runts/c1/io.bfq.weight", "500"],
      ["runts/c1/io.bfq.weight", "8:0 100"],
    ]);
    expect(() => m.apply({ blockIO: { leafWeight: 10 } })).toThrow(/leaf weights do not exist on cgroup v2/);
    expect(() => m.apply({ network: { classID: 7 } })).toThrow(/network.classID needs the net_cls cgroup controller, which cgroup v2 does not have/);
    expect(() => m.apply({ network: { priorities: [{ name: "eth0", priority: 1 }] } })).toThrow(/net_prio/);
    m.apply({ network: { classID: 0, priorities: [] } });
  });

  it("unified files go last, one write per line; a controller the host lacks is named", () => {
    const { m } = v2Container({ v2Controllers: "cpu memory pids" });
    writes();
    m.apply({ pids: { limit: 5 }, unified: { "memory.high": "1048576", "pids.max": "7", "cgroup.max.depth": "3" } });
    expect(writes()).toEqual([
      ["runts/c1/pids.max", "5"],
      ["runts/c1/memory.high", "1048576"],
      ["runts/c1/pids.max", "7"],
      ["runts/c1/cgroup.max.depth", "3"],
    ]);
    expect(() => m.apply({ unified: { "io.max": "8:0 rbps=1" } })).toThrow(
      'linux.resources.unified: "io.max" can\'t be set: controller "io" not available',
    );
    expect(() => m.apply({ unified: { "../x.max": "1" } })).toThrow(/must be a file name/);
    expect(() => m.apply({ unified: { nodot: "1" } })).toThrow(/CONTROLLER.PARAMETER/);
    expect(() => m.apply({ blockIO: { weight: 100 } })).toThrow(
      /blockIO.weight needs the io cgroup controller, which is not available/,
    );
    m.apply({ blockIO: { weight: 0, throttleReadBpsDevice: [] } });
    expect(writes()).toEqual([]);
  });

  it("devices: the policy is compiled into an eBPF program and attached to the container's cgroup", () => {
    const { m, d } = v2Container();
    const attached: [string, Buffer][] = [];
    const saved = deviceFilterHooks.attach;
    deviceFilterHooks.attach = (dir, insns) => attached.push([dir, insns]);
    try {
      m.apply({
        devices: [
          { allow: false, access: "rwm" },
          { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
          { allow: true, type: "c", major: 136, access: "rw" },
          { allow: true, type: "b", major: 7, minor: 0, access: "r" },
        ],
      });
    } finally {
      deviceFilterHooks.attach = saved;
    }
    expect(attached.length).toBe(1);
    const [dir, prog] = attached[0] ?? ["", Buffer.alloc(0)];
    expect(dir).toBe(d);
    expect(runDeviceFilter(prog, "c", 1, 3, "rw")).toBe(1);
    expect(runDeviceFilter(prog, "c", 1, 5, "r")).toBe(0);
    expect(runDeviceFilter(prog, "c", 136, 4, "rw")).toBe(1);
    expect(runDeviceFilter(prog, "c", 136, 4, "m")).toBe(0);
    expect(runDeviceFilter(prog, "b", 7, 0, "r")).toBe(1);
    expect(runDeviceFilter(prog, "b", 7, 0, "w")).toBe(0);
    // Devices are not remembered for update.
    expect(m.toState().resources).toEqual({});
    expect(existsSync(`${d}/devices.allow`)).toBe(false);
  });

  it("freezes through cgroup.freeze and reads the state from cgroup.events", () => {
    const { m, d } = v2Container();
    expect(m.freezerState()).toBe("unsupported");
    seedFiles(d, { "cgroup.freeze": "0" });
    expect(m.freezerState()).toBe("THAWED");
    seedFiles(d, { "cgroup.events": "populated 1\nfrozen 1" });
    m.freeze(true);
    expect(read(`${d}/cgroup.freeze`)).toBe("1");
    expect(m.freezerState()).toBe("FROZEN");
    seedFiles(d, { "cgroup.events": "populated 1\nfrozen 0" });
    m.freeze(false);
    expect(m.freezerState()).toBe("THAWED");
    writeFileSync(`${d}/cgroup.kill`, "");
    expect(m.killAll()).toBe(true);
    expect(read(`${d}/cgroup.kill`)).toBe("1");
  });

  it("reads v2 stats: memory (swap reported as memory+swap, as runc), cpu, pids, io, hugetlb", () => {
    const { m, d } = v2Container();
    seedFiles(d, {
      "memory.stat": "anon 8192\nfile 4096",
      "memory.current": "12288",
      "memory.max": "max",
      "memory.peak": "16384",
      "memory.events": "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1",
      "memory.swap.current": "0",
      "memory.swap.max": "max",
      "cpu.stat": "usage_usec 1000\nuser_usec 600\nsystem_usec 400\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7",
      "pids.current": "3",
      "pids.max": "64",
      "io.stat": "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0",
      "hugetlb.2MB.current": "0",
      "hugetlb.2MB.events": "max 4",
    });
    const j = JSON.parse(toJson(statsJson(m.stats()))) as Record<string, unknown>;
    expect(j.memory).toMatchObject({
      cache: 4096,
      usage: { limit: 18446744073709551615, usage: 12288, max: 16384, failcnt: 2 },
      swap: { usage: 12288, failcnt: 0 },
    });
    expect(j.cpu).toEqual({
      usage: { total: 1000000, kernel: 400000, user: 600000 },
      throttling: { periods: 5, throttledPeriods: 1, throttledTime: 7000 },
    });
    expect(j.pids).toEqual({ current: 3, limit: 64 });
    expect(j.blkio).toEqual({
      ioServiceBytesRecursive: [
        { major: 8, op: "Read", value: 4096 },
        { major: 8, op: "Write", value: 8192 },
        { major: 8, op: "Discard" },
      ],
      ioServicedRecursive: [
        { major: 8, op: "Read", value: 1 },
        { major: 8, op: "Write", value: 2 },
        { major: 8, op: "Discard" },
      ],
    });
    expect(j.hugetlb).toMatchObject({ "2MB": { failcnt: 4 } });
    expect(m.oomKillCount()).toBe(1);
  });
});

describe("resource checks and merging", () => {
  it("types every member and refuses bad values by name", () => {
    expect(checkResources({ memory: { limit: null }, cpu: { idle: null }, pids: null })).toEqual({ memory: {}, cpu: {} });
    expect(() => checkResources({ memory: { limit: "1G" } })).toThrow('linux.resources.memory.limit must be an integer >= -1, got "1G"');
    expect(() => checkResources({ cpu: { idle: 2 } })).toThrow(/cpu.idle must be an integer in -1..1/);
    expect(() => checkResources({ blockIO: { throttleReadBpsDevice: [{ major: 8, rate: 1 }] } })).toThrow(
      /throttleReadBpsDevice\[0\].minor is required/,
    );
    expect(() => checkResources({ hugepageLimits: [{ pageSize: "2M", limit: 1 }] })).toThrow(/page size such as/);
    expect(() => checkResources({ network: { priorities: [{ name: "a b", priority: 1 }] } })).toThrow(/interface name/);
  });

  it("merges updates as runc update does", () => {
    const base = checkResources({
      memory: { limit: 100, swap: 200 },
      cpu: { quota: 1, period: 2, cpus: "0" },
      blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] },
      devices: [{ allow: false }],
    });
    const merged = mergeResources(base, {
      memory: { limit: 300, swap: 0 },
      cpu: { period: 5 },
      blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 9 }, { major: 8, minor: 16, rate: 3 }] },
      pids: { limit: 0 },
    });
    expect(merged).toEqual({
      memory: { limit: 300, swap: 200 },
      cpu: { quota: 1, period: 5, cpus: "0" },
      blockIO: {
        throttleReadBpsDevice: [
          { major: 8, minor: 0, rate: 9 },
          { major: 8, minor: 16, rate: 3 },
        ],
      },
    });
  });

  it("names hugepage sizes as the kernel does", () => {
    expect([65536, 2 << 20, 1 << 30, 16 * 2 ** 30].map(pageSizeName)).toEqual(["64KB", "2MB", "1GB", "16GB"]);
  });
});
