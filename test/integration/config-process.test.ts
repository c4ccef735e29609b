/**
 * Config: the process attributes, observed from inside the container and from
 * the host. Capabilities (all five sets, in the right order relative to the
 * uid switch; an unknown name is an error; one the runtime does not hold is
 * dropped with a warning), noNewPrivileges, oomScoreAdj, umask, personality,
 * scheduler, I/O priority, CPU affinity and every rlimit (duplicates, unknown
 * names and limits above the runtime's own are errors naming the limit).
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import {
  CAP_NAMES,
  capSets,
  createFails,
  hostBounding,
  ioprio,
  ioprioGet,
  logLines,
  statusField,
  waitForComm,
} from "../helpers/config.js";
import { isRoot, newContainerId } from "../helpers/context.js";
import { runOk, runScript, startContainer, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

const sorted = (names: string[]): string[] => [...names].sort();

describe.skipIf(!isRoot)("config: capabilities", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("runc's default set: bounding = effective = permitted, no inheritable, so no ambient (as runc)", async () => {
    const out = await runOk(env, "cat /proc/self/status");
    const caps = capSets(out);
    const expected = sorted(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]);
    expect(caps.CapBnd).toEqual(expected);
    expect(caps.CapEff).toEqual(expected);
    expect(caps.CapPrm).toEqual(expected);
    expect(caps.CapInh).toEqual([]);
    // The config lists them as ambient, but without inheritable the kernel cannot raise them.
    expect(caps.CapAmb).toEqual([]);
  });

  test("the same sets seen from the host, in /proc/<pid>/status of the running container", async () => {
    const c = await startContainer(env);
    await waitForComm(c.pid, "sleep");
    const caps = capSets(readFileSync(`/proc/${c.pid}/status`, "utf8"));
    expect(caps.CapBnd).toEqual(sorted(["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    expect(caps.CapEff).toEqual(caps.CapBnd);
    expect(caps.CapAmb).toEqual([]);
  });

  /** Five different sets for root. */
  const FIVE = {
    bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID", "CAP_SYS_CHROOT"],
    permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_SETUID"],
    effective: ["CAP_CHOWN", "CAP_KILL"],
    inheritable: ["CAP_KILL", "CAP_NET_RAW", "CAP_SYS_CHROOT"],
    ambient: ["CAP_KILL"],
  };

  test("all five sets distinct, for root: bounding, inheritable and ambient exactly as given", async () => {
    const out = await runOk(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        cfg.process!.capabilities = structuredClone(FIVE);
        cfg.process!.noNewPrivileges = false;
      },
    });
    const caps = capSets(out);
    expect(caps.CapBnd).toEqual(sorted(FIVE.bounding));
    expect(caps.CapInh).toEqual(sorted(FIVE.inheritable));
    expect(caps.CapAmb).toEqual(["CAP_KILL"]);
    // exec as uid 0 (no no_new_privs): permitted' = inheritable | bounding, effective' = permitted'.
    expect(caps.CapPrm).toEqual(sorted(FIVE.bounding));
    expect(caps.CapEff).toEqual(sorted(FIVE.bounding));
  });

  test("all five sets with noNewPrivileges: root gains nothing beyond the permitted set at exec", async () => {
    // With no_new_privs the kernel caps permitted' at the old permitted set: what
    // runts-init set with capset before the exec is visible as such.
    const out = await runOk(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        cfg.process!.capabilities = structuredClone(FIVE);
        cfg.process!.noNewPrivileges = true;
      },
    });
    const caps = capSets(out);
    expect(caps.CapBnd).toEqual(sorted(FIVE.bounding));
    expect(caps.CapPrm).toEqual(sorted(FIVE.permitted));
    expect(caps.CapEff).toEqual(sorted(FIVE.permitted));
    expect(caps.CapInh).toEqual(sorted(FIVE.inheritable));
    expect(caps.CapAmb).toEqual(["CAP_KILL"]);
  });

  test("a non-root user keeps exactly the ambient capabilities across the uid switch and exec", async () => {
    // keep-caps, setuid, capset, then ambient: if any step were out of order the
    // uid switch would clear the sets, or the ambient raise would be refused.
    const script = "cat /proc/self/status; id -u";
    const out = await runOk(env, script, {
      mutate: (cfg) => {
        cfg.process!.user = { uid: 1000, gid: 1000 };
        const set = ["CAP_NET_BIND_SERVICE", "CAP_KILL", "CAP_CHOWN"];
        cfg.process!.capabilities = {
          bounding: [...set, "CAP_SYS_CHROOT"],
          effective: [...set],
          permitted: [...set],
          inheritable: [...set],
          ambient: ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
        };
      },
    });
    expect(out.trim().split("\n").at(-1)).toBe("1000");
    const caps = capSets(out);
    expect(caps.CapAmb).toEqual(sorted(["CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    // After exec, a non-root process keeps only the ambient set in permitted and effective.
    expect(caps.CapPrm).toEqual(sorted(["CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    expect(caps.CapEff).toEqual(sorted(["CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    expect(caps.CapInh).toEqual(sorted(["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    expect(caps.CapBnd).toEqual(sorted(["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT"]));
  });

  test("a non-root user without ambient capabilities ends with empty effective and permitted sets", async () => {
    const out = await runOk(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        cfg.process!.user = { uid: 1000, gid: 1000 };
        const set = ["CAP_NET_BIND_SERVICE", "CAP_KILL"];
        cfg.process!.capabilities = { bounding: [...set], effective: [...set], permitted: [...set] };
      },
    });
    const caps = capSets(out);
    expect(caps.CapBnd).toEqual(sorted(["CAP_KILL", "CAP_NET_BIND_SERVICE"]));
    expect(caps.CapPrm).toEqual([]);
    expect(caps.CapEff).toEqual([]);
    expect(caps.CapAmb).toEqual([]);
  });

  test("a capability left out is really gone: chown works with CAP_CHOWN and fails without it", async () => {
    const script = "touch /tmp/f && chown 1000:1000 /tmp/f 2>&1; echo chown=$?";
    const withCaps = (caps: string[]) => (cfg: OciConfig) => {
      cfg.root!.readonly = false;
      cfg.process!.capabilities = { bounding: caps, effective: caps, permitted: caps };
    };
    expect(await runOk(env, script, { mutate: withCaps(["CAP_CHOWN"]) })).toBe("chown=0\n");
    const denied = await runOk(env, script, { mutate: withCaps(["CAP_KILL"]) });
    expect(denied).toMatch(/Operation not permitted\nchown=1\n$/);
  });

  test("no capabilities field: the process has none at all", async () => {
    const out = await runOk(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        cfg.process!.capabilities = { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] };
      },
    });
    const caps = capSets(out);
    for (const set of ["CapBnd", "CapEff", "CapPrm", "CapInh", "CapAmb"] as const) expect(caps[set], set).toEqual([]);
  });

  test("an unknown capability name is an error naming it; nothing is created", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.capabilities!.effective = ["CAP_KILL", "CAP_NOT_A_THING"];
      },
    });
    const r = await createFails(env, b);
    expect(r.stderr).toContain("CAP_NOT_A_THING");
    expect(r.error).toContain("CAP_NOT_A_THING");
    expect(r.error).toMatch(/capabilit/i);
  });

  test("a capability the runtime does not hold (CAP_SYS_RESOURCE here) is dropped with a warning, not a failure", async () => {
    // The precondition of this test: this host's bounding set lacks CAP_SYS_RESOURCE.
    expect(hostBounding()).not.toContain("CAP_SYS_RESOURCE");
    const r = await runScript(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        const caps = ["CAP_KILL", "CAP_SYS_RESOURCE"];
        cfg.process!.capabilities = { bounding: caps, effective: caps, permitted: caps };
      },
    });
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const caps = capSets(r.stdout);
    expect(caps.CapBnd).toEqual(["CAP_KILL"]);
    expect(caps.CapEff).toEqual(["CAP_KILL"]);
    const warnings = logLines(env.rt).filter((l) => l.level === "warning");
    expect(warnings.map((w) => w.msg).join("\n")).toContain("CAP_SYS_RESOURCE");
  });

  test("every capability this host holds, in every set: the container gets the host's bounding set", async () => {
    const all = [...CAP_NAMES];
    const out = await runOk(env, "cat /proc/self/status", {
      mutate: (cfg) => {
        cfg.process!.capabilities = { bounding: all, effective: all, permitted: all, inheritable: all, ambient: all };
      },
    });
    const caps = capSets(out);
    const host = hostBounding();
    expect(caps.CapBnd).toEqual(host);
    expect(caps.CapEff).toEqual(host);
    expect(caps.CapPrm).toEqual(host);
    expect(caps.CapInh).toEqual(host);
    expect(caps.CapAmb).toEqual(host);
  });
});

