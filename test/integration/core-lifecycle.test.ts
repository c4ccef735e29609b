/**
 * Core: the container lifecycle as engines drive it from the host: states and
 * pids, exit codes of `run`, the errors of commands that do not apply,
 * invalid and duplicate ids, the JSON log, containerd's and go-runc's exact
 * argument vectors, list, ps, kill --all, and the cgroup.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot, newContainerId } from "../helpers/context.js";
import { isAlive, startContainer, useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { cgroupHierarchies, defaultCgroupDirs, defaultCgroups } from "../helpers/mountinfo.js";
import { parseState, runts, type Runtime } from "../helpers/runtime.js";

/** Paths in /proc/<pid>/cgroup, one per hierarchy line. */
function procCgroupPaths(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .trim()
    .split("\n")
    .map((l) => l.split(":").slice(2).join(":"));
}

/** The pids cgroup directory of a live process (found through /proc/<pid>/cgroup). */
function pidsCgroupDir(pid: number): string {
  const line = readFileSync(`/proc/${pid}/cgroup`, "utf8")
    .split("\n")
    .find((l) => l.split(":")[1]?.split(",").includes("pids"));
  if (line === undefined) throw new Error(`no pids cgroup for ${pid}`);
  return path.join("/sys/fs/cgroup/pids", line.split(":").slice(2).join(":"));
}

function cgroupProcs(dir: string): number[] {
  return readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
}

/** The last line of the runtime's JSON log, parsed. */
function lastLogLine(rt: Runtime): { raw: string; entry: Record<string, unknown> } {
  const raw = readFileSync(rt.logFile, "utf8").trimEnd().split("\n").at(-1) ?? "";
  return { raw, entry: JSON.parse(raw) as Record<string, unknown> };
}

