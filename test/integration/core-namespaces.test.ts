/**
 * Core: hostname and domainname, the pid namespace (the user process is pid
 * 1), new namespaces seen from the host, and joining a namespace by path.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { isRoot } from "../helpers/context.js";
import { nsLink, runOk, startContainer, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

describe.skipIf(!isRoot)("core: namespaces", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("hostname and domainname come from config.json", async () => {
    const out = await runOk(env, "hostname; cat /proc/sys/kernel/domainname; uname -n", {
      mutate: (cfg) => {
        cfg.hostname = "core-host";
        cfg["domainname"] = "core.example";
      },
    });
    expect(out).toBe("core-host\ncore.example\ncore-host\n");
  });

  test("without domainname the container's is the kernel default (none)", async () => {
    const out = await runOk(env, "cat /proc/sys/kernel/domainname");
    expect(out).toBe("(none)\n");
  });

  test("the user process is pid 1 of its pid namespace", async () => {
    // sh is pid 1 and reads its own command line through /proc/1.
    const script = "tr '\\0' ' ' < /proc/1/cmdline; echo; echo pid=$$; ps -o pid,args | sed 1d";
    const lines = (await runOk(env, script)).split("\n");
    expect(lines[0]).toBe(`sh -c ${script} `);
    expect(lines[1]).toBe("pid=1");
    // Only the shell and its children are visible: nothing of the host.
    const pids = lines
      .slice(2)
      .filter((l) => l.trim() !== "")
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(pids).toContain(1);
    expect(pids.length).toBeLessThanOrEqual(4);
  });

  test("pid file holds state's pid, and that host process runs the user command", async () => {
    const c = await startContainer(env, { args: ["sleep", "1000"] });
    expect(Number(readFileSync(env.rt.pidFile(c.id), "utf8"))).toBe(c.pid);
    expect(readFileSync(`/proc/${c.pid}/cmdline`, "utf8")).toBe("sleep\x001000\x00");
    // NSpid: the host pid, then 1 in the container's pid namespace.
    const nspid = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${c.pid}/status`, "utf8"))?.[1]?.split(/\s+/);
    expect(nspid).toEqual([String(c.pid), "1"]);
  });

  test("pid, net, ipc, uts and mnt namespaces are new; user and cgroup are the host's when not asked for", async () => {
    const c = await startContainer(env);
    for (const ns of ["pid", "net", "ipc", "uts", "mnt"]) {
      expect(nsLink(c.pid, ns), ns).not.toBe(nsLink("self", ns));
    }
    for (const ns of ["user", "cgroup"]) {
      expect(nsLink(c.pid, ns), ns).toBe(nsLink("self", ns));
    }
  });

  test("a cgroup namespace when asked for", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux?.namespaces?.push({ type: "cgroup" });
      },
    });
    expect(nsLink(c.pid, "cgroup")).not.toBe(nsLink("self", "cgroup"));
    // Rooted at the container's own cgroups: made after runts put the process in them.
    const inside = await runOk(env, "cat /proc/self/cgroup", {
      mutate: (cfg) => {
        cfg.linux?.namespaces?.push({ type: "cgroup" });
      },
    });
    const lines = inside.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line, inside).toMatch(/:\/$/);
  });

  test("a namespace given by path is joined: the network namespace of another container", async () => {
    const first = await startContainer(env);
    const netns = nsLink(first.pid, "net");
    const utsOfFirst = nsLink(first.pid, "uts");

    const second = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux!.namespaces = cfg.linux!.namespaces!.map((ns) =>
          ns.type === "network" ? { type: "network", path: `/proc/${first.pid}/ns/net` } : ns,
        );
      },
    });
    expect(nsLink(second.pid, "net")).toBe(netns);
    // The others stay its own.
    expect(nsLink(second.pid, "uts")).not.toBe(utsOfFirst);
    expect(nsLink(second.pid, "pid")).not.toBe(nsLink(first.pid, "pid"));

    // Seen from inside a third one, run in the foreground: the same inode.
    const inside = await runOk(env, "readlink /proc/self/ns/net", {
      mutate: (cfg) => {
        cfg.linux!.namespaces = cfg.linux!.namespaces!.map((ns) =>
          ns.type === "network" ? { type: "network", path: `/proc/${first.pid}/ns/net` } : ns,
        );
      },
    });
    expect(inside.trim()).toBe(netns);
  });

  test("a new network namespace has only a loopback interface", async () => {
    const out = await runOk(env, "ls /sys/class/net");
    expect(out.split(/\s+/).filter(Boolean)).toEqual(["lo"]);
  });

  test("without a network namespace the container shares the host's", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux!.namespaces = cfg.linux!.namespaces!.filter((ns) => ns.type !== "network");
      },
    });
    expect(nsLink(c.pid, "net")).toBe(nsLink("self", "net"));
    expect(nsLink(c.pid, "pid")).not.toBe(nsLink("self", "pid"));
  });
});
