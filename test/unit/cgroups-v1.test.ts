import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tmpPrefix } from "../helpers/context.js";
import { RuntsError } from "../../src/errors.js";
import type { CgroupState } from "../../src/cgroups/index.js";
import { cgroupManagerFromState, createCgroupManager } from "../../src/cgroups/index.js";
import type { Scratch, ScratchOptions } from "../../src/cgroups/scratch.js";
import { V1_MOUNTS, destroyOnScratch, makeScratch, subdirNames } from "../../src/cgroups/scratch.js";
import { deviceRuleLines } from "../../src/cgroups/v1/devices.js";
import { mkdirLevels, readProcsRecursive, removeTree } from "../../src/cgroups/fsutil.js";

const V1_DIRS = V1_MOUNTS.map(([name]) => name);

let scratch: Scratch | undefined;
afterEach(() => {
  scratch?.cleanup();
  scratch = undefined;
});

function setup(mode: "v1" | "hybrid", opts: ScratchOptions = {}): Scratch {
  scratch = makeScratch(mode, { prefix: tmpPrefix("cgroups"), ...opts });
  return scratch;
}

function read(path: string): string {
  return readFileSync(path, "utf8");
}

/** The hierarchy of a state by its controllers ("cpu,cpuacct"; "" for the unified one). */
function hierarchyOf(st: CgroupState, controllers: string): CgroupState["hierarchies"][number] | undefined {
  return st.hierarchies.find((h) => h.controllers.join(",") === controllers);
}

