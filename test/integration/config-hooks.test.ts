/**
 * Config: the six kinds of OCI hooks. Each hook is a `/bin/sh -c` script that
 * appends one line to a log in the bundle (bind-mounted at /hooks for the
 * hooks that run inside the container): its name, its mount and UTS
 * namespaces, an env variable, and the state JSON it read on stdin. From those
 * lines the tests check the order, where each hook ran, what it was told, and
 * what happens when one fails or outlives its timeout.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { Bundle, OciConfig } from "../helpers/bundle.js";
import { createFails, logLines } from "../helpers/config.js";
import { isRoot, newContainerId } from "../helpers/context.js";
import { isAlive, useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import { cgroupHierarchies, defaultCgroupDirs, defaultCgroups } from "../helpers/mountinfo.js";

type Kind = "prestart" | "createRuntime" | "createContainer" | "startContainer" | "poststart" | "poststop";
const KINDS: Kind[] = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"];

const HOOK_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Appends "$0|mnt ns|uts ns|$HOOKVAR|mnt ns of the state's pid|stdin" to the
 * file named by $1 (the pid's namespace as this hook can see it, if at all).
 */
const RECORD =
  's=$(cat); p=${s#*\\"pid\\":}; p=${p%%,*}; ' +
  'printf "%s|%s|%s|%s|%s|%s\\n" "$0" "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/uts)" "$HOOKVAR" ' +
  '"$(readlink /proc/$p/ns/mnt 2>/dev/null)" "$s" >> "$1"';

interface Entry {
  name: string;
  mnt: string;
  uts: string;
  hookvar: string;
  /** Mount namespace of the container process (state.pid), as the hook saw it. */
  pidMnt: string;
  state: Record<string, unknown> | undefined;
  raw: string;
}

function readEntries(file: string): Entry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((raw) => {
      const [name = "", mnt = "", uts = "", hookvar = "", pidMnt = "", ...rest] = raw.split("|");
      const json = rest.join("|");
      let state: Record<string, unknown> | undefined;
      try {
        state = json ? (JSON.parse(json) as Record<string, unknown>) : undefined;
      } catch {
        state = { unparsed: json };
      }
      return { name, mnt, uts, hookvar, pidMnt, state, raw };
    });
}

/** Paths of the hook log: on the host, and inside the container (bind-mounted at /hooks). */
function logPaths(b: Bundle): { host: string; inside: string } {
  return { host: path.join(b.dir, "hooks", "log"), inside: "/hooks/log" };
}

/** A recording hook; `script` runs after the line is written (e.g. "exit 3"). */
function recorder(kind: Kind, logFile: string, name: string = kind, script = "", timeout?: number): Record<string, unknown> {
  return {
    path: "/bin/sh",
    args: ["sh", "-c", script ? `${RECORD}; ${script}` : RECORD, name, logFile],
    env: [HOOK_PATH, `HOOKVAR=${kind}-env`],
    ...(timeout ? { timeout } : {}),
  };
}

/** Bind the bundle's hooks dir at /hooks (writable), and set `hooks`. */
function withHooks(b: { dir: string }, hooks: (log: { host: string; inside: string }) => Partial<Record<Kind, unknown[]>>) {
  return (cfg: OciConfig) => {
    const logs = { host: path.join(b.dir, "hooks", "log"), inside: "/hooks/log" };
    cfg.mounts!.push({ destination: "/hooks", type: "bind", source: path.join(b.dir, "hooks"), options: ["rbind", "rw"] });
    cfg["hooks"] = hooks(logs);
  };
}

/** Make a bundle whose config is written once its directory (for the hook log paths) is known. */
async function hookBundle(
  env: ReturnType<typeof useRuntimeEnv>,
  args: string[],
  hooks: (log: { host: string; inside: string }) => Partial<Record<Kind, unknown[]>>,
  more?: (cfg: OciConfig) => void,
): Promise<Bundle> {
  const b = await env.bundle({ args });
  mkdirSync(path.join(b.dir, "hooks"));
  const cfg = structuredClone(b.config);
  withHooks(b, hooks)(cfg);
  more?.(cfg);
  await b.writeConfig(cfg);
  return b;
}

/** The user process: records itself like a hook, then sleeps. */
const PROCESS_ARGS = [
  "sh",
  "-c",
  'printf "%s|%s|%s|%s||\\n" process "$(readlink /proc/self/ns/mnt)" "$(readlink /proc/self/ns/uts)" "$HOOKVAR" >> /hooks/log; exec sleep 1000',
];

