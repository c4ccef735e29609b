/**
 * Config: masked and read-only paths (after the pivot, never through a
 * symlink onto the host), sysctl (written in the container's own namespaces,
 * only keys the container may own), and linux.devices (types, numbers, mode,
 * owner; bound from the host in a user namespace; never created through a
 * symlink out of the rootfs).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { OciConfig } from "../helpers/bundle.js";
import { createFails } from "../helpers/config.js";
import { isRoot } from "../helpers/context.js";
import { hostMountpoints, mountAt, parseMountinfo, runOk, runScript, startContainer, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

describe.skipIf(!isRoot)("config: masked paths", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("a file reads empty (it is /dev/null), a directory is an empty read-only tmpfs, a missing path is skipped", async () => {
    const script = [
      "cat /etc/secret.conf | wc -c",
      "stat -c '%F %t:%T' /etc/secret.conf",
      "ls -A /opt/secrets | wc -l",
      "(touch /opt/secrets/new) 2>&1; echo touch=$?",
      "echo overwrite > /etc/secret.conf; echo write=$?",
      "grep -E ' /(etc/secret.conf|opt/secrets) ' /proc/self/mountinfo",
      "ls /no",
    ].join("; ");
    const b = await env.bundle({
      args: ["sh", "-c", script],
      mutate: (cfg) => {
        cfg.linux!.maskedPaths = ["/etc/secret.conf", "/opt/secrets", "/no/such/path"];
      },
    });
    writeFileSync(path.join(b.rootfs, "etc", "secret.conf"), "password=hunter2\n");
    mkdirSync(path.join(b.rootfs, "opt", "secrets"), { recursive: true });
    writeFileSync(path.join(b.rootfs, "opt", "secrets", "key"), "private\n");
    const r = await env.rt.run(b);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("0");
    expect(lines[1]).toBe("character special file 1:3");
    expect(lines[2]).toBe("0");
    expect(lines[3]).toMatch(/Read-only file system/);
    expect(lines[4]).toBe("touch=1");
    expect(lines[5]).toBe("write=0"); // into /dev/null
    const mounts = parseMountinfo(lines.slice(6).join("\n"));
    expect(mountAt(mounts, "/opt/secrets")?.fstype).toBe("tmpfs");
    expect(mountAt(mounts, "/opt/secrets")?.options).toContain("ro");
    // A file is masked with a bind of the container's /dev/null.
    expect(mountAt(mounts, "/etc/secret.conf")?.root).toMatch(/\/null$/);
    // The missing path was not created: ls /no fails, and the rootfs has no /no.
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\/no/);
    expect(existsSync(path.join(b.rootfs, "no"))).toBe(false);
    // The rootfs files themselves are untouched.
    expect(readFileSync(path.join(b.rootfs, "etc", "secret.conf"), "utf8")).toBe("password=hunter2\n");
    expect(readdirSync(path.join(b.rootfs, "opt", "secrets"))).toEqual(["key"]);
  });

  test("masking happens after the pivot, on the container's kernel filesystems: /proc/keys, /sys/firmware", async () => {
    const hasKeys = existsSync("/proc/keys") && readFileSync("/proc/keys").length > 0;
    const out = await runOk(env, "wc -c < /proc/keys; ls -A /sys/firmware | wc -l; grep -E ' /(proc/keys|sys/firmware) ' /proc/self/mountinfo", {
      mutate: (cfg) => {
        cfg.linux!.maskedPaths = ["/proc/keys", "/sys/firmware"];
      },
    });
    const [keys, firmware, ...rest] = out.split("\n");
    if (hasKeys) expect(keys?.trim()).toBe("0");
    expect(firmware).toBe("0");
    const mounts = parseMountinfo(rest.join("\n"));
    expect(mountAt(mounts, "/sys/firmware")?.fstype).toBe("tmpfs");
  });

  test("a masked path that is a symlink to a host file is an error; the host file is not masked", async () => {
    // /etc/evil -> /etc/hostname: had the runtime followed it on the host, the
    // host's /etc/hostname would be covered by /dev/null.
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.linux!.maskedPaths = ["/etc/evil"];
      },
    });
    symlinkSync("/etc/hostname", path.join(b.rootfs, "etc", "evil"));
    const before = hostMountpoints();
    const r = await createFails(env, b);
    expect(r.error).toContain("/etc/evil");
    expect(r.error).toMatch(/symlink/);
    expect(hostMountpoints()).toEqual(before);
  });

  test("a symlink in a masked path's parents is followed inside the container only", async () => {
    // <rootfs>/via -> <hostdir> (absolute). The rootfs has the same path with its own
    // file; the host dir has another. Only the container's copy is masked.
    const b = await env.bundle({ args: ["sh", "-c", "x"] });
    const hostDir = path.join(b.dir, "hostside");
    mkdirSync(hostDir);
    writeFileSync(path.join(hostDir, "secret"), "HOST\n");
    mkdirSync(path.join(b.rootfs, hostDir), { recursive: true });
    writeFileSync(path.join(b.rootfs, hostDir, "secret"), "CONTAINER\n");
    symlinkSync(hostDir, path.join(b.rootfs, "via"));
    const cfg = structuredClone(b.config);
    cfg.process!.args = ["sh", "-c", `wc -c < /via/secret; wc -c < ${hostDir}/secret`];
    cfg.linux!.maskedPaths = ["/via/secret"];
    await b.writeConfig(cfg);
    const before = hostMountpoints();
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout.split("\n").map((s) => s.trim())).toEqual(["0", "0", ""]);
    expect(readFileSync(path.join(hostDir, "secret"), "utf8")).toBe("HOST\n");
    expect(hostMountpoints()).toEqual(before);
  });
});

describe.skipIf(!isRoot)("config: read-only paths", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("a directory and a file of a writable root become read-only; the rest stays writable; a missing path is skipped", async () => {
    const script = [
      "(touch /srv/data/new) 2>&1; echo dir=$?",
      "(echo x >> /srv/file) 2>&1; echo file=$?",
      "cat /srv/data/old",
      "touch /srv/other && echo other=ok",
      "grep -E ' /srv/(data|file) ' /proc/self/mountinfo",
    ].join("; ");
    const b = await env.bundle({
      args: ["sh", "-c", script],
      mutate: (cfg) => {
        cfg.root!.readonly = false;
        cfg.linux!.readonlyPaths = ["/srv/data", "/srv/file", "/srv/missing"];
      },
    });
    mkdirSync(path.join(b.rootfs, "srv", "data"), { recursive: true });
    writeFileSync(path.join(b.rootfs, "srv", "data", "old"), "kept\n");
    writeFileSync(path.join(b.rootfs, "srv", "file"), "f\n");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Read-only file system\ndir=1\n/);
    expect(r.stdout).toMatch(/Read-only file system\nfile=1\n/);
    expect(r.stdout).toContain("kept\nother=ok\n");
    const mounts = parseMountinfo(r.stdout);
    expect(mountAt(mounts, "/srv/data")?.options).toContain("ro");
    expect(mountAt(mounts, "/srv/file")?.options).toContain("ro");
    expect(existsSync(path.join(b.rootfs, "srv", "missing"))).toBe(false);
    expect(existsSync(path.join(b.rootfs, "srv", "data", "new"))).toBe(false);
    expect(readFileSync(path.join(b.rootfs, "srv", "file"), "utf8")).toBe("f\n");
  });

  test("a read-only path keeps the mounts below it (recursive bind): a tmpfs under it is still there", async () => {
    const out = await runOk(env, "grep -E ' /srv/top(/sub)? ' /proc/self/mountinfo", {
      mutate: (cfg) => {
        cfg.root!.readonly = false;
        cfg.mounts!.push(
          { destination: "/srv/top", type: "tmpfs", source: "tmpfs", options: ["size=1m"] },
          { destination: "/srv/top/sub", type: "tmpfs", source: "tmpfs", options: ["size=1m"] },
        );
        cfg.linux!.readonlyPaths = ["/srv/top"];
      },
    });
    const mounts = parseMountinfo(out);
    expect(mountAt(mounts, "/srv/top")?.options).toContain("ro");
    expect(mountAt(mounts, "/srv/top/sub")?.fstype).toBe("tmpfs");
  });

  test("a read-only path through a symlink to a host directory is resolved inside the container; the host dir stays writable", async () => {
    const b = await env.bundle({ args: ["true"] });
    const hostDir = path.join(b.dir, "hostside");
    mkdirSync(hostDir);
    mkdirSync(path.join(b.rootfs, hostDir), { recursive: true });
    symlinkSync(hostDir, path.join(b.rootfs, "rolink"));
    const cfg = structuredClone(b.config);
    cfg.root!.readonly = false;
    cfg.process!.args = ["sh", "-c", `(touch /rolink/x) 2>&1; echo rc=$?; grep -c ' ${hostDir} ' /proc/self/mountinfo`];
    cfg.linux!.readonlyPaths = ["/rolink"];
    await b.writeConfig(cfg);
    const before = hostMountpoints();
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toMatch(/Read-only file system\nrc=1\n1\n$/);
    expect(hostMountpoints()).toEqual(before);
    writeFileSync(path.join(hostDir, "still-writable"), "yes");
    expect(existsSync(path.join(b.rootfs, hostDir, "x"))).toBe(false);
  });
});

describe.skipIf(!isRoot)("config: sysctl", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  const HOST_KEYS = ["net/ipv4/ip_forward", "net/core/somaxconn", "kernel/shmmax", "kernel/msgmax", "fs/mqueue/msg_max"];
  const hostValues = () => HOST_KEYS.map((k) => readFileSync(`/proc/sys/${k}`, "utf8"));

  test("network and IPC sysctls are written in the container's namespaces, read back inside, host unchanged", async () => {
    const before = hostValues();
    const out = await runOk(env, HOST_KEYS.map((k) => `cat /proc/sys/${k}`).join("; "), {
      mutate: (cfg) => {
        cfg.linux!["sysctl"] = {
          "net.ipv4.ip_forward": "1",
          "net.core.somaxconn": "777",
          "kernel.shmmax": "123456789",
          "kernel.msgmax": "4096",
          "fs.mqueue.msg_max": "33",
        };
      },
    });
    expect(out.split("\n").slice(0, 5)).toEqual(["1", "777", "123456789", "4096", "33"]);
    expect(hostValues()).toEqual(before);
  });

  test("the sysctl of a running container, read from the host through its /proc", async () => {
    const before = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8");
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux!["sysctl"] = { "net.ipv4.ip_forward": "1" };
      },
    });
    // /proc/sys/net shows the reader's network namespace: read it from inside the container's.
    const inside = execFileSync("nsenter", [`--net=/proc/${c.pid}/ns/net`, "cat", "/proc/sys/net/ipv4/ip_forward"], { encoding: "utf8" });
    expect(inside).toBe("1\n");
    expect(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8")).toBe(before);
  });

  /** A bundle whose only change is `mutate`; create must fail before anything exists. */
  async function refused(mutate: (cfg: OciConfig) => void): Promise<string> {
    const b = await env.bundle({ args: ["true"], mutate });
    return (await createFails(env, b)).error;
  }

  test("a non-namespaced sysctl is refused by name (it would change the host)", async () => {
    const before = readFileSync("/proc/sys/vm/swappiness", "utf8");
    const err = await refused((cfg) => {
      cfg.linux!["sysctl"] = { "vm.swappiness": "1" };
    });
    expect(err).toContain("vm.swappiness");
    expect(readFileSync("/proc/sys/vm/swappiness", "utf8")).toBe(before);
    expect(
      await refused((cfg) => {
        cfg.linux!["sysctl"] = { "kernel.panic": "1" };
      }),
    ).toContain("kernel.panic");
  });

  test("kernel.hostname is refused in favour of the hostname field", async () => {
    const err = await refused((cfg) => {
      cfg.linux!["sysctl"] = { "kernel.hostname": "sneaky" };
    });
    expect(err).toContain("kernel.hostname");
    expect(err).toMatch(/hostname/);
  });

  test("net.* without a network namespace, and kernel.shm*/fs.mqueue.* without an IPC namespace, are refused", async () => {
    const noNet = await refused((cfg) => {
      cfg.linux!.namespaces = cfg.linux!.namespaces!.filter((n) => n.type !== "network");
      cfg.linux!["sysctl"] = { "net.ipv4.ip_forward": "1" };
    });
    expect(noNet).toContain("net.ipv4.ip_forward");
    expect(noNet).toMatch(/network/);
    const noIpc = await refused((cfg) => {
      cfg.linux!.namespaces = cfg.linux!.namespaces!.filter((n) => n.type !== "ipc");
      cfg.linux!["sysctl"] = { "kernel.shmmax": "1000" };
    });
    expect(noIpc).toContain("kernel.shmmax");
    expect(noIpc).toMatch(/ipc/i);
    const noIpcMq = await refused((cfg) => {
      cfg.linux!.namespaces = cfg.linux!.namespaces!.filter((n) => n.type !== "ipc");
      cfg.linux!["sysctl"] = { "fs.mqueue.msg_max": "20" };
    });
    expect(noIpcMq).toContain("fs.mqueue.msg_max");
  });

  test("a key that climbs out of /proc/sys/net is refused", async () => {
    const err = await refused((cfg) => {
      cfg.linux!["sysctl"] = { "net/../../kernel/panic": "1" };
    });
    expect(err).toContain("net/../../kernel/panic");
  });

  test("a namespaced key that does not exist, or a value the kernel refuses: create fails naming it, nothing left", async () => {
    const missing = await refused((cfg) => {
      cfg.linux!["sysctl"] = { "net.ipv4.no_such_knob": "1" };
    });
    expect(missing).toMatch(/no_such_knob/);
    const bad = await refused((cfg) => {
      cfg.linux!["sysctl"] = { "net.ipv4.ip_forward": "not-a-number" };
    });
    expect(bad).toMatch(/ip_forward/);
  });
});