describe.each(["v1", "hybrid"] as const)("%s manager on a scratch tree", (mode) => {
  const dirs = mode === "hybrid" ? [...V1_DIRS, "unified"] : V1_DIRS;

  it("creates /runts/<id> in every hierarchy, named and comounted ones included", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    expect(m.mode).toBe(mode);
    expect(m.exists()).toBe(false);
    m.create();
    expect(m.exists()).toBe(true);
    for (const d of dirs) expect(existsSync(`${s.mount(d)}/runts/c1`), d).toBe(true);
    // The comounted hierarchy is one directory, not one per controller.
    expect(readdirSync(s.root).sort()).toEqual([...dirs].sort());
    const st = m.toState();
    expect(st.cgroupsPath).toBe("/runts/c1");
    expect(st.hierarchies.map((h) => h.controllers.join(","))).toEqual([
      "cpu,cpuacct",
      "cpuset",
      "memory",
      "devices",
      "freezer",
      "pids",
      "name=systemd",
      ...(mode === "hybrid" ? [""] : []),
    ]);
    for (const h of st.hierarchies) {
      expect(h.path).toBe("/runts/c1");
      expect(h.base).toBe(h.mountpoint);
      expect(h.created).toEqual([`${h.mountpoint}/runts`, `${h.mountpoint}/runts/c1`]);
      expect(h.unified).toBe(h.controllers.length === 0);
    }
  });

  it("gives every new cpuset level its parent's cpus and mems", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/a/b/c1", env: s.env });
    m.create();
    for (const level of ["a", "a/b", "a/b/c1"]) {
      expect(read(`${s.mount("cpuset")}/${level}/cpuset.cpus`).trim(), level).toBe("0-3");
      expect(read(`${s.mount("cpuset")}/${level}/cpuset.mems`).trim(), level).toBe("0");
    }
    // Only the cpuset hierarchy gets cpuset files.
    expect(existsSync(`${s.mount("memory")}/a/cpuset.cpus`)).toBe(false);
  });

  it("leaves a non-empty existing cpuset level alone", () => {
    const s = setup(mode);
    mkdirSync(`${s.mount("cpuset")}/runts`);
    writeFileSync(`${s.mount("cpuset")}/runts/cpuset.cpus`, "1\n");
    writeFileSync(`${s.mount("cpuset")}/runts/cpuset.mems`, "0\n");
    createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env }).create();
    expect(read(`${s.mount("cpuset")}/runts/cpuset.cpus`)).toBe("1\n");
    expect(read(`${s.mount("cpuset")}/runts/c1/cpuset.cpus`).trim()).toBe("1");
  });

  it("joins a pid in every hierarchy and lists pids from the pids hierarchy, recursively", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    m.join(4242);
    for (const d of dirs) expect(read(`${s.mount(d)}/runts/c1/cgroup.procs`), d).toBe("4242\n");
    mkdirSync(`${s.mount("pids")}/runts/c1/sub`);
    writeFileSync(`${s.mount("pids")}/runts/c1/sub/cgroup.procs`, "77\n4242\n");
    writeFileSync(`${s.mount("memory")}/runts/c1/cgroup.procs`, "999\n");
    expect(m.pids()).toEqual([77, 4242]);
    expect(() => m.join(0)).toThrow(RuntsError);
  });

  it("openJoin opens every cgroup.procs first and moves the process in later, one write each", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    const fds = (): number => readdirSync("/proc/self/fd").length;
    const before = fds();
    const j = m.openJoin();
    expect(fds()).toBe(before + dirs.length);
    for (const d of dirs) expect(read(`${s.mount(d)}/runts/c1/cgroup.procs`), d).toBe("");
    j.join(4242);
    for (const d of dirs) expect(read(`${s.mount(d)}/runts/c1/cgroup.procs`), d).toBe("4242\n");
    expect(() => j.join(-1)).toThrow(RuntsError);
    j.close();
    j.close();
    expect(fds()).toBe(before);
    // Closed means closed: no write lands on a descriptor number used again since.
    expect(() => j.join(4242)).toThrow(/the file is closed/);
    // A hierarchy without the directory: an error naming it, and nothing left open.
    rmSync(`${s.mount("pids")}/runts/c1`, { recursive: true });
    let err: unknown;
    try {
      m.openJoin();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuntsError);
    expect((err as RuntsError).toLine()).toMatch(/^cgroup join \S*\/pids\/runts\/c1\/cgroup\.procs: open failed: no such file or directory$/);
    // A bad pid is named as such before any file is opened.
    expect(() => m.join(0)).toThrow(/not a process id/);
    expect(fds()).toBe(before);
  });

  it("falls back to freezer, then memory, for pids when pids is not mounted", () => {
    const s = setup(mode, { without: ["pids"] });
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    writeFileSync(`${s.mount("freezer")}/runts/c1/cgroup.procs`, "5\n");
    writeFileSync(`${s.mount("memory")}/runts/c1/cgroup.procs`, "6\n");
    expect(m.pids()).toEqual([5]);
  });

  it("pids() of a cgroup that does not exist is empty", () => {
    const s = setup(mode);
    expect(createCgroupManager({ id: "nope", env: s.env }).pids()).toEqual([]);
  });

  it("writes the policy the OCI device list means, one rule per line, into devices.allow/deny", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    m.apply({
      devices: [
        { allow: false, access: "rwm" },
        { allow: true, type: "c", major: 1, minor: 3, access: "rwm" },
        { allow: true, type: "c", major: 136, minor: null, access: "rw" },
        { allow: false, type: "b", major: 8, access: "m" },
        { allow: true, type: "c", major: 5, minor: 2 },
        { allow: true, type: "a", major: 10, minor: 200, access: "rw" },
        { allow: false, type: "c", major: -1, minor: -1, access: "w" },
      ],
    });
    const dir = `${s.mount("devices")}/runts/c1`;
    // Emulated as the kernel (and runc) would: deny-all, then the allow
    // exceptions sorted; denying what is not allowed is a no-op.
    expect(read(`${dir}/devices.deny`)).toBe("a\n");
    expect(read(`${dir}/devices.allow`)).toBe("c 1:3 rwm\nc 5:2 rwm\nb 10:200 rw\nc 10:200 rw\nc 136:* rw\n");
    // Nothing went to any other hierarchy.
    expect(existsSync(`${s.mount("memory")}/runts/c1/devices.allow`)).toBe(false);
  });

  it("refuses invalid device rules before writing any", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    const dir = `${s.mount("devices")}/runts/c1`;
    for (const bad of [
      [{ allow: true, type: "c", major: 1, minor: 3, access: "rwx" }],
      [{ allow: true, type: "p" }],
      [{ allow: true, major: 1.5 }],
      [{ type: "c" }],
      [null],
    ]) {
      expect(() => m.apply({ devices: [{ allow: false }, ...bad] }), JSON.stringify(bad)).toThrow(RuntsError);
    }
    expect(() => m.apply({ devices: "all" })).toThrow(/must be an array/);
    expect(existsSync(`${dir}/devices.deny`)).toBe(false);
    expect(existsSync(`${dir}/devices.allow`)).toBe(false);
  });

  it("refuses unknown members and unified (v2 only), and writes nothing then", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    const devices = [{ allow: false, access: "rwm" }];
    expect(() => m.apply({ devices, memory: { limit: 1 << 20 }, frobnicate: { x: 1 } })).toThrow(
      "linux.resources.frobnicate is not supported",
    );
    expect(() => m.apply({ devices, unified: { "memory.high": "1M" } })).toThrow(/unified needs cgroup v2/);
    expect(existsSync(`${s.mount("devices")}/runts/c1/devices.deny`)).toBe(false);
    expect(existsSync(`${s.mount("memory")}/runts/c1/memory.limit_in_bytes`)).toBe(false);
    // Zero or absent values are "not set", and so write nothing.
    m.apply({ memory: { limit: 0 }, cpu: {}, pids: null, hugepageLimits: [], devices: [], frobnicate: {} });
    m.apply(undefined);
    m.apply({});
    expect(() => m.apply("memory")).toThrow(/must be an object/);
    expect(readdirSync(`${s.mount("memory")}/runts/c1`)).toEqual([]);
  });

  it("refuses device rules when the devices controller is not mounted", () => {
    const s = setup(mode, { without: ["devices"] });
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    expect(() => m.apply({ devices: [{ allow: false }] })).toThrow(/devices cgroup controller, which is not mounted/);
    m.apply({ devices: [] });
  });

  it("destroy removes the levels it created, deepest first, sub-cgroups included", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    m.join(1);
    mkdirSync(`${s.mount("memory")}/runts/c1/nested/deeper`, { recursive: true });
    destroyOnScratch(m);
    for (const d of dirs) expect(subdirNames(s.mount(d)), d).toEqual([]);
    expect(m.exists()).toBe(false);
    expect(m.toState().hierarchies.every((h) => h.created.length === 0)).toBe(true);
    // Destroying again (or a cgroup already gone) is fine.
    m.destroy();
  });

  it("destroy never removes a level it did not create", () => {
    const s = setup(mode);
    // /runts already exists in memory; /runts/c1 already exists in pids.
    mkdirSync(`${s.mount("memory")}/runts`);
    mkdirSync(`${s.mount("pids")}/runts/c1`, { recursive: true });
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/runts/c1", env: s.env });
    m.create();
    const st = m.toState();
    const of = (c: string) => hierarchyOf(st, c);
    expect(of("memory")?.created).toEqual([`${s.mount("memory")}/runts/c1`]);
    expect(of("pids")?.created).toEqual([]);
    destroyOnScratch(m);
    // A parent it found stays (empty or not), a level it made goes ...
    expect(existsSync(`${s.mount("memory")}/runts`)).toBe(true);
    expect(existsSync(`${s.mount("memory")}/runts/c1`)).toBe(false);
    expect(existsSync(`${s.mount("devices")}/runts`)).toBe(false);
    // ... and a container directory it did not make stays, and so its parent.
    expect(existsSync(`${s.mount("pids")}/runts/c1`)).toBe(true);
  });

  it("destroy keeps a shared upper level another container still uses", () => {
    const s = setup(mode);
    const a = createCgroupManager({ id: "a", cgroupsPath: "/runts/a", env: s.env });
    const b = createCgroupManager({ id: "b", cgroupsPath: "/runts/b", env: s.env });
    a.create();
    b.create();
    destroyOnScratch(a);
    for (const d of dirs) {
      expect(existsSync(`${s.mount(d)}/runts/a`), d).toBe(false);
      expect(existsSync(`${s.mount(d)}/runts/b`), d).toBe(true);
    }
    destroyOnScratch(b);
    // a made /runts but could not remove it then; b found it: it stays.
    for (const d of dirs) expect(existsSync(`${s.mount(d)}/runts`), d).toBe(true);
    for (const d of dirs) expect(subdirNames(`${s.mount(d)}/runts`), d).toEqual([]);
  });

  it("places a relative path under the runtime's own cgroup of each v1 hierarchy, under its parent in the unified one", () => {
    const s = setup(mode, { own: { memory: "/process_api/abc", "cpu,cpuacct": "/user/1", unified: "/u" } });
    const m = createCgroupManager({ id: "c1", cgroupsPath: "ctr/c1", env: s.env });
    m.create();
    const st = m.toState();
    expect(st.cgroupsPath).toBe("ctr/c1");
    const of = (c: string) => hierarchyOf(st, c);
    expect(of("memory")).toMatchObject({
      path: "/process_api/abc/ctr/c1",
      dir: `${s.mount("memory")}/process_api/abc/ctr/c1`,
      base: `${s.mount("memory")}/process_api/abc`,
      created: [`${s.mount("memory")}/process_api/abc/ctr`, `${s.mount("memory")}/process_api/abc/ctr/c1`],
    });
    expect(of("cpu,cpuacct")?.dir).toBe(`${s.mount("cpu,cpuacct")}/user/1/ctr/c1`);
    expect(of("devices")?.dir).toBe(`${s.mount("devices")}/ctr/c1`);
    if (mode === "hybrid") expect(of("")?.dir).toBe(`${s.mount("unified")}/ctr/c1`);
    // The new cpuset levels inherit from the runtime's own (root) cpuset.
    expect(read(`${s.mount("cpuset")}/ctr/c1/cpuset.cpus`).trim()).toBe("0-3");
    destroyOnScratch(m);
    expect(readdirSync(`${s.mount("memory")}/process_api/abc`)).toEqual([]);
    expect(existsSync(`${s.mount("cpu,cpuacct")}/user/1`)).toBe(true);
  });

  it("defaults to <id> under the runtime's own cgroup of each hierarchy (as runc): one level, nothing above made or removed", () => {
    const s = setup(mode, { own: { memory: "/process_api/abc", unified: "/u/v" } });
    const m = createCgroupManager({ id: "c1", env: s.env });
    m.create();
    const st = m.toState();
    expect(st.cgroupsPath).toBe("c1");
    const of = (c: string) => hierarchyOf(st, c);
    expect(of("memory")).toMatchObject({
      path: "/process_api/abc/c1",
      dir: `${s.mount("memory")}/process_api/abc/c1`,
      created: [`${s.mount("memory")}/process_api/abc/c1`],
    });
    for (const d of dirs) if (d !== "memory" && d !== "unified") expect(existsSync(`${s.mount(d)}/c1`), d).toBe(true);
    if (mode === "hybrid") expect(of("")).toMatchObject({ path: "/u/c1", dir: `${s.mount("unified")}/u/c1`, created: [`${s.mount("unified")}/u/c1`] });
    expect(read(`${s.mount("cpuset")}/c1/cpuset.cpus`).trim()).toBe("0-3");
    destroyOnScratch(m);
    expect(readdirSync(`${s.mount("memory")}/process_api/abc`)).toEqual([]);
    for (const d of dirs) if (d !== "memory") expect(existsSync(`${s.mount(d)}/c1`), d).toBe(false);
  });

  it("refuses, by default, a container directory that exists already in any hierarchy, and undoes what it made", () => {
    const s = setup(mode, { own: { memory: "/process_api/abc" } });
    // Another tool's cgroup beside runts' own, named like the container, in one hierarchy only.
    mkdirSync(`${s.mount("freezer")}/docker/abc`, { recursive: true });
    const m = createCgroupManager({ id: "docker", env: s.env });
    expect(m.pids()).toEqual([]);
    expect(() => m.create()).toThrow(/cgroup .*\/freezer\/docker exists already, and a container without linux\.cgroupsPath gets a new one/);
    destroyOnScratch(m);
    for (const d of dirs) if (d !== "freezer" && d !== "memory") expect(existsSync(`${s.mount(d)}/docker`), d).toBe(false);
    expect(readdirSync(`${s.mount("memory")}/process_api/abc`)).toEqual([]);
    // Left as it was.
    expect(subdirNames(`${s.mount("freezer")}/docker`)).toEqual(["abc"]);
    // Given as cgroupsPath, an existing (empty) cgroup is joined, as runc does.
    rmSync(`${s.mount("freezer")}/docker/abc`, { recursive: true });
    const given = createCgroupManager({ id: "docker", cgroupsPath: "docker", env: s.env });
    given.create();
    expect(given.toState().hierarchies.find((h) => h.controllers.includes("freezer"))?.created).toEqual([]);
    destroyOnScratch(given);
    expect(existsSync(`${s.mount("freezer")}/docker`)).toBe(true);
  });

  it("says so when the id names a file beside runts' own cgroup", () => {
    const s = setup(mode);
    writeFileSync(`${s.mount("pids")}/pids.max`, "max\n");
    const m = createCgroupManager({ id: "pids.max", env: s.env });
    expect(() => m.create()).toThrow(/cgroup .*\/pids\/pids\.max cannot be made: a file is in the way/);
    destroyOnScratch(m);
    expect(read(`${s.mount("pids")}/pids.max`)).toBe("max\n");
    for (const d of dirs) if (d !== "pids") expect(existsSync(`${s.mount(d)}/pids.max`), d).toBe(false);
  });

  it("refuses a relative path that escapes the runtime's cgroup", () => {
    const s = setup(mode, { own: { memory: "/process_api/abc" } });
    expect(() => createCgroupManager({ id: "c1", cgroupsPath: "x/../../escape", env: s.env })).toThrow(
      /escapes the runtime's own cgroup/,
    );
    expect(readdirSync(`${s.mount("memory")}/process_api`)).toEqual(["abc"]);
  });

  it("round-trips through JSON state and destroys from a rebuilt manager", () => {
    const s = setup(mode);
    const m = createCgroupManager({ id: "c1", cgroupsPath: "/k/c1", env: s.env });
    m.create();
    m.join(31);
    const st = JSON.parse(JSON.stringify(m.toState())) as CgroupState;
    expect(st).toEqual(m.toState());
    const again = cgroupManagerFromState(st);
    expect(again.mode).toBe(mode);
    expect(again.toState()).toEqual(st);
    expect(again.pids()).toEqual([31]);
    again.apply({ devices: [{ allow: false }] });
    expect(read(`${s.mount("devices")}/k/c1/devices.deny`)).toBe("a\n");
    destroyOnScratch(again);
    for (const d of dirs) expect(subdirNames(s.mount(d)), d).toEqual([]);
  });
});

