import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildPlan, type PlanInput } from "../../src/plan/build.js";
import { cpuList } from "../../src/plan/process.js";
import type { HostView } from "../../src/plan/host.js";
import { deviceCgroupRules } from "../../src/plan/devices.js";
import { parseMountOptions } from "../../src/plan/mounts.js";
import { OPS } from "../../src/plan/ops.js";
import { encodePlan, type Step } from "../../src/plan/plan.js";
import { parseSpec } from "../../src/spec/validate.js";
import type { Spec } from "../../src/spec/schema.js";

const runcSpec = readFileSync(new URL("../fixtures/spec/runc-spec.json", import.meta.url), "utf8");

function spec(mutate?: (raw: Record<string, any>) => void): Spec {
  const raw = JSON.parse(runcSpec) as Record<string, any>;
  mutate?.(raw);
  return parseSpec(JSON.stringify(raw));
}

const ALL_CAPS = (1n << 41n) - 1n;
const CAP_SYS_RESOURCE = 1n << 24n;
const host: HostView = {
  isDir: (p: string) => !p.endsWith(".conf"),
  exists: (p: string) => !p.includes("missing"),
  // Like this CI host: everything but CAP_SYS_RESOURCE.
  capBounding: () => ALL_CAPS & ~CAP_SYS_RESOURCE,
  canRaiseLimits: () => false,
  hardLimit: (r: string) => (r === "RLIMIT_NOFILE" ? 524288n : undefined),
  mountOf: () => "/",
  oomScoreAdj: () => 0,
  apparmorEnabled: () => false,
  selinuxEnabled: () => false,
};

function plan(s: Spec, extra: Partial<PlanInput> = {}) {
  return buildPlan({ spec: s, bundle: "/b", rootfs: "/b/rootfs", execFifo: "/run/runts/x/exec.fifo", host, ...extra });
}

const ops = (steps: Step[]) => steps.map((s) => s.op);
const find = (steps: Step[], op: Step["op"], first?: string) =>
  steps.filter((s) => s.op === op && (first === undefined || s.args[0] === first));

