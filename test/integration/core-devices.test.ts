/**
 * Core: /dev inside the container: the default device nodes (type,
 * major:minor, mode), the standard symlinks, linux.devices entries with their
 * mode and owner, and that the nodes work.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot } from "../helpers/context.js";
import { runOk, runScript, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

/** `stat -c '%n|%F|%t:%T|%a|%u:%g'` lines by path. */
function statTable(out: string): Map<string, { type: string; dev: string; mode: string; owner: string }> {
  const table = new Map<string, { type: string; dev: string; mode: string; owner: string }>();
  for (const line of out.split("\n")) {
    const [name, type, dev, mode, owner] = line.split("|");
    if (name && type && dev && mode && owner) table.set(name, { type, dev, mode, owner });
  }
  return table;
}

const STAT = "stat -c '%n|%F|%t:%T|%a|%u:%g'";

describe.skipIf(!isRoot)("core: devices", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("the default devices are character devices with runc's major:minor and mode 666", async () => {
    const t = statTable(await runOk(env, `${STAT} /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty`));
    // %t:%T is major:minor in hex.
    const expected: Record<string, string> = {
      "/dev/null": "1:3",
      "/dev/zero": "1:5",
      "/dev/full": "1:7",
      "/dev/random": "1:8",
      "/dev/urandom": "1:9",
      "/dev/tty": "5:0",
    };
    for (const [name, dev] of Object.entries(expected)) {
      expect(t.get(name), name).toEqual({ type: "character special file", dev, mode: "666", owner: "0:0" });
    }
  });

  test("/dev has only what runc puts there", async () => {
    const out = await runOk(env, "ls -A /dev");
    expect(out.split(/\s+/).filter(Boolean).sort()).toEqual(
      [
        "fd",
        "full",
        "mqueue",
        "null",
        "ptmx",
        "pts",
        "random",
        "shm",
        "stderr",
        "stdin",
        "stdout",
        "tty",
        "urandom",
        "zero",
        // /dev/core -> /proc/kcore only where the host has a /proc/kcore (this VM kernel does not).
        ...(existsSync("/proc/kcore") ? ["core"] : []),
      ].sort(),
    );
  });

  test("/dev/ptmx -> pts/ptmx, /dev/fd -> /proc/self/fd, and stdin/stdout/stderr", async () => {
    const out = await runOk(env, "for l in ptmx fd stdin stdout stderr; do echo $l=$(readlink /dev/$l); done; stat -c '%F %a' /dev/pts/ptmx");
    expect(out).toBe(
      [
        "ptmx=pts/ptmx",
        "fd=/proc/self/fd",
        "stdin=/proc/self/fd/0",
        "stdout=/proc/self/fd/1",
        "stderr=/proc/self/fd/2",
        "character special file 666",
        "",
      ].join("\n"),
    );
  });

  test("the default devices work (and are allowed by the device cgroup)", async () => {
    const script = [
      "echo discard > /dev/null && echo null=ok",
      "echo zero=$(head -c 4 /dev/zero | od -An -tx1 | tr -d ' ')",
      "(echo x > /dev/full) 2>&1",
      "echo urandom=$(head -c 16 /dev/urandom | wc -c)",
      "echo random=$(head -c 4 /dev/random | wc -c)",
    ].join("; ");
    const out = await runOk(env, script);
    expect(out).toBe(
      ["null=ok", "zero=00000000", "sh: write error: No space left on device", "urandom=16", "random=4", ""].join("\n"),
    );
  });

  test("linux.devices: /dev/fuse (c 10 229) and a custom path, with fileMode, uid and gid", async () => {
    const r = await runScript(env, `${STAT} /dev/fuse /dev/custom/sub/mydev /dev/myblock`, {
      mutate: (cfg) => {
        cfg.linux!["devices"] = [
          { path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 0o640, uid: 1000, gid: 1001 },
          { path: "/dev/custom/sub/mydev", type: "c", major: 1, minor: 3, fileMode: 0o600, uid: 0, gid: 5 },
          { path: "/dev/myblock", type: "b", major: 7, minor: 0, fileMode: 0o660, uid: 0, gid: 6 },
        ];
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const t = statTable(r.stdout);
    expect(t.get("/dev/fuse")).toEqual({ type: "character special file", dev: "a:e5", mode: "640", owner: "1000:1001" });
    expect(t.get("/dev/custom/sub/mydev")).toEqual({ type: "character special file", dev: "1:3", mode: "600", owner: "0:5" });
    expect(t.get("/dev/myblock")).toEqual({ type: "block special file", dev: "7:0", mode: "660", owner: "0:6" });
    // Made in the container's /dev tmpfs, never in the bundle's rootfs.
    expect(existsSync(path.join(r.bundle.rootfs, "dev", "fuse"))).toBe(false);
    expect(existsSync(path.join(r.bundle.rootfs, "dev", "custom"))).toBe(false);
  });

  test("a linux.devices node the device cgroup does not allow cannot be opened", async () => {
    // The node is created, but the default resources deny everything but runc's default list:
    // runc 1.1 does not add an allow rule for linux.devices entries (observed: "Operation not permitted").
    const r = await runScript(env, "(cat /dev/loop-denied) 2>&1; echo rc=$?", {
      mutate: (cfg) => {
        cfg.linux!["devices"] = [{ path: "/dev/loop-denied", type: "b", major: 7, minor: 0, fileMode: 0o666 }];
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Operation not permitted\nrc=1\n$/);
  });

  test("a linux.devices entry allowed by resources.devices can be opened", async () => {
    const r = await runScript(env, "echo x > /dev/extra-null && echo ok", {
      mutate: (cfg) => {
        cfg.linux!["devices"] = [{ path: "/dev/extra-null", type: "c", major: 1, minor: 3, fileMode: 0o666 }];
        cfg.linux!.resources!.devices!.push({ allow: true, type: "c", major: 1, minor: 3, access: "rwm" });
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("ok\n");
  });
});