describe("cgroupManagerFromState refuses a state it cannot trust", () => {
  const good = (): CgroupState => ({
    version: 1,
    mode: "v1",
    root: "/sys/fs/cgroup",
    cgroupsPath: "/runts/c1",
    hierarchies: [
      {
        controllers: ["memory"],
        unified: false,
        mountpoint: "/sys/fs/cgroup/memory",
        path: "/runts/c1",
        dir: "/sys/fs/cgroup/memory/runts/c1",
        base: "/sys/fs/cgroup/memory",
        created: ["/sys/fs/cgroup/memory/runts", "/sys/fs/cgroup/memory/runts/c1"],
      },
    ],
  });

  it("accepts a good one", () => {
    expect(cgroupManagerFromState(good()).toState()).toEqual(good());
  });

  it.each([
    ["a created level at the base", (s: CgroupState) => s.hierarchies[0]!.created.unshift("/sys/fs/cgroup/memory")],
    ["a created level outside the base", (s: CgroupState) => (s.hierarchies[0]!.created[0] = "/sys/fs/cgroup/memory2/runts")],
    ["'..' in a path", (s: CgroupState) => (s.hierarchies[0]!.created[0] = "/sys/fs/cgroup/memory/runts/c1/../..")],
    ["a dir outside the root", (s: CgroupState) => (s.hierarchies[0]!.dir = "/etc/x")],
    ["created not ending at dir", (s: CgroupState) => s.hierarchies[0]!.created.pop()],
    ["an unknown version", (s: CgroupState) => ((s as unknown as { version: number }).version = 2)],
    ["a v2 state with v1 hierarchies", (s: CgroupState) => (s.mode = "v2")],
  ])("%s", (_name, spoil) => {
    const s = good();
    spoil(s);
    expect(() => cgroupManagerFromState(s)).toThrow(/invalid cgroup state/);
  });
});