describe("launch plan", () => {
  it("waits for the cgroup limits after the mounts, before device nodes, createContainer hooks and the rest", () => {
    const p = plan(spec((raw) => (raw.hooks = { createContainer: [{ path: "/bin/true" }] })));
    const order = ops(p.steps);
    const limits = p.steps.findIndex((s) => s.op === "SYNC" && s.args[0] === "limits");
    expect(find(p.steps, "SYNC", "limits")).toHaveLength(1);
    expect(order.lastIndexOf("MOUNT")).toBeLessThan(limits);
    expect(limits).toBeLessThan(order.indexOf("MKNOD"));
    expect(limits).toBeLessThan(order.indexOf("HOOK"));
    expect(limits).toBeLessThan(order.indexOf("PIVOT_ROOT"));
    expect(limits).toBeLessThan(order.indexOf("EXEC"));
  });

  it.each([
    ["a device is mounted", { destination: "/data", type: "ext4", source: "/dev/sdz1", options: ["ro"] }],
    ["a path is mounted as a filesystem", { destination: "/data", type: "ext4", source: "/var/lib/disk.img", options: ["loop"] }],
    ["a tmpfs copies up what it covers (device nodes too)", { destination: "/data", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"] }],
  ])("waits for the limits before the first mount that touches devices: %s", (_, mount) => {
    const p = plan(spec((raw) => raw.mounts.splice(1, 0, mount)));
    const order = ops(p.steps);
    const limits = p.steps.findIndex((s) => s.op === "SYNC" && s.args[0] === "limits");
    expect(find(p.steps, "SYNC", "limits")).toHaveLength(1);
    // The first mount (proc) before it, the one that touches devices right after it.
    expect(limits).toBeGreaterThan(order.indexOf("MOUNT"));
    const target = p.steps.slice(limits + 1).find((s) => s.args.includes("/data"));
    expect(target, "the /data mount comes after the limits").toBeDefined();
    expect(p.steps.slice(0, limits).some((s) => s.args.includes("/data"))).toBe(false);
  });

  it("orders host steps, clone, sync, rootfs, pivot, process setup and exec", () => {
    const p = plan(spec());
    const order = ops(p.steps);
    const idx = (op: Step["op"]) => order.indexOf(op);
    expect(order[0]).toBe("OPEN_FIFO");
    // The container process first waits to be put into its cgroup; no id maps or hooks: no "ready" stage.
    expect(p.steps[idx("CLONE") + 1]).toEqual({ op: "SYNC", args: ["cgroup"] });
    // runts answers it once the process is in its cgroup, which only works if nothing before the clone syncs.
    expect(p.cgroupSync).toBe(true);
    expect(order.slice(0, idx("CLONE"))).not.toContain("SYNC");
    expect(find(p.steps, "SYNC", "ready")).toEqual([]);
    expect(idx("CLONE")).toBeLessThan(idx("MOUNT_HOST"));
    expect(idx("OPEN_ROOT")).toBeLessThan(idx("MOUNT"));
    expect(idx("MOUNT")).toBeLessThan(idx("PIVOT_ROOT"));
    expect(idx("PIVOT_ROOT")).toBeLessThan(idx("HOSTNAME"));
    expect(idx("SET_IDS")).toBeLessThan(idx("CAPS"));
    expect(idx("CAPS")).toBeLessThan(idx("LOOKUP"));
    expect(order.slice(-3)).toEqual(["LOOKUP", "WAIT_START", "EXEC"]);
  });

  it("clones new namespaces with one flag set and joins path namespaces, user first", () => {
    const p = plan(
      spec((c) => {
        c.linux.namespaces = [
          { type: "pid" },
          { type: "network", path: "/proc/1/ns/net" },
          { type: "mount" },
          { type: "uts" },
          { type: "user", path: "/proc/1/ns/user" },
        ];
      }),
    );
    expect(find(p.steps, "SETNS").map((s) => s.args)).toEqual([
      ["0x10000000", "/proc/1/ns/user"],
      ["0x40000000", "/proc/1/ns/net"],
    ]);
    // pid | mount | uts
    expect(find(p.steps, "CLONE")[0]?.args).toEqual([`0x${(0x20000000 | 0x20000 | 0x04000000).toString(16)}`]);
    expect(p.userns).toBeUndefined();
  });

  it("asks runts for id maps and becomes root inside a new user namespace", () => {
    const p = plan(
      spec((c) => {
        c.linux.namespaces.push({ type: "user" });
        c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      }),
    );
    expect(p.userns?.uidMappings).toEqual([{ containerID: 0, hostID: 100000, size: 65536 }]);
    const order = ops(p.steps);
    expect(order.indexOf("SET_IDS")).toBe(p.steps.findIndex((s) => s.op === "SYNC" && s.args[0] === "ready") + 1);
    // Devices are bound from the host: mknod is not allowed in a user namespace.
    expect(find(p.steps, "MKNOD")).toEqual([]);
    expect(find(p.steps, "MOUNT", "/dev/null")[0]?.args.slice(0, 4)).toEqual(["/dev/null", "/dev/null", "", "0x1000"]);
  });

  it("creates the cgroup namespace after the cgroup is joined, and time offsets before clone", () => {
    const p = plan(
      spec((c) => {
        c.linux.namespaces.push({ type: "cgroup" }, { type: "time" });
        c.linux.timeOffsets = { monotonic: { secs: 86400, nanosecs: 0 } };
      }),
    );
    const order = ops(p.steps);
    const unshares = find(p.steps, "UNSHARE").map((s) => s.args[0]);
    expect(unshares).toEqual(["0x80", "0x2000000"]);
    expect(find(p.steps, "WRITE_FILE")[0]?.args).toEqual(["/proc/self/timens_offsets", "monotonic 86400 0\n"]);
    expect(order.indexOf("WRITE_FILE")).toBeLessThan(order.indexOf("CLONE"));
    // Once runts has put the process into its cgroup (the cgroup sync): the namespace is rooted there.
    expect(order.indexOf("SYNC")).toBe(order.indexOf("CLONE") + 1);
    expect(order.lastIndexOf("UNSHARE")).toBeGreaterThan(order.indexOf("SYNC"));
  });

  it("mounts with runc's flags: proc, tmpfs data, bind with remount flags", () => {
    const p = plan(
      spec((c) => {
        c.mounts.push({ destination: "/etc/resolv.conf", type: "bind", source: "/etc/resolv.conf", options: ["rbind", "ro", "nosuid", "rprivate"] });
        c.mounts.push({ destination: "/data", source: "data", options: ["bind"] });
      }),
    );
    expect(find(p.steps, "MOUNT", "proc")[0]?.args).toEqual(["proc", "/proc", "proc", "0x0", "", "0", "0x0"]);
    expect(find(p.steps, "MOUNT", "tmpfs")[0]?.args).toEqual(["tmpfs", "/dev", "tmpfs", "0x1000002", "mode=755,size=65536k", "0", "0x0"]);
    // rbind: MS_BIND|MS_REC, then remount ro|nosuid, then rprivate.
    expect(find(p.steps, "MOUNT", "/etc/resolv.conf")[0]?.args).toEqual([
      "/etc/resolv.conf", "/etc/resolv.conf", "", "0x5000", "", "0x3", `0x${(0x40000 | 0x4000).toString(16)}`,
    ]);
    // A file source gets a file to mount on; a relative source is under the bundle.
    expect(find(p.steps, "MKFILE", "/etc/resolv.conf")).toHaveLength(1);
    expect(find(p.steps, "MOUNT", "/b/data")[0]?.args[1]).toBe("/data");
    expect(find(p.steps, "MKDIR", "/data")).toHaveLength(1);
  });

  it("normalises destinations so .. cannot climb out of the root", () => {
    const p = plan(spec((c) => c.mounts.push({ destination: "/../../etc/x", type: "tmpfs", source: "tmpfs" })));
    expect(find(p.steps, "MOUNT", "tmpfs").map((s) => s.args[1])).toContain("/etc/x");
  });

  it("refuses what it cannot honour, naming the field", () => {
    expect(() => plan(spec((c) => c.mounts.push({ destination: "/x", type: "bind", source: "/missing" })))).toThrow(
      "config.json: mounts[7].source: /missing does not exist",
    );
    expect(() => plan(spec((c) => c.mounts.push({ destination: "/x", type: "bind", source: "/srv", options: ["rbind", "idmap"] })))).toThrow(
      "config.json: mounts[7]: an idmapped mount needs uidMappings and gidMappings",
    );
    expect(() => plan(spec((c) => c.mounts.push({ destination: "/x", type: "proc", source: "proc", options: ["tmpcopyup"] })))).toThrow(
      "config.json: mounts[7]: tmpcopyup needs a tmpfs mount",
    );
    expect(() => plan(spec((c) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== "mount"))))).toThrow(
      "config.json: linux.namespaces: runts needs a mount namespace to set up the root filesystem",
    );
    expect(() => plan(spec((c) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== "uts"))))).toThrow(
      "config.json: hostname: unable to set hostname without a private UTS namespace",
    );
    expect(() => plan(spec((c) => c.process.capabilities.bounding.push("CAP_NOPE")))).toThrow(
      'config.json: process.capabilities.bounding: unknown capability "CAP_NOPE"',
    );
    expect(() => plan(spec((c) => (c.linux.devices = [{ path: "/etc/x", type: "c", major: 1, minor: 3 }])))).toThrow(
      "config.json: linux.devices: /etc/x: device paths must be under /dev",
    );
  });

  it("creates default devices and links, masks and read-only paths, root read-only", () => {
    const p = plan(spec());
    expect(find(p.steps, "MKNOD").map((s) => s.args[0])).toEqual([
      "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
    ]);
    // char device 1:3, mode 0666
    expect(find(p.steps, "MKNOD", "/dev/null")[0]?.args).toEqual(["/dev/null", "020666", "259", "0", "0"]);
    expect(find(p.steps, "SYMLINK").map((s) => s.args[1])).toContain("/dev/ptmx");
    expect(find(p.steps, "MASK").map((s) => s.args[0])).toContain("/proc/kcore");
    expect(find(p.steps, "READONLY").map((s) => s.args[0])).toContain("/proc/sys");
    expect(find(p.steps, "REMOUNT", "/")[0]?.args).toEqual(["/", "0x1"]);
  });

  it("sets the process up: rlimits, ids, caps, umask, cwd, nnp, exec with env", () => {
    const p = plan(
      spec((c) => {
        c.process.user = { uid: 1000, gid: 1000, additionalGids: [5, 6], umask: 0o077 };
        c.process.args = ["sh", "-c", "true"];
        c.process.cwd = "/home/u";
      }),
    );
    expect(find(p.steps, "RLIMIT")[0]?.args).toEqual(["7", "1024", "1024", "RLIMIT_NOFILE"]);
    expect(find(p.steps, "SET_IDS").at(-1)?.args).toEqual(["1000", "1000", "5", "6"]);
    // bounding AUDIT_WRITE(29) KILL(5) NET_BIND_SERVICE(10); ambient needs inheritable too: none raised.
    expect(find(p.steps, "CAPS")[0]?.args).toEqual(["0x20000420", "0x20000420", "0x20000420", "0x0", "0x0"]);
    expect(p.notes[0]?.message).toMatch(/ambient capabilities .* not raised: CAP_AUDIT_WRITE/);
    expect(find(p.steps, "UMASK")[0]?.args).toEqual(["077"]);
    expect(find(p.steps, "MKDIR", "/home/u")).toHaveLength(1);
    expect(find(p.steps, "CHDIR")[0]?.args).toEqual(["/home/u"]);
    expect(find(p.steps, "NO_NEW_PRIVS")).toHaveLength(1);
    expect(find(p.steps, "LOOKUP")[0]?.args).toEqual(["sh", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    expect(find(p.steps, "EXEC")[0]?.args).toEqual(["3", "sh", "-c", "true", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"]);
  });

  it("gives the pty to the console socket when there is one", () => {
    const withSocket = plan(spec((c) => (c.process.terminal = true)), { consoleSocket: "/tmp/cs.sock" });
    expect(withSocket.steps[0]).toEqual({ op: "CONSOLE_SOCKET", args: ["/tmp/cs.sock"] });
    expect(find(withSocket.steps, "TTY")).toHaveLength(1);
    expect(find(withSocket.steps, "MKFILE", "/dev/console")).toHaveLength(1);
    const noTerminal = plan(spec((c) => (c.process.terminal = false)), { consoleSocket: "/tmp/cs.sock" });
    expect(find(noTerminal.steps, "CONSOLE_SOCKET")).toEqual([]);
  });

  it("joins a session keyring of its own when given one, after the ready stage", () => {
    expect(find(plan(spec()).steps, "KEYRING")).toEqual([]);
    const p = plan(spec(), { sessionKeyring: "_ses.abc" });
    expect(find(p.steps, "KEYRING")[0]?.args).toEqual(["_ses.abc"]);
    expect(ops(p.steps).indexOf("KEYRING")).toBeGreaterThan(ops(p.steps).indexOf("CLONE"));
  });

  it("passes socket-activation environment to the process", () => {
    const p = plan(spec(), { preserveFds: 2, extraEnv: ["LISTEN_FDS=2", "LISTEN_PID=1"] });
    expect(find(p.steps, "PRESERVE_FDS")[0]?.args).toEqual(["2"]);
    expect(find(p.steps, "EXEC")[0]?.args.slice(-2)).toEqual(["LISTEN_FDS=2", "LISTEN_PID=1"]);
  });

  it("connects the pidfd socket before clone, in the host's namespaces", () => {
    const p = plan(spec(), { pidfdSocket: "/run/x/pidfd.sock" });
    expect(p.steps[0]).toEqual({ op: "PIDFD_SOCKET", args: ["/run/x/pidfd.sock"] });
  });

  it("keeps rshared both ways: / rshared, only the rootfs' parent mount made private for pivot_root", () => {
    const p = plan(spec((c) => (c.linux.rootfsPropagation = "rshared")), { host: { ...host, mountOf: () => "/srv" } });
    const hostMounts = find(p.steps, "MOUNT_HOST").map((s) => s.args.slice(1, 4));
    expect(hostMounts.slice(0, 2)).toEqual([
      ["/", "", `0x${(0x100000 | 0x4000).toString(16)}`],
      ["/srv", "", `0x${(0x40000).toString(16)}`],
    ]);
    // ... and the new root gets it again after the pivot.
    expect(hostMounts).toHaveLength(4);
    expect(hostMounts[3]).toEqual(["/", "", `0x${(0x100000 | 0x4000).toString(16)}`]);
  });

  it("makes the new root unbindable after the pivot, since the rootfs is bound from / first", () => {
    const p = plan(spec((c) => (c.linux.rootfsPropagation = "runbindable")));
    const order = ops(p.steps);
    expect(find(p.steps, "MOUNT_HOST")[0]?.args[3]).toBe(`0x${(0x80000 | 0x4000).toString(16)}`);
    expect(order.lastIndexOf("MOUNT_HOST")).toBeGreaterThan(order.indexOf("PIVOT_ROOT"));
    expect(find(p.steps, "MOUNT_HOST").at(-1)?.args[3]).toBe(`0x${(0x20000 | 0x4000).toString(16)}`);
  });

  it("refuses an oomScoreAdj below the runtime's own without CAP_SYS_RESOURCE", () => {
    expect(() => plan(spec((c) => (c.process.oomScoreAdj = -250)))).toThrow(
      "config.json: process.oomScoreAdj: -250 is below the runtime's own oom_score_adj 0, and lowering it needs CAP_SYS_RESOURCE, which runts does not hold on this host",
    );
    expect(plan(spec((c) => (c.process.oomScoreAdj = 500))).oomScoreAdj).toBe(500);
  });

  it("uses MS_MOVE + chroot with --no-pivot", () => {
    const p = plan(spec(), { noPivot: true });
    expect(find(p.steps, "PIVOT_ROOT")).toEqual([]);
    expect(find(p.steps, "MOVE_ROOT")).toHaveLength(1);
  });

  it("shows the container's own cgroups under a cgroup mount", () => {
    const p = plan(
      spec((c) => {
        c.mounts = c.mounts.filter((m: any) => m.type !== "cgroup");
        c.mounts.push({ destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid"] });
      }),
      {
        cgroupMounts: [
          { name: "cpu,cpuacct", hostPath: "/sys/fs/cgroup/cpu,cpuacct/runts/x" },
          { name: "memory", hostPath: "/sys/fs/cgroup/memory/runts/x" },
        ],
      },
    );
    expect(find(p.steps, "MOUNT", "/sys/fs/cgroup/memory/runts/x")[0]?.args.slice(1)).toEqual([
      "/sys/fs/cgroup/memory", "", "0x1000", "", "0x3", "0",
    ]);
    expect(find(p.steps, "SYMLINK", "cpu,cpuacct").map((s) => s.args[1])).toEqual(["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct"]);
    expect(find(p.steps, "REMOUNT", "/sys/fs/cgroup")[0]?.args).toEqual(["/sys/fs/cgroup", "0x3"]);
  });
});

describe("the rest of the config", () => {
  it("applies recursive mount options with mount_setattr after the mount", () => {
    const p = plan(spec((c) => c.mounts.push({ destination: "/data", type: "bind", source: "/srv", options: ["rbind", "rro"] })));
    const order = p.steps.filter((s) => s.args.includes("/data")).map((s) => s.op);
    expect(order).toEqual(["MKDIR", "MOUNT", "MOUNT_SETATTR"]);
    expect(find(p.steps, "MOUNT_SETATTR", "/data")[0]?.args).toEqual(["/data", "0x1", "0x0", "0"]);
  });

  it("copies what a tmpcopyup tmpfs covers into it, then makes it read-only if asked", () => {
    const p = plan(spec((c) => c.mounts.push({ destination: "/etc", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "ro", "nosuid"] })));
    const steps = p.steps.filter((s) => s.args.includes("/etc"));
    expect(steps.map((s) => s.op)).toEqual(["MKDIR", "COPYUP", "MOUNT", "COPYUP_DONE", "REMOUNT"]);
    expect(steps[2]?.args.slice(2, 5)).toEqual(["tmpfs", "0x2", ""]);
    expect(steps[4]?.args).toEqual(["/etc", "0x3"]);
  });

  it("attaches an idmapped bind mount through the user namespace runts prepared", () => {
    const p = plan(
      spec((c) =>
        c.mounts.push({
          destination: "/data",
          type: "bind",
          source: "/srv",
          options: ["rbind", "ro"],
          uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
          gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
        }),
      ),
      { idmapUserns: new Map([[7, "/proc/42/ns/user"]]) },
    );
    const steps = p.steps.filter((s) => s.args.includes("/data"));
    expect(steps.map((s) => s.op)).toEqual(["MKDIR", "IDMAP_MOUNT", "REMOUNT"]);
    expect(steps[1]?.args).toEqual(["/srv", "/data", "/proc/42/ns/user", "1"]);
  });

  it("writes namespaced sysctls after the pivot and before the read-only paths", () => {
    const p = plan(spec((c) => (c.linux.sysctl = { "net.ipv4.ip_forward": "1", "kernel.shmmax": "65536", "fs.mqueue.msg_max": "20" })));
    expect(find(p.steps, "SYSCTL").map((s) => s.args)).toEqual([
      ["/proc/sys/net/ipv4/ip_forward", "1"],
      ["/proc/sys/kernel/shmmax", "65536"],
      ["/proc/sys/fs/mqueue/msg_max", "20"],
    ]);
    const order = ops(p.steps);
    expect(order.indexOf("SYSCTL")).toBeGreaterThan(order.indexOf("PIVOT_ROOT"));
    expect(order.indexOf("SYSCTL")).toBeLessThan(order.indexOf("READONLY"));
  });

  it("refuses sysctls the container does not own", () => {
    const noNet = (c: Record<string, any>) => (c.linux.namespaces = c.linux.namespaces.filter((n: any) => n.type !== "network"));
    expect(() => plan(spec((c) => { noNet(c); c.linux.sysctl = { "net.ipv4.ip_forward": "1" }; }))).toThrow(
      'config.json: linux.sysctl["net.ipv4.ip_forward"]: a network sysctl needs the container to have its own network namespace',
    );
    expect(() => plan(spec((c) => (c.linux.sysctl = { "kernel.hostname": "x" })))).toThrow(
      'config.json: linux.sysctl["kernel.hostname"]: set the hostname field of config.json instead',
    );
    expect(() => plan(spec((c) => (c.linux.sysctl = { "vm.swappiness": "10" })))).toThrow(
      'config.json: linux.sysctl["vm.swappiness"]: not a namespaced sysctl: it would change the host',
    );
    expect(() => plan(spec((c) => (c.linux.sysctl = { "net/../../kernel/x": "1" })))).toThrow("not a sysctl name");
  });

  it("names a limit the runtime cannot raise without CAP_SYS_RESOURCE", () => {
    expect(() => plan(spec((c) => (c.process.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1048576, hard: 1048576 }])))).toThrow(
      "config.json: process.rlimits[0]: RLIMIT_NOFILE hard limit 1048576 is above the runtime's own hard limit 524288, " +
        "and raising it needs CAP_SYS_RESOURCE, which runts does not hold on this host",
    );
    expect(() => plan(spec((c) => (c.process.rlimits = [{ type: "RLIMIT_CORE", soft: 10, hard: 5 }])))).toThrow(
      "config.json: process.rlimits[0]: RLIMIT_CORE soft limit 10 is above its hard limit 5",
    );
    const unlimited = plan(spec((c) => (c.process.rlimits = [{ type: "RLIMIT_CORE", soft: 18446744073709551615, hard: 18446744073709551615 }])));
    expect(find(unlimited.steps, "RLIMIT")[0]?.args).toEqual(["4", "18446744073709551615", "18446744073709551615", "RLIMIT_CORE"]);
  });

  it("drops capabilities the runtime does not hold, with a warning", () => {
    const p = plan(spec((c) => c.process.capabilities.bounding.push("CAP_SYS_RESOURCE", "CAP_SYS_ADMIN")));
    expect(BigInt(find(p.steps, "CAPS")[0]?.args[0] ?? "0") & CAP_SYS_RESOURCE).toBe(0n);
    expect(BigInt(find(p.steps, "CAPS")[0]?.args[0] ?? "0") & (1n << 21n)).toBe(1n << 21n);
    expect(p.notes).toContainEqual({ level: "warning", message: "capabilities the runtime does not hold are dropped: CAP_SYS_RESOURCE" });
  });

  it("plans scheduler, I/O priority, personality and CPU affinity", () => {
    const p = plan(
      spec((c) => {
        c.process.scheduler = { policy: "SCHED_BATCH", nice: -5, flags: ["SCHED_FLAG_RESET_ON_FORK"] };
        c.process.ioPriority = { class: "IOPRIO_CLASS_IDLE", priority: 7 };
        c.process.execCPUAffinity = { initial: "0", final: "0-1" };
        c.linux.personality = { domain: "LINUX32" };
      }),
    );
    expect(find(p.steps, "SCHEDULER")[0]?.args).toEqual(["3", "0x1", "-5", "0", "0", "0", "0", "process.scheduler SCHED_BATCH"]);
    expect(find(p.steps, "IOPRIO")[0]?.args).toEqual([String((3 << 13) | 7)]);
    expect(find(p.steps, "PERSONALITY")[0]?.args).toEqual(["0x8"]);
    expect(find(p.steps, "AFFINITY").map((s) => s.args)).toEqual([["0"], ["0", "1"]]);
    const order = ops(p.steps);
    // Right after the cgroup's resources are set (the cpuset first, then the affinity within it).
    expect(order.indexOf("AFFINITY")).toBe(order.indexOf("CLONE") + 2);
    expect(order.indexOf("SCHEDULER")).toBeLessThan(order.indexOf("CAPS"));
    expect(cpuList("0-2,5", "f")).toEqual(["0", "1", "2", "5"]);
    expect(() => cpuList("3-1", "f")).toThrow('config.json: f: bad CPU list "3-1"');
  });

  it("has a ready stage only for id maps and runtime-namespace hooks", () => {
    const has = (s: Spec) => find(plan(s).steps, "SYNC", "ready").length > 0;
    expect(has(spec())).toBe(false);
    expect(has(spec((c) => (c.hooks = { createRuntime: [{ path: "/bin/true" }] })))).toBe(true);
    expect(has(spec((c) => (c.hooks = { prestart: [{ path: "/bin/true" }] })))).toBe(true);
    expect(has(spec((c) => (c.hooks = { poststart: [{ path: "/bin/true" }] })))).toBe(false);
  });

  it("runs container-side hooks from the plan: createContainer before the pivot, startContainer after start", () => {
    const p = plan(
      spec((c) => {
        c.hooks = {
          createContainer: [{ path: "/bin/cc", args: ["cc", "-x"], env: ["A=1"], timeout: 5 }],
          startContainer: [{ path: "/bin/sc" }],
        };
      }),
    );
    expect(p.hookStates).toBe(true);
    expect(find(p.steps, "HOOK").map((s) => s.args)).toEqual([
      ["0", "5", "/bin/cc", "2", "cc", "-x", "A=1"],
      ["1", "0", "/bin/sc", "1", "/bin/sc"],
    ]);
    const order = ops(p.steps);
    expect(order.indexOf("HOOK")).toBeLessThan(order.indexOf("PIVOT_ROOT"));
    expect(order.lastIndexOf("HOOK")).toBe(order.indexOf("WAIT_START") + 1);
  });

  it("refuses security labels the host cannot apply", () => {
    expect(() => plan(spec((c) => (c.process.apparmorProfile = "docker-default")))).toThrow(
      "config.json: process.apparmorProfile: AppArmor is not enabled on this host",
    );
    expect(() => plan(spec((c) => (c.process.selinuxLabel = "system_u:system_r:container_t:s0")))).toThrow(
      "config.json: process.selinuxLabel: SELinux is not enabled on this host",
    );
    const withAppArmor = buildPlan({
      spec: spec((c) => (c.process.apparmorProfile = "docker-default")),
      bundle: "/b",
      rootfs: "/b/rootfs",
      execFifo: "/f",
      host: { ...host, apparmorEnabled: () => true },
    });
    expect(find(withAppArmor.steps, "WRITE_FILE", "/proc/self/attr/apparmor/exec")[0]?.args[1]).toBe("exec docker-default");
  });
});

describe("device cgroup rules", () => {
  it("puts the config's rules first and runc's defaults last; a listed device gets no extra access", () => {
    const rules = deviceCgroupRules(spec((c) => (c.linux.devices = [{ path: "/dev/fuse", type: "c", major: 10, minor: 229 }])));
    expect(rules[0]).toEqual({ allow: false, access: "rwm" });
    expect(rules[1]).toEqual({ allow: true, type: "c", major: null, minor: null, access: "m" });
    expect(rules.some((r) => r.major === 10 && r.minor === 229)).toBe(false);
    expect(rules.some((r) => r.major === 1 && r.minor === 3 && r.access === "rwm")).toBe(true);
  });
});

describe("mount options", () => {
  it("sets and clears flags, keeps unknown ones as data", () => {
    expect(parseMountOptions(["ro", "rw", "nosuid", "size=1m", "rshared"])).toEqual({
      flags: 2,
      recursiveSet: 0,
      recursiveClear: 0,
      propagation: 0x100000 | 0x4000,
      data: "size=1m",
      tmpcopyup: false,
      idmap: "",
    });
  });

  it("turns recursive options into mount_setattr attributes, the last one winning", () => {
    const o = parseMountOptions(["rro", "rnosuid", "rnoatime", "rrw"]);
    expect({ set: o.recursiveSet, clear: o.recursiveClear }).toEqual({ set: 0x2 | 0x10, clear: 0x70 | 0x1 });
  });
});

describe("plan encoding", () => {
  it("matches the layout runts-init reads", () => {
    const buf = Buffer.from(encodePlan([{ op: "MKDIR", args: ["/a", "0755"] }, { op: "PIVOT_ROOT", args: [] }]));
    expect(buf.readUInt32LE(0)).toBe(buf.length - 4);
    expect(buf.subarray(4).toString("latin1")).toBe(`${OPS.MKDIR}\x002\x00/a\x000755\x00${OPS.PIVOT_ROOT}\x000\x00`);
  });

  it("encodes an empty plan as no fields", () => {
    expect([...encodePlan([])]).toEqual([0, 0, 0, 0]);
  });

  it("writes arguments as UTF-8 (a lone surrogate as U+FFFD)", () => {
    const args = ["é😀", "\ud800x", "plain", ""];
    const buf = Buffer.from(encodePlan([{ op: "HOSTNAME", args }]));
    expect(buf.readUInt32LE(0)).toBe(buf.length - 4);
    const fields = buf.subarray(4).toString("utf8").split("\0");
    expect(fields).toEqual([String(OPS.HOSTNAME), "4", "é😀", "\ufffdx", "plain", "", ""]);
  });

  it("refuses NUL bytes, which would cut an argument short", () => {
    for (const bad of ["a\0b", "\0", "é\0", "\0é", "x\0\0"]) {
      expect(() => encodePlan([{ op: "HOSTNAME", args: ["ok", bad] }, { op: "PIVOT_ROOT", args: [] }]), JSON.stringify(bad)).toThrow("NUL");
    }
  });

  it("uses the same opcodes as native-shims/ops.h", () => {
    const header = readFileSync(new URL("../../native-shims/ops.h", import.meta.url), "utf8");
    const fromC = Object.fromEntries([...header.matchAll(/\bOP_([A-Z_]+) = (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(fromC).toEqual(OPS);
  });
});