/** `stat -c '%n|%F|%t:%T|%a|%u:%g'` lines by name. */
const STAT = "stat -c '%n|%F|%t:%T|%a|%u:%g'";
function statTable(out: string): Map<string, string> {
  return new Map(
    out
      .split("\n")
      .filter((l) => l.includes("|"))
      .map((l) => {
        const [name = "", ...rest] = l.split("|");
        return [name, rest.join("|")];
      }),
  );
}

describe.skipIf(!isRoot)("config: devices", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  const DEVICES = [
    { path: "/dev/cfg-null", type: "c", major: 1, minor: 3, fileMode: 0o640, uid: 1000, gid: 1001 },
    { path: "/dev/sub/dir/cfg-zero", type: "c", major: 1, minor: 5, fileMode: 0o604, uid: 7, gid: 8 },
    { path: "/dev/cfg-loop", type: "b", major: 7, minor: 1, fileMode: 0o600, uid: 0, gid: 6 },
    { path: "/dev/cfg-fifo", type: "p", fileMode: 0o620, uid: 1000, gid: 0 },
    { path: "/dev/cfg-u", type: "u", major: 1, minor: 7, fileMode: 0o666 },
  ];

  test("character, block, fifo and unbuffered nodes with numbers, mode and owner; allowed ones usable", async () => {
    const r = await runScript(env, `${STAT} ${DEVICES.map((d) => d.path).join(" ")}; head -c 4 /dev/sub/dir/cfg-zero | wc -c`, {
      mutate: (cfg) => {
        cfg.linux!["devices"] = DEVICES;
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const t = statTable(r.stdout);
    expect(t.get("/dev/cfg-null")).toBe("character special file|1:3|640|1000:1001");
    expect(t.get("/dev/sub/dir/cfg-zero")).toBe("character special file|1:5|604|7:8");
    expect(t.get("/dev/cfg-loop")).toBe("block special file|7:1|600|0:6");
    expect(t.get("/dev/cfg-fifo")).toBe("fifo|0:0|620|1000:0");
    expect(t.get("/dev/cfg-u")).toBe("character special file|1:7|666|0:0");
    // linux.devices entries are allowed by the device cgroup (runts adds a rule for each).
    expect(r.stdout.trim().split("\n").at(-1)).toBe("4");
  });

  test("the nodes seen from the host, through /proc/<pid>/root", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.linux!["devices"] = DEVICES.slice(0, 1);
      },
    });
    const st = statSync(`/proc/${c.pid}/root/dev/cfg-null`);
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o640);
    expect([st.uid, st.gid]).toEqual([1000, 1001]);
    expect(st.rdev).toBe(statSync("/dev/null").rdev);
    expect(existsSync(path.join(c.bundle.rootfs, "dev", "cfg-null"))).toBe(false);
  });

  test("in a user namespace the host's node is bind-mounted instead of made with mknod", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", `${STAT} /dev/net/tun; grep ' /dev/net/tun ' /proc/self/mountinfo`],
      mutate: (cfg) => {
        cfg.linux!.namespaces!.push({ type: "user" });
        cfg.linux!["uidMappings"] = [{ containerID: 0, hostID: 100000, size: 65536 }];
        cfg.linux!["gidMappings"] = [{ containerID: 0, hostID: 100000, size: 65536 }];
        cfg.linux!["devices"] = [{ path: "/dev/net/tun", type: "c", major: 10, minor: 200, fileMode: 0o666, uid: 0, gid: 0 }];
        // The container's mapped root cannot mount sysfs or a cgroup tree of the host's.
        cfg.mounts = cfg.mounts!.filter((m) => m.type !== "cgroup" && m.type !== "sysfs");
      },
    });
    chmodSync(b.dir, 0o755);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const [line = "", mount = ""] = r.stdout.split("\n");
    const host = statSync("/dev/net/tun");
    // The host's node, as the user namespace shows its owner (unmapped root: 65534).
    expect(line.split("|").slice(0, 3)).toEqual(["/dev/net/tun", "character special file", "a:c8"]);
    expect(line.split("|")[3]).toBe((host.mode & 0o777).toString(8));
    expect(parseMountinfo(mount)[0]?.mountpoint).toBe("/dev/net/tun");
  });

  test("a device path with .. that would leave /dev is refused, nothing created", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.linux!["devices"] = [{ path: "/dev/../../etc/evil-dev", type: "c", major: 1, minor: 3 }];
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toContain("evil-dev");
    expect(existsSync(path.join(b.rootfs, "etc", "evil-dev"))).toBe(false);
    expect(existsSync("/etc/evil-dev")).toBe(false);
  });

  test("without a /dev tmpfs, a symlink in the rootfs's /dev cannot send a device node out of the rootfs", async () => {
    // <rootfs>/dev/out -> <bundle>/outside (an absolute host path): the node must be made
    // in <rootfs><bundle>/outside (resolved in the rootfs), never in the host dir.
    const b = await env.bundle({ args: ["sh", "-c", `${STAT} /dev/out/node`] });
    const outside = path.join(b.dir, "outside");
    mkdirSync(outside);
    mkdirSync(path.join(b.rootfs, outside), { recursive: true });
    symlinkSync(outside, path.join(b.rootfs, "dev", "out"));
    // A final component that is a symlink to a host file is replaced, not followed.
    writeFileSync(path.join(b.dir, "host-file"), "host\n");
    symlinkSync(path.join(b.dir, "host-file"), path.join(b.rootfs, "dev", "victim"));
    const cfg = structuredClone(b.config);
    cfg.mounts = cfg.mounts!.filter((m) => m.destination !== "/dev" && !m.destination.startsWith("/dev/"));
    cfg.root!.readonly = false;
    cfg.process!.args = ["sh", "-c", `${STAT} /dev/out/node /dev/victim`];
    cfg.linux!["devices"] = [
      { path: "/dev/out/node", type: "c", major: 1, minor: 3, fileMode: 0o600 },
      { path: "/dev/victim", type: "c", major: 1, minor: 5, fileMode: 0o600 },
    ];
    await b.writeConfig(cfg);
    const r = await env.rt.run(b);
    expect(readdirSync(outside), "nothing made in the host directory").toEqual([]);
    expect(readFileSync(path.join(b.dir, "host-file"), "utf8")).toBe("host\n");
    expect(statSync(path.join(b.dir, "host-file")).isFile()).toBe(true);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const t = statTable(r.stdout);
    expect(t.get("/dev/out/node")).toBe("character special file|1:3|600|0:0");
    expect(t.get("/dev/victim")).toBe("character special file|1:5|600|0:0");
    expect(statSync(path.join(b.rootfs, outside, "node")).isCharacterDevice()).toBe(true);
  });

  test("a dangling symlink in the rootfs's /dev (its target only exists on the host) does not lead out either", async () => {
    const b = await env.bundle({ args: ["true"] });
    const outside = path.join(b.dir, "outside");
    mkdirSync(outside);
    symlinkSync(outside, path.join(b.rootfs, "dev", "out"));
    const cfg = structuredClone(b.config);
    cfg.mounts = cfg.mounts!.filter((m) => m.destination !== "/dev" && !m.destination.startsWith("/dev/"));
    cfg.root!.readonly = false;
    cfg.linux!["devices"] = [{ path: "/dev/out/node", type: "c", major: 1, minor: 3, fileMode: 0o600 }];
    await b.writeConfig(cfg);
    const r = await env.rt.run(b);
    expect(readdirSync(outside), "nothing made in the host directory").toEqual([]);
    // Made inside the rootfs (as runc's securejoin does), or refused: either way not on the host.
    if (r.code === 0) expect(statSync(path.join(b.rootfs, outside, "node")).isCharacterDevice()).toBe(true);
    else expect(r.stderr).toContain("/dev/out");
  });
});