function allSix(log: { host: string; inside: string }): Partial<Record<Kind, unknown[]>> {
  return {
    prestart: [recorder("prestart", log.host)],
    createRuntime: [recorder("createRuntime", log.host)],
    // Before the pivot: the host path of the log is still reachable.
    createContainer: [recorder("createContainer", log.host)],
    // Inside the container, after the pivot: the bind-mounted log.
    startContainer: [recorder("startContainer", log.inside)],
    poststart: [recorder("poststart", log.host)],
    poststop: [recorder("poststop", log.host)],
  };
}

/** Pids of processes whose command line is exactly `cmdline` (NUL-joined args). */
function pidsWithCmdline(args: string[]): number[] {
  const want = args.join("\0") + "\0";
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8") === want) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

describe.skipIf(!isRoot)("config: hooks", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("all six kinds: order, namespaces, env, args and the state JSON each one reads on stdin", async () => {
    const { rt } = env;
    const hostMnt = readlinkSync("/proc/self/ns/mnt");
    const hostUts = readlinkSync("/proc/self/ns/uts");
    const b = await hookBundle(env, PROCESS_ARGS, allSix, (cfg) => {
      cfg["annotations"] = { "org.example.hooks": "yes" };
    });
    const log = logPaths(b).host;
    const id = newContainerId();

    await rt.create(b, id);
    const created = await rt.state(id);
    const pid = created.pid;
    const ctrMnt = readlinkSync(`/proc/${pid}/ns/mnt`);
    const ctrUts = readlinkSync(`/proc/${pid}/ns/uts`);
    expect(ctrMnt).not.toBe(hostMnt);
    expect(readEntries(log).map((e) => e.name)).toEqual(["prestart", "createRuntime", "createContainer"]);

    await rt.start(id);
    await waitUntil(() => readEntries(log).some((e) => e.name === "process"), "the user process to run");
    // start returns after the poststart hooks have run.
    const afterStart = readEntries(log).map((e) => e.name);
    expect(afterStart).toContain("poststart");
    // startContainer runs before the user process (poststart may overlap with both, as in runc).
    expect(afterStart.filter((n) => n !== "poststart")).toEqual([
      "prestart",
      "createRuntime",
      "createContainer",
      "startContainer",
      "process",
    ]);

    await rt.kill(id, "KILL");
    await rt.waitForStatus(id, "stopped");
    expect(readEntries(log).map((e) => e.name)).not.toContain("poststop");
    await rt.delete(id);
    const entries = readEntries(log);
    expect(entries.at(-1)?.name).toBe("poststop");

    const by = new Map(entries.map((e) => [e.name, e]));
    const expectedStatus: Record<Kind, string> = {
      prestart: "creating",
      createRuntime: "creating",
      createContainer: "creating",
      startContainer: "created",
      poststart: "running",
      poststop: "stopped",
    };
    for (const kind of KINDS) {
      const e = by.get(kind);
      expect(e, kind).toBeDefined();
      expect(e?.hookvar, `${kind} env`).toBe(`${kind}-env`);
      expect(e?.state, `${kind} stdin`).toMatchObject({
        id,
        pid,
        bundle: b.dir,
        status: expectedStatus[kind],
        annotations: { "org.example.hooks": "yes" },
      });
      expect(typeof e?.state?.["ociVersion"], `${kind} ociVersion`).toBe("string");
      const inContainer = kind === "createContainer" || kind === "startContainer";
      expect(e?.mnt, `${kind} mount namespace`).toBe(inContainer ? ctrMnt : hostMnt);
      expect(e?.uts, `${kind} uts namespace`).toBe(inContainer ? ctrUts : hostUts);
    }
    expect(by.get("process")?.mnt).toBe(ctrMnt);
    // prestart and createRuntime run in the runtime's namespaces once the container's exist.
    expect(by.get("prestart")?.pidMnt).toBe(ctrMnt);
    expect(by.get("createRuntime")?.pidMnt).toBe(ctrMnt);
  });

  test("run in the foreground runs all six, poststop last, after the container is gone", async () => {
    const id = newContainerId();
    const b = await hookBundle(env, ["sh", "-c", "echo process >> /hooks/log"], (log) => {
      const hooks = allSix(log);
      // poststop also records whether the state dir and the cgroup are gone by then.
      const stateDir = path.join(env.rt.root, id);
      const cgroups = defaultCgroupDirs(id);
      const check = `for p in ${stateDir} ${cgroups.join(" ")}; do [ -e "$p" ] && echo "left $p" >> "$1"; done; true`;
      hooks.poststop = [recorder("poststop", log.host, "poststop", check)];
      return hooks;
    });
    const r = await env.rt.run(b, id);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const lines = readFileSync(logPaths(b).host, "utf8").trim().split("\n");
    const names = lines.map((l) => l.split("|")[0]);
    expect(names.slice(0, 3)).toEqual(["prestart", "createRuntime", "createContainer"]);
    expect(names.indexOf("startContainer")).toBeLessThan(names.indexOf("process"));
    expect(names).toContain("poststart");
    expect(names.at(-1)).toBe("poststop");
    expect(lines.filter((l) => l.startsWith("left "))).toEqual([]);
  });

  test("a hook given only a path gets the path as argv[0], and an env of exactly hook.env", async () => {
    const b = await env.bundle({ args: ["true"] });
    const out = path.join(b.dir, "hook-env");
    const script = path.join(b.dir, "hook.sh");
    writeFileSync(script, `#!/bin/sh\necho "argv0=$0" > ${out}\nenv >> ${out}\n`);
    chmodSync(script, 0o755);
    const cfg = structuredClone(b.config);
    cfg["hooks"] = { prestart: [{ path: script, env: ["ONLY=this", HOOK_PATH] }] };
    await b.writeConfig(cfg);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe(`argv0=${script}`);
    const vars = lines.slice(1).filter((l) => !l.startsWith("PWD=")); // the shell adds PWD
    expect(vars.sort()).toEqual(["ONLY=this", HOOK_PATH].sort());
    // Nothing of the runtime's environment leaks in (vitest set RUNTS_TEST_RUN for us and for runts).
    expect(process.env["RUNTS_TEST_RUN"]).toBeDefined();
    expect(lines.join("\n")).not.toContain("RUNTS_TEST_RUN");
  });

  for (const kind of ["prestart", "createRuntime", "createContainer"] as const) {
    test(`a failing ${kind} hook fails create, names the hook, stops the hooks after it, leaves nothing behind`, async () => {
      const b = await hookBundle(env, ["true"], (log) => {
        const hooks = allSix(log);
        hooks[kind] = [recorder(kind, log.host, kind, `echo "${kind} says no" >&2; exit 3`), recorder(kind, log.host, `${kind}-second`)];
        return hooks;
      });
      const r = await createFails(env, b);
      expect(r.error).toContain(kind);
      expect(r.error).toContain("/bin/sh");
      expect(r.error).toMatch(/exit status 3/);
      expect(r.error).toContain(`${kind} says no`);
      const names = readEntries(logPaths(b).host).map((e) => e.name);
      const upTo = ["prestart", "createRuntime", "createContainer"];
      expect(names).toEqual(upTo.slice(0, upTo.indexOf(kind) + 1));
    });
  }

  test("the cgroup limits, devices rules included, are set before the first hook and before createContainer hooks", async () => {
    // runts writes the devices rules while the container process makes its
    // mounts; the process waits for them before its device nodes and hooks.
    const mounts = cgroupHierarchies();
    const devices = mounts.find((m) => path.basename(m).split(",").includes("devices"));
    const memory = mounts.find((m) => path.basename(m).split(",").includes("memory"));
    if (!devices || !memory) return; // a cgroup v2 host: no devices.list to read (the rules are an eBPF program there)
    const id = newContainerId();
    const dirIn = (mount: string) => defaultCgroups(id).find((c) => c.mountpoint === mount)?.dir ?? "";
    const files = { devices: path.join(dirIn(devices), "devices.list"), memory: path.join(dirIn(memory), "memory.limit_in_bytes") };
    const seen = (log: string, name: string) => `{ tr "\\n" ";" < ${files.devices}; echo "|$(cat ${files.memory})"; } > "${log}.${name}"`;
    const b = await hookBundle(
      env,
      ["true"],
      (log) => ({
        prestart: [recorder("prestart", log.host, "prestart", seen(log.host, "prestart"))],
        createContainer: [recorder("createContainer", log.host, "createContainer", seen(log.host, "createContainer"))],
      }),
      (cfg) => {
        (cfg.linux as Record<string, unknown>)["resources"] = {
          ...((cfg.linux as Record<string, unknown>)["resources"] as object),
          memory: { limit: 64 << 20 },
        };
      },
    );
    const r = await env.rt.run(b, id);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    for (const name of ["prestart", "createContainer"]) {
      const [list = "", limit] = readFileSync(`${logPaths(b).host}.${name}`, "utf8").trim().split("|");
      expect(limit, name).toBe(String(64 << 20));
      // Not the parent's allow-all any more: the container's rules.
      expect(list.split(";"), name).not.toContain("a *:* rwm");
      expect(list.split(";"), name).toContain("c 1:3 rwm");
    }
  });

  test("a missing hook executable fails create with its path", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg["hooks"] = { createRuntime: [{ path: "/nonexistent/runts-hook" }] };
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toContain("/nonexistent/runts-hook");
  });

  test("a failing startContainer hook: the user process never runs, the container stops, poststop still runs", async () => {
    const b = await hookBundle(env, ["sh", "-c", "echo process >> /hooks/log"], (log) => {
      const hooks = allSix(log);
      hooks.startContainer = [recorder("startContainer", log.inside, "startContainer", "echo start refused >&2; exit 4")];
      return hooks;
    });
    const r = await env.rt.run(b);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/startContainer|hook/);
    expect(r.stderr).toContain("start refused");
    const names = readEntries(logPaths(b).host).map((e) => e.name);
    expect(names).toContain("startContainer");
    expect(names).not.toContain("process");
    expect(names.at(-1)).toBe("poststop");
  });

  test("a failing poststart hook is logged; the next poststart hook runs; the container keeps running", async () => {
    const { rt } = env;
    const b = await hookBundle(env, PROCESS_ARGS, (log) => ({
      poststart: [recorder("poststart", log.host, "poststart", "exit 5"), recorder("poststart", log.host, "poststart-second")],
    }));
    const id = await rt.create(b);
    const start = await rt.exec(["start", id]);
    expect(start.code, start.stderr).toBe(0);
    const st = await rt.state(id);
    expect(st.status).toBe("running");
    expect(isAlive(st.pid)).toBe(true);
    expect(readEntries(logPaths(b).host).map((e) => e.name)).toEqual(
      expect.arrayContaining(["poststart", "poststart-second"]),
    );
    const warnings = logLines(rt).filter((l) => l.level === "warning" || l.level === "warn");
    expect(warnings.map((w) => w.msg).join("\n")).toMatch(/poststart.*exit status 5/);
  });

  test("poststop: every hook runs even when one fails; delete succeeds and logs the failure", async () => {
    const { rt } = env;
    const b = await hookBundle(env, PROCESS_ARGS, (log) => ({
      poststop: [
        recorder("poststop", log.host, "poststop-first", "exit 6"),
        recorder("poststop", log.host, "poststop-second", "exit 7"),
        recorder("poststop", log.host, "poststop-third"),
      ],
    }));
    const id = await rt.create(b);
    await rt.start(id);
    await rt.kill(id, "KILL");
    await rt.waitForStatus(id, "stopped");
    const del = await rt.exec(["delete", id]);
    expect(del.code, del.stderr).toBe(0);
    const names = readEntries(logPaths(b).host).map((e) => e.name);
    expect(names.filter((n) => n !== "process")).toEqual(["poststop-first", "poststop-second", "poststop-third"]);
    const warnings = logLines(rt)
      .filter((l) => l.level === "warning")
      .map((w) => w.msg)
      .join("\n");
    expect(warnings).toMatch(/exit status 6/);
    expect(warnings).toMatch(/exit status 7/);
    expect((await rt.exec(["state", id])).stderr).toContain("container does not exist");
  });

  test("delete --force of a running container runs poststop too", async () => {
    const { rt } = env;
    const b = await hookBundle(env, PROCESS_ARGS, (log) => ({ poststop: [recorder("poststop", log.host)] }));
    const id = await rt.create(b);
    await rt.start(id);
    await waitUntil(() => readEntries(logPaths(b).host).some((e) => e.name === "process"), "the user process to run");
    await rt.delete(id, { force: true });
    expect(readEntries(logPaths(b).host).map((e) => e.name)).toEqual(["process", "poststop"]);
  });

  // A hook that outlives its timeout is killed, and create fails in about that time.
  for (const kind of ["prestart", "createRuntime", "createContainer"] as const) {
    test(`a ${kind} hook that outlives its timeout is killed; create fails, nothing left`, async () => {
      const marker = ["sleep", `37.${KINDS.indexOf(kind)}1`];
      const b = await env.bundle({
        args: ["true"],
        mutate: (cfg) => {
          cfg["hooks"] = { [kind]: [{ path: "/bin/sleep", args: marker, timeout: 1 }] };
        },
      });
      try {
        const t0 = Date.now();
        const r = await createFails(env, b);
        expect(Date.now() - t0).toBeLessThan(8_000);
        expect(r.error).toContain(kind === "createContainer" ? "hook" : kind);
        expect(r.error).toMatch(/timeout|timed out/i);
        expect(pidsWithCmdline(marker), "the hook process is killed").toEqual([]);
      } finally {
        killPids(pidsWithCmdline(marker));
      }
    });
  }

  test("a startContainer hook that outlives its timeout is killed; the user process does not run", async () => {
    const marker = ["sleep", "37.91"];
    const b = await hookBundle(env, ["sh", "-c", "echo process >> /hooks/log"], () => ({
      startContainer: [{ path: "/bin/sleep", args: marker, timeout: 1 }],
    }));
    try {
      const t0 = Date.now();
      const r = await env.rt.run(b);
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/timeout|timed out/i);
      expect(existsSync(logPaths(b).host)).toBe(false);
      expect(pidsWithCmdline(marker)).toEqual([]);
    } finally {
      killPids(pidsWithCmdline(marker));
    }
  });

  test("a poststart hook that outlives its timeout is killed and logged; the container keeps running", async () => {
    const marker = ["sleep", "37.81"];
    const { rt } = env;
    const b = await env.bundle({
      args: ["sleep", "1000"],
      mutate: (cfg) => {
        cfg["hooks"] = { poststart: [{ path: "/bin/sleep", args: marker, timeout: 1 }] };
      },
    });
    try {
      const id = await rt.create(b);
      const t0 = Date.now();
      const start = await rt.exec(["start", id]);
      expect(start.code, start.stderr).toBe(0);
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect((await rt.state(id)).status).toBe("running");
      expect(pidsWithCmdline(marker)).toEqual([]);
      const warnings = logLines(rt).filter((l) => l.level === "warning");
      expect(warnings.map((w) => w.msg).join("\n")).toMatch(/poststart.*timeout/);
    } finally {
      killPids(pidsWithCmdline(marker));
    }
  });

  test("a poststop hook that outlives its timeout is killed and logged; delete succeeds, the next hook runs", async () => {
    const marker = ["sleep", "37.71"];
    const { rt } = env;
    const b = await hookBundle(env, ["true"], (log) => ({
      poststop: [{ path: "/bin/sleep", args: marker, timeout: 1 }, recorder("poststop", log.host, "poststop-after")],
    }));
    try {
      const id = await rt.create(b);
      const t0 = Date.now();
      const del = await rt.exec(["delete", id]);
      expect(del.code, del.stderr).toBe(0);
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(pidsWithCmdline(marker)).toEqual([]);
      expect(readEntries(logPaths(b).host).map((e) => e.name)).toEqual(["poststop-after"]);
      const warnings = logLines(rt).filter((l) => l.level === "warning");
      expect(warnings.map((w) => w.msg).join("\n")).toMatch(/poststop.*timeout/);
    } finally {
      killPids(pidsWithCmdline(marker));
    }
  });

  test("the timeout counts from the hook's start, even for a hook that keeps printing", async () => {
    // A createContainer hook that prints every 0.3 s for ~6 s, with a 1 s timeout:
    // it must be killed after about a second, not allowed to run to its end.
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg["hooks"] = {
          createContainer: [
            {
              path: "/bin/sh",
              args: ["sh", "-c", "i=0; while [ $i -lt 20 ]; do echo tick; sleep 0.3; i=$((i+1)); done"],
              timeout: 1,
            },
          ],
        };
      },
    });
    const t0 = Date.now();
    const r = await env.rt.exec(["create", "--bundle", b.dir, newContainerId()], { stdio: env.rt.ioFiles("chatty") });
    const took = Date.now() - t0;
    expect(r.code, "create must fail: the hook outlived its timeout").not.toBe(0);
    expect(took, "killed after about its 1 s timeout").toBeLessThan(4_000);
  });
});