describe.skipIf(!isRoot)("config: noNewPrivileges, oomScoreAdj, umask", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("noNewPrivileges true: NoNewPrivs 1; false: NoNewPrivs 0", async () => {
    const script = "grep NoNewPrivs /proc/self/status";
    const set = (v: boolean) => (cfg: OciConfig) => {
      cfg.process!.noNewPrivileges = v;
    };
    expect(await runOk(env, script, { mutate: set(true) })).toMatch(/^NoNewPrivs:\s+1\n$/);
    expect(await runOk(env, script, { mutate: set(false) })).toMatch(/^NoNewPrivs:\s+0\n$/);
  });

  test("noNewPrivileges: exec of a file with file capabilities gains them only without no_new_privs", async () => {
    // /fcap/busybox carries cap_net_raw+ep (set from the host with setcap); the user is not root.
    const make = async (nnp: boolean) => {
      const b = await env.bundle({
        args: ["/fcap/busybox", "cat", "/proc/self/status"],
        mutate: (cfg) => {
          cfg.process!.noNewPrivileges = nnp;
          cfg.process!.user = { uid: 1000, gid: 1000 };
          cfg.process!.capabilities = { bounding: ["CAP_NET_RAW", "CAP_KILL"] };
        },
      });
      mkdirSync(path.join(b.rootfs, "fcap"));
      copyFileSync("/bin/busybox", path.join(b.rootfs, "fcap", "busybox"));
      execFileSync("setcap", ["cap_net_raw+ep", path.join(b.rootfs, "fcap", "busybox")]);
      return b;
    };
    const without = await env.rt.run(await make(false));
    expect(without.code, without.stderr).toBe(0);
    expect(capSets(without.stdout).CapEff).toEqual(["CAP_NET_RAW"]);
    const withNnp = await env.rt.run(await make(true));
    expect(withNnp.code, withNnp.stderr).toBe(0);
    expect(statusField(withNnp.stdout, "NoNewPrivs")).toBe("1");
    expect(capSets(withNnp.stdout).CapEff).toEqual([]);
    expect(capSets(withNnp.stdout).CapPrm).toEqual([]);
  });

  test("oomScoreAdj: read inside and from the host", async () => {
    const mutate = (v: number) => (cfg: OciConfig) => {
      cfg.process!.oomScoreAdj = v;
    };
    expect(await runOk(env, "cat /proc/self/oom_score_adj", { mutate: mutate(500) })).toBe("500\n");
    expect(await runOk(env, "cat /proc/self/oom_score_adj", { mutate: mutate(1000) })).toBe("1000\n");
    const c = await startContainer(env, { mutate: mutate(777) });
    expect(readFileSync(`/proc/${c.pid}/oom_score_adj`, "utf8")).toBe("777\n");
  });

  test("oomScoreAdj below the runtime's own needs CAP_SYS_RESOURCE, which this host lacks: a clear error", async () => {
    expect(hostBounding()).not.toContain("CAP_SYS_RESOURCE");
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.oomScoreAdj = -250;
      },
    });
    const r = await createFails(env, b);
    // The error must say what could not be done: the field (or its /proc file) and the value.
    expect(r.error).toMatch(/oom_?score_?adj/i);
  });

  test("no oomScoreAdj: the container keeps the runtime's own value", async () => {
    const own = readFileSync("/proc/self/oom_score_adj", "utf8");
    expect(await runOk(env, "cat /proc/self/oom_score_adj")).toBe(own);
  });

  test("umask: shown by the shell and applied to new files and directories", async () => {
    const out = await runOk(env, "umask; touch /tmp/f; mkdir /tmp/d; stat -c %a /tmp/f /tmp/d", {
      mutate: (cfg) => {
        cfg.root!.readonly = false;
        cfg.process!.user.umask = 0o027;
      },
    });
    expect(out).toBe("0027\n640\n750\n");
  });
});

