/**
 * `update` and `events` on real containers: limits changed on a running
 * container through runc's flags and through LinuxResources JSON on stdin
 * (as containerd and Docker send it), read back from the cgroup files;
 * `events --stats` and the event stream in runc's JSON shape, OOM included.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import { isRoot } from "../helpers/context.js";
import { startContainer } from "../helpers/core.js";
import { cgroupDir, hostIsV2 } from "../helpers/cgroups.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import type { Runtime } from "../helpers/runtime.js";

function read(dir: string, file: string): string {
  return readFileSync(`${dir}/${file}`, "utf8").trim();
}

const memFile = (): string => (hostIsV2() ? "memory.max" : "memory.limit_in_bytes");
const memDir = (pid: number): string => (hostIsV2() ? cgroupDir(pid) : cgroupDir(pid, "memory"));
const pidsDir = (pid: number): string => (hostIsV2() ? cgroupDir(pid) : cgroupDir(pid, "pids"));
const cpuDir = (pid: number): string => (hostIsV2() ? cgroupDir(pid) : cgroupDir(pid, "cpu"));

interface Event {
  type: string;
  id: string;
  data?: Record<string, Record<string, unknown>>;
}

/** Run `events` in the background, collecting its JSON lines, until stop(). */
function eventStream(rt: Runtime, args: string[]): { events: () => Event[]; stop: () => Promise<void> } {
  const child = spawn(rt.bin, ["--root", rt.root, "--log", rt.logFile, "--log-format", "json", "events", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout.on("data", (b: Buffer) => (text += b.toString()));
  const closed = new Promise<void>((r) => child.once("close", () => r()));
  return {
    events: () =>
      text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Event),
    stop: async () => {
      child.kill("SIGTERM");
      await closed;
    },
  };
}

const waitFor = async (cond: () => boolean, what: string, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!isRoot)("cgroups: update and events", () => {
  const env = useRuntimeEnv();

  test("update with runc's flags changes memory, pids and cpu of a running container", async () => {
    const c = await startContainer(env);
    await env.rt.check(["update", "--memory", "64m", "--pids-limit", "20", "--cpu-quota", "30000", "--cpu-period", "60000", c.id]);
    expect(read(memDir(c.pid), memFile())).toBe(String(64 << 20));
    expect(read(pidsDir(c.pid), "pids.max")).toBe("20");
    if (hostIsV2()) expect(read(cpuDir(c.pid), "cpu.max")).toBe("30000 60000");
    else expect([read(cpuDir(c.pid), "cpu.cfs_quota_us"), read(cpuDir(c.pid), "cpu.cfs_period_us")]).toEqual(["30000", "60000"]);

    // Only what is given changes: a new quota keeps the period, 0 is "not set".
    await env.rt.check(["update", "--cpu-quota", "15000", "--memory", "0", c.id]);
    expect(read(memDir(c.pid), memFile())).toBe(String(64 << 20));
    if (hostIsV2()) expect(read(cpuDir(c.pid), "cpu.max")).toBe("15000 60000");
    else expect(read(cpuDir(c.pid), "cpu.cfs_period_us")).toBe("60000");

    // -1: unlimited again.
    await env.rt.check(["update", "--pids-limit", "-1", c.id]);
    expect(read(pidsDir(c.pid), "pids.max")).toBe("max");

    // Bad values are refused with runc's words, and nothing changes.
    const bad = await env.rt.exec(["update", "--memory", "lots", c.id]);
    expect(bad.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/invalid value for memory: invalid size: 'lots'/);
    expect(read(memDir(c.pid), memFile())).toBe(String(64 << 20));
  });

  test("update -r - takes LinuxResources JSON on stdin (as containerd sends it), and -r FILE", async () => {
    const c = await startContainer(env);
    const json = {
      memory: { limit: 128 << 20, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0, swappiness: null, disableOOMKiller: false },
      cpu: { shares: 0, quota: 0, period: 0, realtimeRuntime: 0, realtimePeriod: 0, cpus: "", mems: "" },
      pids: { limit: 30 },
      blockIO: { weight: 0 },
    };
    await env.rt.check(["update", "-r", "-", c.id], { input: JSON.stringify(json) });
    expect(read(memDir(c.pid), memFile())).toBe(String(128 << 20));
    expect(read(pidsDir(c.pid), "pids.max")).toBe("30");

    const file = `${c.bundle.dir}/resources.json`;
    writeFileSync(file, JSON.stringify({ pids: { limit: 40 } }));
    await env.rt.check(["update", "--resources", file, c.id]);
    expect(read(pidsDir(c.pid), "pids.max")).toBe("40");
    // The earlier memory limit stays.
    expect(read(memDir(c.pid), memFile())).toBe(String(128 << 20));

    const r = await env.rt.exec(["update", "-r", "-", c.id], { input: '{"memory": {"limit": "big"}}' });
    expect(r.code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/memory.limit must be an integer/);
  });

  test("update of a stopped container is refused", async () => {
    const b = await env.bundle({ args: ["true"] });
    const r = await env.rt.run(b, undefined, ["--keep"]);
    expect(r.code).toBe(0);
    expect((await env.rt.exec(["update", "--pids-limit", "5", r.id])).code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/container not running/);
  });

  test("events --stats prints one stats event in runc's shape, memory usage included", async () => {
    // 8 MB in the container's tmpfs /dev/shm: charged to its memory cgroup.
    const c = await startContainer(env, {
      args: ["sh", "-c", "head -c 8000000 /dev/zero > /dev/shm/fill; touch /dev/shm/done; exec sleep 1000"],
    });
    await waitFor(() => existsSync(`/proc/${c.pid}/root/dev/shm/done`), "the fill");
    const out = (await env.rt.check(["events", "--stats", c.id])).stdout;
    expect(out.endsWith("\n")).toBe(true);
    expect(out.trim().split("\n").length).toBe(1);
    const e = JSON.parse(out) as Event;
    expect(e.type).toBe("stats");
    expect(e.id).toBe(c.id);
    const data = e.data ?? {};
    expect(Object.keys(data)).toEqual(["cpu", "cpuset", "memory", "pids", "blkio", "hugetlb", "intel_rdt", "network_interfaces"]);
    const usage = (data.memory?.usage ?? {}) as { usage?: number; limit?: number };
    expect(usage.usage).toBeGreaterThan(8_000_000);
    expect(data.pids?.current).toBeGreaterThanOrEqual(1);
    expect((data.cpu?.usage as { total?: number }).total).toBeGreaterThan(0);
    expect(typeof data.memory?.raw).toBe("object");
  });

  test("events streams stats every interval and reports an OOM kill", async () => {
    const limit = 16 << 20;
    const swap = hostIsV2() || existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes") ? { swap: limit } : {};
    const c = await startContainer(env, {
      args: ["sh", "-c", "while :; do sleep 1; done"],
      mutate: (cfg: OciConfig) => {
        const linux = (cfg.linux ??= {});
        linux.resources = { ...(linux.resources ?? {}), memory: { limit, ...swap } };
      },
    });
    const s = eventStream(env.rt, ["--interval", "200ms", c.id]);
    try {
      await waitFor(() => s.events().filter((e) => e.type === "stats").length >= 2, "two stats events");
      // An allocator beyond the limit in the container's cgroup: the OOM killer takes it.
      const alloc = spawn("sh", ["-c", `echo $$ > ${memDir(c.pid)}/cgroup.procs && exec dd if=/dev/zero of=/dev/null bs=64M count=1`]);
      await new Promise((r) => alloc.once("close", r));
      await waitFor(() => s.events().some((e) => e.type === "oom"), "an oom event");
      const oom = s.events().find((e) => e.type === "oom");
      expect(oom).toEqual({ type: "oom", id: c.id });
    } finally {
      await s.stop();
    }
  });

  test("events of a stopped container, or with a zero interval, is refused as runc does", async () => {
    const b = await env.bundle({ args: ["true"] });
    const r = await env.rt.run(b, undefined, ["--keep"]);
    expect((await env.rt.exec(["events", "--stats", r.id])).code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(`container with id ${r.id} is not running`);
    expect((await env.rt.exec(["events", "--interval", "0s", r.id])).code).toBe(1);
    expect(env.rt.logTail(1)).toMatch(/duration interval must be greater than 0/);
  });
});
