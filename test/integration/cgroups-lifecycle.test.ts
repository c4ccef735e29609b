/**
 * pause / resume / kill / delete / ps of real containers, seen through their
 * cgroups: a counter loop stops when paused and moves again when resumed,
 * `state` says "paused", a paused container can be killed and force-deleted,
 * `kill --all` reaches a process the init forked, `delete` of a container
 * whose init died kills what is left, `ps -f json` lists exactly the
 * container's processes.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import { isRoot } from "../helpers/context.js";
import { isAlive, startContainer, waitUntil } from "../helpers/core.js";
import { cgroupDir, hostIsV2 } from "../helpers/cgroups.js";
import { useRuntimeEnv } from "../helpers/harness.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** No pid namespace: the container's processes are plain host processes that outlive their init. */
const sharedPidNs = (cfg: OciConfig): void => {
  if (cfg.linux) cfg.linux.namespaces = (cfg.linux.namespaces ?? []).filter((n) => n.type !== "pid");
};

function size(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

function freezerState(pid: number): string {
  return hostIsV2()
    ? readFileSync(`${cgroupDir(pid)}/cgroup.freeze`, "utf8").trim() === "1"
      ? "FROZEN"
      : "THAWED"
    : readFileSync(`${cgroupDir(pid, "freezer")}/freezer.state`, "utf8").trim();
}

describe.skipIf(!isRoot)("cgroups: pause, resume, kill, delete, ps", () => {
  const env = useRuntimeEnv();

  test("pause freezes a counter loop, state says paused, resume restarts it", async () => {
    const c = await startContainer(env, { args: ["sh", "-c", "while :; do echo x >> /dev/shm/counter; done"] });
    const counter = `/proc/${c.pid}/root/dev/shm/counter`;
    await waitUntil(() => size(counter) > 0, "the counter to start");

    await env.rt.check(["pause", c.id]);
    expect((await env.rt.state(c.id)).status).toBe("paused");
    expect(freezerState(c.pid)).toBe("FROZEN");
    const frozenAt = size(counter);
    await sleep(300);
    expect(size(counter)).toBe(frozenAt);
    // list agrees.
    const list = JSON.parse((await env.rt.check(["list", "-f", "json"])).stdout) as { id: string; status: string }[];
    expect(list.find((x) => x.id === c.id)?.status).toBe("paused");

    // Pausing twice, or resuming a running container, is refused as runc does.
    expect((await env.rt.exec(["pause", c.id])).code).toBe(1);
    await env.rt.check(["resume", c.id]);
    expect((await env.rt.state(c.id)).status).toBe("running");
    expect(freezerState(c.pid)).toBe("THAWED");
    await waitUntil(() => size(counter) > frozenAt, "the counter to move again");
    const r = await env.rt.exec(["resume", c.id]);
    expect(r.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/container not paused/);
  });

  test("a paused container can be killed (SIGKILL thaws it) and then deleted", async () => {
    const c = await startContainer(env);
    await env.rt.check(["pause", c.id]);
    await env.rt.kill(c.id, "KILL");
    await env.rt.waitForStatus(c.id, "stopped");
    expect(isAlive(c.pid)).toBe(false);
    await env.rt.delete(c.id);
    expect(existsSync(`/proc/${c.pid}`) && isAlive(c.pid)).toBe(false);
  });

  test("delete --force of a paused container removes it and its cgroup", async () => {
    const c = await startContainer(env, { args: ["sh", "-c", "sleep 1000 & exec sleep 1001"], mutate: sharedPidNs });
    const dir = cgroupDir(c.pid, "pids");
    await env.rt.check(["pause", c.id]);
    const r = await env.rt.exec(["delete", c.id]);
    expect(r.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(`cannot delete container ${c.id} that is not stopped: paused`);
    await env.rt.delete(c.id, { force: true });
    expect(existsSync(dir)).toBe(false);
    expect((await env.rt.exec(["state", c.id])).code).toBe(1);
  });

  test("ps -f json lists exactly the container's processes; kill --all reaches a forked background process", async () => {
    const c = await startContainer(env, { args: ["sh", "-c", "sleep 1000 & exec sleep 1001"], mutate: sharedPidNs });
    const procs = (): number[] =>
      readFileSync(`${cgroupDir(c.pid, "pids")}/cgroup.procs`, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map(Number)
        .sort((a, b) => a - b);
    await waitUntil(() => procs().length === 2, "the background sleep");
    const ps = JSON.parse((await env.rt.check(["ps", "--format", "json", c.id])).stdout) as number[];
    expect(ps).toEqual(procs());
    expect(ps).toContain(c.pid);
    const bg = ps.find((p) => p !== c.pid) ?? 0;
    expect(readFileSync(`/proc/${bg}/cmdline`, "utf8")).toBe("sleep\x001000\x00");
    // The table form goes through ps(1), header included.
    const table = (await env.rt.check(["ps", c.id])).stdout.split("\n");
    expect(table[0]).toMatch(/PID/);
    expect(table.filter((l) => /sleep 100[01]/.test(l)).length).toBe(2);

    await env.rt.kill(c.id, "TERM", ["--all"]);
    await waitUntil(() => !isAlive(bg) && !isAlive(c.pid), "both processes to die");
    await env.rt.waitForStatus(c.id, "stopped");
  });

  test("kill --all SIGKILL of a paused container kills and thaws everything", async () => {
    const c = await startContainer(env, { args: ["sh", "-c", "sleep 1000 & exec sleep 1001"], mutate: sharedPidNs });
    let pids: number[] = [];
    await waitUntil(async () => {
      pids = (JSON.parse((await env.rt.check(["ps", "-f", "json", c.id])).stdout) as number[] | null) ?? [];
      return pids.length === 2;
    }, "two processes");
    await env.rt.check(["pause", c.id]);
    await env.rt.kill(c.id, "KILL", ["--all"]);
    await waitUntil(() => pids.every((p) => !isAlive(p)), "every process to die");
    await env.rt.delete(c.id);
  });

  test("delete of a container whose init died kills the processes left in its cgroup", async () => {
    const c = await startContainer(env, { args: ["sh", "-c", "sleep 1000 & exec sleep 1001"], mutate: sharedPidNs });
    const dir = cgroupDir(c.pid, "pids");
    let bg = 0;
    await waitUntil(() => {
      bg =
        readFileSync(`${dir}/cgroup.procs`, "utf8")
          .split("\n")
          .map(Number)
          .find((p) => p > 0 && p !== c.pid) ?? 0;
      return bg > 0;
    }, "the background sleep");
    // Only the init: the background sleep (no pid namespace to take it down) lives on.
    await env.rt.kill(c.id, "KILL");
    await env.rt.waitForStatus(c.id, "stopped");
    expect(isAlive(bg)).toBe(true);
    await env.rt.delete(c.id);
    await waitUntil(() => !isAlive(bg), "the leftover to be killed");
    expect(existsSync(dir)).toBe(false);
  });

  test("pause and resume of a container that does not run are refused with runc's messages", async () => {
    const b = await env.bundle({ args: ["true"] });
    const r = await env.rt.run(b, undefined, ["--keep"]);
    expect(r.code).toBe(0);
    const p = await env.rt.exec(["pause", r.id]);
    expect(p.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/container not running/);
    expect((await env.rt.exec(["pause", "nope-runts-test"])).code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/container does not exist/);
  });
});