describe.skipIf(!isRoot)("config: personality, scheduler, I/O priority, CPU affinity", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test.runIf(process.arch === "x64")("personality LINUX32: uname -m shows i686; LINUX: x86_64", async () => {
    const set = (domain: string) => (cfg: OciConfig) => {
      cfg.linux!["personality"] = { domain };
    };
    expect(await runOk(env, "uname -m", { mutate: set("LINUX32") })).toBe("i686\n");
    expect(await runOk(env, "uname -m", { mutate: set("LINUX") })).toBe("x86_64\n");
    expect(await runOk(env, "uname -m")).toBe("x86_64\n");
  });

  test("personality: an unknown domain is an error", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.linux!["personality"] = { domain: "LINUX64" };
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toMatch(/personality/);
  });

  /** policy and prio of /proc/self/sched, nice of /proc/self/stat (field 19). */
  const schedScript = "grep -E '^(policy|prio) ' /proc/self/sched; cut -d' ' -f19 /proc/self/stat";
  const schedOf = (out: string) => {
    const policy = /^policy\s+:\s+(\d+)/m.exec(out)?.[1];
    const nice = out.trim().split("\n").at(-1);
    return { policy: Number(policy), nice: Number(nice) };
  };

  test("scheduler SCHED_BATCH with nice 5, and SCHED_IDLE: /proc/self/sched policy and the nice value", async () => {
    const batch = await runOk(env, schedScript, {
      mutate: (cfg) => {
        cfg.process!["scheduler"] = { policy: "SCHED_BATCH", nice: 5 };
      },
    });
    expect(schedOf(batch)).toEqual({ policy: 3, nice: 5 });
    const idle = await runOk(env, schedScript, {
      mutate: (cfg) => {
        cfg.process!["scheduler"] = { policy: "SCHED_IDLE" };
      },
    });
    expect(schedOf(idle).policy).toBe(5);
    const none = await runOk(env, schedScript);
    expect(schedOf(none)).toEqual({ policy: 0, nice: 0 });
  });

  test("scheduler seen from the host: policy field of /proc/<pid>/stat (41st) of the running container", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.process!["scheduler"] = { policy: "SCHED_BATCH", nice: 7 };
      },
    });
    const stat = readFileSync(`/proc/${c.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields after "(comm)" start at 3: nice is 19, policy is 41.
    expect(Number(fields[19 - 3])).toBe(7);
    expect(Number(fields[41 - 3])).toBe(3);
  });

  test("scheduler SCHED_FIFO without a priority is an error before anything is created", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!["scheduler"] = { policy: "SCHED_FIFO" };
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toMatch(/scheduler/);
  });

  test("scheduler SCHED_RR in a cgroup without real-time runtime: the error names the field and the policy", async () => {
    // On this host (cgroup v1 with RT group scheduling) the container's new cpu cgroup has
    // cpu.rt_runtime_us 0, so the kernel refuses a real-time policy (EPERM). runc fails the
    // same way; the error must still say which setting could not be applied.
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!["scheduler"] = { policy: "SCHED_RR", priority: 5 };
      },
    });
    const r = await env.rt.exec(["create", "--bundle", b.dir, "--pid-file", env.rt.pidFile("rr"), newContainerId()], {
      stdio: env.rt.ioFiles("rr"),
    });
    if (r.code === 0) return; // a host that grants real-time runtime: nothing to explain
    const error = logLines(env.rt).filter((l) => l.level === "error").at(-1)?.msg ?? "";
    expect(error).toMatch(/SCHED_RR|process\.scheduler/);
  });

  test("ioPriority IOPRIO_CLASS_BE 6: ionice inside, ioprio_get from the host", async () => {
    const out = await runOk(env, "ionice -p $$", {
      mutate: (cfg) => {
        cfg.process!["ioPriority"] = { class: "IOPRIO_CLASS_BE", priority: 6 };
      },
    });
    expect(out).toBe("best-effort: prio 6\n");
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.process!["ioPriority"] = { class: "IOPRIO_CLASS_IDLE", priority: 0 };
      },
    });
    expect(ioprioGet(c.pid)).toBe(ioprio(3, 0));
  });

  test("ioPriority IOPRIO_CLASS_RT 3 (root may take the real-time class)", async () => {
    const out = await runOk(env, "ionice -p $$", {
      mutate: (cfg) => {
        cfg.process!["ioPriority"] = { class: "IOPRIO_CLASS_RT", priority: 3 };
      },
    });
    expect(out).toBe("realtime: prio 3\n");
  });

  test("ioPriority: a priority outside 0..7 is an error", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!["ioPriority"] = { class: "IOPRIO_CLASS_BE", priority: 9 };
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toMatch(/ioPriority/);
  });

  test("execCPUAffinity: final sets Cpus_allowed_list (initial only applies before the cgroup is joined)", async () => {
    const script = "grep Cpus_allowed_list /proc/self/status; taskset -p $$";
    const out = await runOk(env, script, {
      mutate: (cfg) => {
        cfg.process!["execCPUAffinity"] = { initial: "0", final: "1" };
      },
    });
    expect(statusField(out, "Cpus_allowed_list")).toBe("1");
    expect(out).toMatch(/current affinity mask: 2$/m);
    const first = await runOk(env, script, {
      mutate: (cfg) => {
        cfg.process!["execCPUAffinity"] = { final: "0" };
      },
    });
    expect(statusField(first, "Cpus_allowed_list")).toBe("0");
    const none = await runOk(env, script);
    expect(statusField(none, "Cpus_allowed_list")).toBe(statusField(readFileSync("/proc/self/status", "utf8"), "Cpus_allowed_list"));
  });

  test("execCPUAffinity seen from the host", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.process!["execCPUAffinity"] = { final: "1" };
      },
    });
    expect(statusField(readFileSync(`/proc/${c.pid}/status`, "utf8"), "Cpus_allowed_list")).toBe("1");
  });

  test("execCPUAffinity: a malformed list, or only CPUs this machine lacks, is an error", async () => {
    const bad = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!["execCPUAffinity"] = { final: "3-1" };
      },
    });
    expect((await createFails(env, bad)).error).toMatch(/execCPUAffinity/);
    const absent = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!["execCPUAffinity"] = { final: "100" };
      },
    });
    expect((await createFails(env, absent)).error).toMatch(/affinity/i);
  });
});

/** /proc/self/limits row names, as the kernel prints them, by rlimit. */
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

/** soft/hard of each row of a /proc/<pid>/limits text. */
function parseLimits(text: string): Map<string, [string, string]> {
  const rows = new Map<string, [string, string]>();
  for (const line of text.split("\n")) {
    const name = Object.values(LIMIT_ROWS).find((r) => line.startsWith(`${r} `));
    if (!name) continue;
    const [soft = "", hard = ""] = line.slice(26).trim().split(/\s+/);
    rows.set(name, [soft, hard]);
  }
  return rows;
}

describe.skipIf(!isRoot)("config: rlimits", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  // Every type, soft below hard, all within this runtime's own hard limits
  // (the host lacks CAP_SYS_RESOURCE: nothing can be raised).
  const LIMITS: Array<{ type: string; soft: number; hard: number }> = [
    { type: "RLIMIT_CPU", soft: 1000, hard: 2000 },
    { type: "RLIMIT_FSIZE", soft: 1 << 20, hard: 1 << 21 },
    { type: "RLIMIT_DATA", soft: 2 ** 30, hard: 2 ** 31 },
    { type: "RLIMIT_STACK", soft: 4 << 20, hard: 16 << 20 },
    { type: "RLIMIT_CORE", soft: 0, hard: 4096 },
    { type: "RLIMIT_RSS", soft: 2 ** 30, hard: 2 ** 31 },
    { type: "RLIMIT_NPROC", soft: 500, hard: 1000 },
    { type: "RLIMIT_NOFILE", soft: 512, hard: 1024 },
    { type: "RLIMIT_MEMLOCK", soft: 32768, hard: 65536 },
    { type: "RLIMIT_AS", soft: 2 ** 33, hard: 2 ** 34 },
    { type: "RLIMIT_LOCKS", soft: 100, hard: 200 },
    { type: "RLIMIT_SIGPENDING", soft: 100, hard: 200 },
    { type: "RLIMIT_MSGQUEUE", soft: 8192, hard: 16384 },
    { type: "RLIMIT_NICE", soft: 0, hard: 0 },
    { type: "RLIMIT_RTPRIO", soft: 0, hard: 0 },
    { type: "RLIMIT_RTTIME", soft: 1_000_000, hard: 2_000_000 },
  ];

  test("every RLIMIT_* type, read back from /proc/self/limits", async () => {
    const out = await runOk(env, "cat /proc/self/limits", {
      mutate: (cfg) => {
        cfg.process!.rlimits = LIMITS;
      },
    });
    const rows = parseLimits(out);
    for (const l of LIMITS) {
      expect(rows.get(LIMIT_ROWS[l.type] as string), l.type).toEqual([String(l.soft), String(l.hard)]);
    }
  });

  test("the shell's ulimit agrees (nofile, nproc, core, file size)", async () => {
    const out = await runOk(env, "ulimit -n; ulimit -Hn; ulimit -u; ulimit -c; ulimit -Hc; ulimit -f", {
      mutate: (cfg) => {
        cfg.process!.rlimits = LIMITS;
      },
    });
    // ash prints core and file sizes in 1024-byte blocks (-c, -f: 512? busybox uses 1024).
    expect(out.split("\n").slice(0, 3)).toEqual(["512", "1024", "500"]);
    expect(out.split("\n")[3]).toBe("0");
    expect(["4", "8"]).toContain(out.split("\n")[4]);
    expect(["1024", "2048"]).toContain(out.split("\n")[5]);
  });

  test("limits seen from the host in /proc/<pid>/limits", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.process!.rlimits = [
          { type: "RLIMIT_NOFILE", soft: 300, hard: 600 },
          { type: "RLIMIT_NPROC", soft: 77, hard: 88 },
        ];
      },
    });
    const rows = parseLimits(readFileSync(`/proc/${c.pid}/limits`, "utf8"));
    expect(rows.get("Max open files")).toEqual(["300", "600"]);
    expect(rows.get("Max processes")).toEqual(["77", "88"]);
  });

  test("a lowered limit is enforced: RLIMIT_NOFILE 8 refuses a 9th descriptor", async () => {
    const r = await runScript(env, "exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null && echo ok7; exec 8</dev/null 2>&1 || echo refused", {
      mutate: (cfg) => {
        cfg.process!.rlimits = [{ type: "RLIMIT_NOFILE", soft: 8, hard: 8 }];
      },
    });
    expect(r.stdout).toContain("ok7");
    expect(r.stdout + r.stderr).toMatch(/refused|Too many open files|can't open/);
  });

  test("a duplicate rlimit type is an error naming it", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.rlimits = [
          { type: "RLIMIT_NOFILE", soft: 100, hard: 100 },
          { type: "RLIMIT_NOFILE", soft: 200, hard: 200 },
        ];
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toMatch(/duplicate/);
    expect(r.error).toContain("RLIMIT_NOFILE");
  });

  test("an unknown rlimit name is an error naming it", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.rlimits = [{ type: "RLIMIT_BOGUS", soft: 1, hard: 1 }];
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toContain("RLIMIT_BOGUS");
  });

  test("soft above hard is an error", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.rlimits = [{ type: "RLIMIT_NOFILE", soft: 2000, hard: 1000 }];
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toContain("RLIMIT_NOFILE");
  });

  test("Podman's nofile 1048576 cannot be raised without CAP_SYS_RESOURCE: the error names the limit and why", async () => {
    expect(hostBounding()).not.toContain("CAP_SYS_RESOURCE");
    const own = parseLimits(readFileSync("/proc/self/limits", "utf8")).get("Max open files")?.[1];
    expect(Number(own)).toBeLessThan(1048576);
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.process!.rlimits = [{ type: "RLIMIT_NOFILE", soft: 1048576, hard: 1048576 }];
      },
    });
    const r = await createFails(env, b);
    expect(r.stderr).toContain("RLIMIT_NOFILE");
    expect(r.error).toContain("RLIMIT_NOFILE");
    expect(r.error).toContain("1048576");
    expect(r.error).toContain("CAP_SYS_RESOURCE");
  });

  test("a limit the runtime has as unlimited may be set to anything, including unlimited", async () => {
    const out = await runOk(env, "cat /proc/self/limits", {
      mutate: (cfg) => {
        cfg.process!.rlimits = [
          { type: "RLIMIT_CORE", soft: 2 ** 40, hard: 2 ** 64 },
          { type: "RLIMIT_AS", soft: 2 ** 64, hard: 2 ** 64 },
        ];
      },
    });
    const rows = parseLimits(out);
    expect(rows.get("Max core file size")).toEqual([String(2 ** 40), "unlimited"]);
    expect(rows.get("Max address space")).toEqual(["unlimited", "unlimited"]);
  });
});