describe("deviceRuleLines", () => {
  it("maps OCI rules to kernel lines", () => {
    const r = (type: string, major: number | null, minor: number | null, access: string) => ({ allow: true, type, major, minor, access });
    expect(deviceRuleLines(r("a", null, null, "rwm"))).toEqual(["a"]);
    expect(deviceRuleLines(r("a", null, null, "r"))).toEqual(["b *:* r", "c *:* r"]);
    expect(deviceRuleLines(r("c", 1, null, "rw"))).toEqual(["c 1:* rw"]);
    expect(deviceRuleLines(r("b", null, 0, "m"))).toEqual(["b *:0 m"]);
  });
});

/** Run `body` with a fresh temporary directory, removed afterwards whatever happens. */
function withTempDir(kind: string, body: (root: string) => void): void {
  const root = mkdtempSync(tmpPrefix(kind));
  try {
    body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe("removeTree", () => {
  it("takes out sub-cgroups first, even once its deadline has passed", () =>
    withTempDir("removetree", (root) => {
      mkdirSync(`${root}/c1/sub/deeper`, { recursive: true });
      mkdirSync(`${root}/c1/other`);
      removeTree(`${root}/c1`, Date.now() - 1, "cgroup destroy");
      expect(existsSync(`${root}/c1`)).toBe(false);
    }));
});

describe("mkdirLevels", () => {
  it("returns only the levels it made, shallowest first", () =>
    withTempDir("mkdirlevels", (root) => {
      const base = `${root}/memory`;
      mkdirSync(base);
      expect(mkdirLevels(base, `${base}/runts/c1`, "cgroup create")).toEqual([`${base}/runts`, `${base}/runts/c1`]);
      // The parent is shared now: a second container makes only its own level.
      expect(mkdirLevels(base, `${base}/runts/c2`, "cgroup create")).toEqual([`${base}/runts/c2`]);
      expect(mkdirLevels(base, `${base}/runts/c2`, "cgroup create")).toEqual([]);
      expect(mkdirLevels(base, `${base}/a/b/c/d`, "cgroup create")).toEqual([`${base}/a`, `${base}/a/b`, `${base}/a/b/c`, `${base}/a/b/c/d`]);
    }));

  it("makes nothing when the base (the cgroup mount) is missing, and says so", () =>
    withTempDir("mkdirlevels", (root) => {
      expect(() => mkdirLevels(`${root}/memory`, `${root}/memory/runts/c1`, "cgroup create")).toThrow(
        /cgroup mount .*\/memory does not exist/,
      );
      expect(readdirSync(root)).toEqual([]);
      expect(() => mkdirLevels(`${root}/memory`, `${root}/other/c1`, "cgroup create")).toThrow(/is not below/);
    }));
});

describe("readProcsRecursive", () => {
  it("finds no pids in a cgroup that does not exist, and the pids of one that does", () =>
    withTempDir("procs", (root) => {
      expect(readProcsRecursive(`${root}/c1`, "cgroup pids")).toEqual([]);
      mkdirSync(`${root}/c1/sub`, { recursive: true });
      writeFileSync(`${root}/c1/cgroup.procs`, "12\n7\n");
      writeFileSync(`${root}/c1/sub/cgroup.procs`, "9\n");
      expect(readProcsRecursive(`${root}/c1`, "cgroup pids")).toEqual([7, 9, 12]);
    }));
});