describe.skipIf(!isRoot)("core: lifecycle", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("created -> running -> stopped; the pid is 0 once stopped", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const id = await rt.create(bundle);
    const created = await rt.state(id);
    expect(created.status).toBe("created");
    expect(created.pid).toBeGreaterThan(0);
    // Created: the process exists but has not exec'd the user program yet.
    expect(readFileSync(`/proc/${created.pid}/cmdline`, "utf8")).not.toBe("sleep\x001000\x00");
    expect(existsSync(path.join(rt.root, id, "exec.fifo"))).toBe(true);

    await rt.start(id);
    const running = await rt.waitForStatus(id, "running");
    expect(running.pid).toBe(created.pid);
    expect(readFileSync(`/proc/${running.pid}/cmdline`, "utf8")).toBe("sleep\x001000\x00");

    await rt.kill(id, "KILL");
    const stopped = await rt.waitForStatus(id, "stopped");
    expect(stopped.pid).toBe(0);
    expect(stopped.id).toBe(id);
    expect(stopped.bundle).toBe(bundle.dir);
    expect(isAlive(created.pid)).toBe(false);
  });

  test("a container whose process exits by itself is stopped", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["true"] });
    const id = await rt.create(bundle);
    await rt.start(id);
    const st = await rt.waitForStatus(id, "stopped");
    expect(st.pid).toBe(0);
    await rt.delete(id);
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("run: exit 3 -> 3", async () => {
    const bundle = await env.bundle({ args: ["sh", "-c", "exit 3"] });
    const r = await env.rt.run(bundle);
    expect(r.code).toBe(3);
    expect(env.rt.listStateDirs()).toEqual([]);
  });

  test("run: killed by SIGKILL -> 137", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const id = newContainerId();
    const running = rt.run(bundle, id);
    await rt.waitForStatus(id, "running");
    await rt.kill(id, "KILL");
    const r = await running;
    expect(r.code, r.stderr).toBe(137);
    // run deletes the container after it exits.
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("run: killed by SIGTERM -> 143 (no pid namespace, so TERM is not ignored as by a pid 1)", async () => {
    const { rt } = env;
    const bundle = await env.bundle({
      args: ["sleep", "1000"],
      mutate: (cfg) => {
        cfg.linux!.namespaces = cfg.linux!.namespaces!.filter((ns) => ns.type !== "pid");
      },
    });
    const id = newContainerId();
    const running = rt.run(bundle, id);
    await rt.waitForStatus(id, "running");
    await rt.kill(id, "TERM");
    const r = await running;
    expect(r.code, r.stderr).toBe(143);
    expect(rt.listStateDirs()).toEqual([]);
  });

  test("run in the foreground passes the signals it gets to the container, and exits with its code", async () => {
    const { rt } = env;
    // pid 1 of the container traps TERM (a pid 1 ignores signals it has no handler for).
    const bundle = await env.bundle({ args: ["sh", "-c", "trap 'exit 7' TERM; while :; do sleep 1 & wait $!; done"] });
    const id = newContainerId();
    // Spawned here, not through rt.run, to have the runtime's pid to signal.
    const runtime = spawn(rt.bin, rt.args(["run", "--bundle", bundle.dir, id]), { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    runtime.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => runtime.once("exit", (code) => resolve(code)));
    try {
      await rt.waitForStatus(id, "running");
      runtime.kill("SIGTERM");
      expect(await exited, stderr).toBe(7);
      expect(rt.listStateDirs()).toEqual([]);
    } finally {
      runtime.kill("SIGKILL");
      await exited;
    }
  });

  test("start of a running container fails", async () => {
    const c = await startContainer(env);
    const r = await env.rt.exec(["start", c.id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot start an already running container/);
    expect((await env.rt.state(c.id)).status).toBe("running");
  });

  test("start of a stopped container fails", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["true"] });
    const id = await rt.create(bundle);
    await rt.start(id);
    await rt.waitForStatus(id, "stopped");
    const r = await rt.exec(["start", id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot start a container that has stopped/);
  });

  test("kill of a stopped container fails with 'container not running'", async () => {
    const c = await startContainer(env);
    await env.rt.kill(c.id, 9);
    await env.rt.waitForStatus(c.id, "stopped");
    const r = await env.rt.exec(["kill", c.id, "9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("container not running");
  });

  test("delete of a running container without --force fails and leaves it running", async () => {
    const c = await startContainer(env);
    const r = await env.rt.exec(["delete", c.id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cannot delete container .* that is not stopped: running/);
    expect(isAlive(c.pid)).toBe(true);
    expect((await env.rt.state(c.id)).status).toBe("running");
  });

  test("an unknown id: 'container does not exist' on stderr, exit 1", async () => {
    const id = newContainerId();
    for (const args of [["state", id], ["start", id], ["kill", id, "9"], ["delete", id], ["ps", id]]) {
      const r = await env.rt.exec(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toContain("container does not exist");
      expect(r.stdout, args.join(" ")).toBe("");
    }
  });

  test("delete --force of an unknown id succeeds silently", async () => {
    const id = newContainerId();
    for (const flag of ["--force", "-f"]) {
      const r = await env.rt.exec(["delete", flag, id]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    }
  });

  test("creating an id that exists fails and leaves the first container alone", async () => {
    const c = await startContainer(env);
    const other = await env.bundle({ args: ["sleep", "1000"] });
    const r = await env.rt.exec(["create", "--bundle", other.dir, c.id], { stdio: env.rt.ioFiles(c.id) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/container with given ID already exists/);
    const st = await env.rt.state(c.id);
    expect(st).toMatchObject({ status: "running", pid: c.pid, bundle: c.bundle.dir });
  });

  test("invalid ids are refused: a/b, .., ., ../../etc, one with a space, empty", async () => {
    const bundle = await env.bundle({ args: ["true"] });
    // The one with a space carries this run's marker, so that the leak checks would see what it left.
    for (const id of ["a/b", "..", ".", `${newContainerId()} y`, "../../etc"]) {
      // Files for stdio: were it accepted, the container would hold a pipe open.
      const r = await env.rt.exec(["create", "--bundle", bundle.dir, id], { stdio: env.rt.ioFiles("invalid-ids") });
      expect(r.code, id).not.toBe(0);
      expect(r.stderr, id).toMatch(/invalid container ID format/);
    }
    const empty = await env.rt.exec(["create", "--bundle", bundle.dir, ""]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("container id cannot be empty");
    expect(env.rt.listStateDirs()).toEqual([]);
    expect(existsSync(path.join(env.rt.root, "..", "b"))).toBe(false);
  });

  test("--log-format json: the last log line is {level:error, msg, time} on failure", async () => {
    const id = newContainerId();
    const r = await env.rt.exec(["state", id]);
    expect(r.code).toBe(1);
    const { raw, entry } = lastLogLine(env.rt);
    expect(Object.keys(entry)).toEqual(["level", "msg", "time"]);
    expect(raw.startsWith('{"level":"error","msg":')).toBe(true);
    expect(entry["level"]).toBe("error");
    expect(entry["msg"]).toBe("container does not exist");
    expect(typeof entry["time"]).toBe("string");
    expect(Number.isNaN(Date.parse(entry["time"] as string))).toBe(false);
  });

  test("--log-format json: a failed create logs its error as the last line", async () => {
    const bundle = await env.bundle({ args: ["no-such-program"] });
    const id = newContainerId();
    const r = await env.rt.exec(["create", "--bundle", bundle.dir, id], { stdio: env.rt.ioFiles(id) });
    expect(r.code).not.toBe(0);
    const { entry } = lastLogLine(env.rt);
    expect(entry["level"]).toBe("error");
    expect(String(entry["msg"])).toContain("executable file not found in $PATH");
  });

  test("containerd's exact call shapes", async () => {
    const bundle = await env.bundle({ args: ["sh", "-c", "sleep 1000 & exec sleep 1001"] });
    const R = env.rt.root;
    const B = bundle.dir;
    const id = newContainerId();
    const call = (args: string[], opts: Parameters<typeof runts>[1] = {}) =>
      runts(["--root", R, "--log", `${B}/log.json`, "--log-format", "json", ...args], { bin: env.rt.bin, ...opts });

    const created = await call(["create", "--bundle", B, "--pid-file", `${B}/init.pid`, id], {
      stdio: env.rt.ioFiles(id),
    });
    expect(created.code, created.stderr).toBe(0);
    const pid = Number(readFileSync(`${B}/init.pid`, "utf8"));
    expect(pid).toBeGreaterThan(0);

    const started = await call(["start", id]);
    expect(started.code, started.stderr).toBe(0);

    const st = await call(["state", id]);
    expect(st.code).toBe(0);
    expect(parseState(st.stdout)).toMatchObject({ id, pid, status: "running", bundle: B });

    await waitUntil(() => readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("sleep\x001001"), "exec of sleep 1001");
    const ps = await call(["ps", "--format", "json", id]);
    expect(ps.code, ps.stderr).toBe(0);
    const pids = JSON.parse(ps.stdout) as number[];
    expect(Array.isArray(pids)).toBe(true);
    expect(pids).toContain(pid);
    // The background sleep is in the container too.
    await waitUntil(async () => (JSON.parse((await call(["ps", "--format", "json", id])).stdout) as number[]).length === 2, "two processes");

    const killAll = await call(["kill", "--all", id, "9"]);
    expect(killAll.code, killAll.stderr).toBe(0);
    await waitUntil(async () => parseState((await call(["state", id])).stdout).status === "stopped", "stopped");
    const del = await call(["delete", id]);
    expect(del.code, del.stderr).toBe(0);
    expect((await call(["delete", "--force", id])).code).toBe(0);
    expect(existsSync(path.join(R, id))).toBe(false);
    // Nothing but JSON in the log (runc creates it even when it has nothing to say; runts may not).
    const log = existsSync(`${B}/log.json`) ? readFileSync(`${B}/log.json`, "utf8") : "";
    for (const line of log.split("\n").filter(Boolean)) {
      expect(() => JSON.parse(line), line).not.toThrow();
    }

    // And the other ending: kill 9, then delete --force of a live container.
    const id2 = newContainerId();
    expect((await call(["create", "--bundle", B, "--pid-file", `${B}/init2.pid`, id2], { stdio: env.rt.ioFiles(id2) })).code).toBe(0);
    expect((await call(["start", id2])).code).toBe(0);
    expect((await call(["kill", id2, "9"])).code).toBe(0);
    const pid2 = Number(readFileSync(`${B}/init2.pid`, "utf8"));
    await waitUntil(() => !isAlive(pid2), "container 2 to die");
    expect((await call(["delete", "--force", id2])).code).toBe(0);
    expect(existsSync(path.join(R, id2))).toBe(false);
  });

  test("go-runc's single-dash flags: -pid-file, -bundle", async () => {
    const { rt } = env;
    const bundle = await env.bundle({ args: ["sleep", "1000"] });
    const id = newContainerId();
    const pidFile = path.join(rt.base, "single-dash.pid");
    const r = await rt.exec(["create", "-bundle", bundle.dir, "-pid-file", pidFile, id], { stdio: rt.ioFiles(id) });
    expect(r.code, r.stderr).toBe(0);
    const st = await rt.state(id);
    expect(Number(readFileSync(pidFile, "utf8"))).toBe(st.pid);
    expect(st.bundle).toBe(bundle.dir);
    // And the global ones: -root, -log-format.
    const viaDash = await runts(["-root", rt.root, "-log-format", "json", "state", id], { bin: rt.bin });
    expect(parseState(viaDash.stdout).id).toBe(id);
  });

  test("list, list -q, list -f json", async () => {
    const { rt } = env;
    const a = await startContainer(env);
    const bBundle = await env.bundle({ args: ["sleep", "1000"] });
    const b = await rt.create(bBundle);

    const table = await rt.check(["list"]);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/);
    const rows = new Map(lines.slice(1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/)] as const));
    expect(rows.get(a.id)?.slice(1, 4)).toEqual([String(a.pid), "running", a.bundle.dir]);
    expect(rows.get(b)?.[2]).toBe("created");
    expect(rows.get(a.id)?.[5]).toBe("root");

    const quiet = await rt.check(["list", "-q"]);
    expect(quiet.stdout.trim().split("\n").sort()).toEqual([a.id, b].sort());

    const json = JSON.parse((await rt.check(["list", "-f", "json"])).stdout) as Array<Record<string, unknown>>;
    const byId = new Map(json.map((c) => [c["id"], c]));
    expect(byId.get(a.id)).toMatchObject({ id: a.id, pid: a.pid, status: "running", bundle: a.bundle.dir, owner: "root" });
    expect(byId.get(b)).toMatchObject({ id: b, status: "created" });
    expect(byId.get(a.id)?.["rootfs"]).toBe(path.join(a.bundle.dir, "rootfs"));

    // --format json is the same.
    expect(JSON.parse((await rt.check(["list", "--format", "json"])).stdout)).toHaveLength(2);
  });

  test("list of an empty or missing root", async () => {
    const r = await env.rt.check(["list", "-f", "json"]);
    expect(JSON.parse(r.stdout)).toBeNull();
    const q = await env.rt.check(["list", "-q"]);
    expect(q.stdout).toBe("");
  });

  test("cgroup: by default (as runc) the process is in <id> under runts' own cgroup in every hierarchy; the dirs go with delete", async () => {
    const { rt } = env;
    const c = await startContainer(env);
    const paths = procCgroupPaths(c.pid);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.sort()).toEqual(defaultCgroups(c.id).map((d) => d.path).sort());
    const dirs = defaultCgroupDirs(c.id);
    expect(dirs.length).toBeGreaterThan(0);
    for (const d of dirs) {
      expect(existsSync(d), d).toBe(true);
      expect(readFileSync(path.join(d, "cgroup.procs"), "utf8").split("\n"), d).toContain(String(c.pid));
    }
    await rt.delete(c.id, { force: true });
    for (const d of dirs) expect(existsSync(d), d).toBe(false);
    expect(isAlive(c.pid)).toBe(false);
  });

  test("cgroup: without cgroupsPath, an id naming an existing cgroup is refused, not joined, and nothing is left", async () => {
    const { rt } = env;
    const id = newContainerId();
    // Someone else's (empty) cgroup, beside runts' own, in one hierarchy.
    const taken = defaultCgroupDirs(id).find((d) => d.includes("/freezer/")) ?? (defaultCgroupDirs(id)[0] as string);
    mkdirSync(taken);
    try {
      const bundle = await env.bundle({ args: ["true"] });
      const r = await rt.exec(["create", "--bundle", bundle.dir, id], { stdio: rt.ioFiles(id) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`cgroup ${taken} exists already`);
      expect(existsSync(path.join(rt.root, id)), "state dir").toBe(false);
      for (const d of defaultCgroupDirs(id)) expect(existsSync(d), d).toBe(d === taken);
      expect(readdirSync(taken, { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual([]);
    } finally {
      rmdirSync(taken);
    }
  });

  test("cgroup: linux.cgroupsPath is honoured", async () => {
    const { rt } = env;
    const cgName = newContainerId();
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux!.cgroupsPath = `/${cgName}`;
      },
    });
    for (const p of procCgroupPaths(c.pid)) expect(p).toBe(`/${cgName}`);
    const dirs = cgroupHierarchies().map((h) => path.join(h, cgName));
    for (const d of dirs) expect(existsSync(d), d).toBe(true);
    await rt.kill(c.id, 9);
    await rt.waitForStatus(c.id, "stopped");
    await rt.delete(c.id);
    for (const d of dirs) expect(existsSync(d), d).toBe(false);
  });

  test("kill --all ID 9 kills a background process started inside the container", async () => {
    const { rt } = env;
    // busybox sh execs the last command of -c: init becomes the second sleep.
    const c = await startContainer(env, { args: ["sh", "-c", "sleep 100 & sleep 100"] });
    const dir = pidsCgroupDir(c.pid);
    const inCgroup = (): number[] => cgroupProcs(dir);
    await waitUntil(() => inCgroup().length === 2, "the two sleeps");
    const bg = inCgroup().find((p) => p !== c.pid) as number;
    expect(readFileSync(`/proc/${bg}/cmdline`, "utf8")).toBe("sleep\x00100\x00");
    const all = inCgroup();
    const ps = JSON.parse((await rt.check(["ps", "--format", "json", c.id])).stdout) as number[];
    expect(ps.sort()).toEqual([...all].sort());

    await rt.kill(c.id, 9, ["--all"]);
    await waitUntil(() => all.every((pid) => !isAlive(pid)), "every process of the container to die");
    const st = await rt.waitForStatus(c.id, "stopped");
    expect(st.pid).toBe(0);
    await rt.delete(c.id);
  });

  test("kill without --all signals the init process; when it exits, the whole pid namespace goes", async () => {
    const { rt } = env;
    // sh (pid 1 inside) traps TERM and exits 0; pid 1 ignores signals it has no handler for.
    const c = await startContainer(env, { args: ["sh", "-c", "trap 'exit 0' TERM; sleep 100 & wait"] });
    const dir = pidsCgroupDir(c.pid);
    const list = (): number[] => cgroupProcs(dir);
    await waitUntil(() => list().length === 2, "sh and its sleep");
    const sleeper = list().find((p) => p !== c.pid) as number;
    await rt.kill(c.id, "TERM");
    await waitUntil(() => !isAlive(c.pid), "sh to exit on TERM");
    await waitUntil(() => !isAlive(sleeper), "the kernel to kill the rest of the pid namespace");
    expect((await rt.waitForStatus(c.id, "stopped")).pid).toBe(0);
  });

  test("kill of a running container's init with a signal it ignores leaves it running", async () => {
    const c = await startContainer(env);
    // sleep as pid 1 has no handler for TERM: the kernel drops it.
    await env.rt.kill(c.id, "TERM");
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(c.pid)).toBe(true);
    expect((await env.rt.state(c.id)).status).toBe("running");
  });

  test("kill accepts signal names and numbers: SIGUSR1, USR1, 10", async () => {
    const { rt } = env;
    const c = await startContainer(env, {
      args: ["sh", "-c", "n=0; trap 'n=$((n+1)); echo usr1 $n' USR1; while [ $n -lt 3 ]; do sleep 0.05; done; echo done"],
    });
    for (const sig of ["SIGUSR1", "USR1", "10"]) {
      const before = rt.output(c.id).stdout;
      await rt.kill(c.id, sig);
      await waitUntil(() => rt.output(c.id).stdout !== before, `the trap to run for ${sig}`);
    }
    await rt.waitForStatus(c.id, "stopped");
    expect(rt.output(c.id).stdout).toBe("usr1 1\nusr1 2\nusr1 3\ndone\n");
  });
});
