/**
 * Core: the container's mounts as its own /proc/self/mountinfo shows them
 * (types, flags, order), bind mounts from the bundle, a read-only or
 * writable root, and masked / read-only paths.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { defaultConfig } from "../helpers/bundle.js";
import { isRoot } from "../helpers/context.js";
import { mountAt, parseMountinfo, runOk, runScript, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

describe.skipIf(!isRoot)("core: mounts", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("the runc default mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys ro, /sys/fs/cgroup ro", async () => {
    const out = await runOk(env, "stat -c '%n %a' /dev/shm /dev; echo; cat /proc/self/mountinfo");
    const [modes = "", info = ""] = out.split("\n\n");
    expect(modes).toBe("/dev/shm 1777\n/dev 755");
    const mounts = parseMountinfo(info);
    const at = (p: string) => {
      const m = mountAt(mounts, p);
      if (m === undefined) throw new Error(`no mount at ${p} in:\n${mounts.map((e) => e.mountpoint).join("\n")}`);
      return m;
    };
    expect(at("/proc").fstype).toBe("proc");
    expect(at("/dev").fstype).toBe("tmpfs");
    expect(at("/dev").options).toContain("nosuid");
    expect(at("/dev").superOptions).toContain("mode=755");
    expect(at("/dev/pts").fstype).toBe("devpts");
    expect(at("/dev/pts").options).toEqual(expect.arrayContaining(["nosuid", "noexec"]));
    expect(at("/dev/pts").superOptions).toEqual(expect.arrayContaining(["gid=5", "mode=620", "ptmxmode=666"]));
    expect(at("/dev/shm").fstype).toBe("tmpfs");
    expect(at("/dev/shm").options).toEqual(expect.arrayContaining(["nosuid", "nodev", "noexec"]));
    // tmpfs shows mode= only when it is not its default 1777: read it with stat.
    expect(at("/dev/shm").superOptions).toContain("size=65536k");
    expect(at("/dev/mqueue").fstype).toBe("mqueue");
    expect(at("/sys").fstype).toBe("sysfs");
    expect(at("/sys").options).toEqual(expect.arrayContaining(["ro", "nosuid", "nodev", "noexec"]));
    // As runc on cgroup v1: a tmpfs with each hierarchy bound read-only below it.
    expect(at("/sys/fs/cgroup").fstype).toBe("tmpfs");
    const hierarchies = mounts.filter((m) => m.mountpoint.startsWith("/sys/fs/cgroup/"));
    expect(hierarchies.length).toBeGreaterThan(0);
    for (const h of hierarchies) {
      expect(h.fstype, h.mountpoint).toMatch(/^cgroup2?$/);
      expect(h.options, h.mountpoint).toContain("ro");
    }
    // The default config has a read-only root.
    expect(at("/").options).toContain("ro");
    // Nothing of the host's mount table is left above or beside the rootfs.
    for (const m of mounts) {
      expect(m.mountpoint.startsWith("/tmp/"), m.mountpoint).toBe(false);
    }
  });

  test("a read-only bind mount from the bundle: content visible, flag ro, writes refused", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "cat /data/hello.txt; grep ' /data ' /proc/self/mountinfo; touch /data/new 2>&1; echo touch=$?"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/data", type: "bind", source: "data", options: ["rbind", "ro"] });
      },
    });
    mkdirSync(path.join(b.dir, "data"));
    writeFileSync(path.join(b.dir, "data", "hello.txt"), "bound from the bundle\n");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr).toBe(0);
    const [content, mountLine, touchErr, touchCode] = r.stdout.split("\n");
    expect(content).toBe("bound from the bundle");
    const [m] = parseMountinfo(mountLine ?? "");
    expect(m?.mountpoint).toBe("/data");
    expect(m?.options).toContain("ro");
    expect(touchErr).toMatch(/Read-only file system/);
    expect(touchCode).toBe("touch=1");
    expect(existsSync(path.join(b.dir, "data", "new"))).toBe(false);
  });

  test("a writable bind mount: the container's writes land in the bundle", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "echo written inside > /data/out.txt"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/data", type: "bind", source: "data", options: ["bind"] });
      },
    });
    mkdirSync(path.join(b.dir, "data"));
    const r = await env.rt.run(b);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(b.dir, "data", "out.txt"), "utf8")).toBe("written inside\n");
  });

  test("a bind mount of a single file, to a destination that does not exist in the rootfs", async () => {
    const b = await env.bundle({
      args: ["cat", "/etc/runts/one-file.conf"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/etc/runts/one-file.conf", type: "bind", source: "one.conf", options: ["rbind", "ro"] });
      },
    });
    writeFileSync(path.join(b.dir, "one.conf"), "key=value\n");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("key=value\n");
  });

  test("a tmpfs with nosuid,nodev,noexec shows those flags, and exec from it is refused", async () => {
    const script = [
      "grep ' /scratch ' /proc/self/mountinfo",
      "cp /bin/busybox /scratch/bb",
      "/scratch/bb true 2>/dev/null; echo exec=$?",
      "echo data > /scratch/f && cat /scratch/f",
    ].join("; ");
    const r = await runScript(env, script, {
      mutate: (cfg) => {
        cfg.mounts!.push({
          destination: "/scratch",
          type: "tmpfs",
          source: "tmpfs",
          options: ["nosuid", "nodev", "noexec", "mode=700", "size=16m"],
        });
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const [line, exec, data] = r.stdout.split("\n");
    const [m] = parseMountinfo(line ?? "");
    expect(m?.fstype).toBe("tmpfs");
    expect(m?.options).toEqual(expect.arrayContaining(["rw", "nosuid", "nodev", "noexec"]));
    expect(m?.superOptions).toEqual(expect.arrayContaining(["mode=700", "size=16384k"]));
    expect(exec).toBe("exec=126");
    expect(data).toBe("data");
  });

  test("root.readonly true: / is read-only (touch fails); /tmp is not writable either", async () => {
    const r = await runScript(env, "touch /newfile 2>&1; echo touch=$?", {
      mutate: (cfg) => {
        cfg.root!.readonly = true;
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Read-only file system\ntouch=1\n$/);
    expect(existsSync(path.join(r.bundle.rootfs, "newfile"))).toBe(false);
  });

  test("root.readonly false: / is writable and the file lands in the bundle's rootfs", async () => {
    const r = await runScript(env, "echo x > /newfile && awk '$5 == \"/\"' /proc/self/mountinfo", {
      mutate: (cfg) => {
        cfg.root!.readonly = false;
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const [root] = parseMountinfo(r.stdout);
    expect(root?.options).toContain("rw");
    expect(readFileSync(path.join(r.bundle.rootfs, "newfile"), "utf8")).toBe("x\n");
  });

  test("mounts are made in config order: a tmpfs, then a bind inside it", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "cat /mnt/outer/inner/file; ls /mnt/outer; grep ' /mnt/outer' /proc/self/mountinfo"],
      mutate: (cfg) => {
        cfg.mounts!.push(
          { destination: "/mnt/outer", type: "tmpfs", source: "tmpfs", options: ["size=1m"] },
          { destination: "/mnt/outer/inner", type: "bind", source: "inner", options: ["rbind", "ro"] },
        );
      },
    });
    mkdirSync(path.join(b.dir, "inner"));
    writeFileSync(path.join(b.dir, "inner", "file"), "inner content\n");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("inner content");
    expect(lines[1]).toBe("inner");
    const mounts = parseMountinfo(lines.slice(2).join("\n"));
    expect(mounts.map((m) => m.mountpoint)).toEqual(["/mnt/outer", "/mnt/outer/inner"]);
    expect(mounts[0]?.fstype).toBe("tmpfs");
    expect(mounts[1]?.options).toContain("ro");
    // The tmpfs did not hide the bind (it would, were the order reversed), and
    // the mount points it needed were made in the tmpfs, not in the rootfs.
    expect(existsSync(path.join(b.rootfs, "mnt", "outer", "inner"))).toBe(false);
  });

  test("masked paths read empty", async () => {
    // This host (a small VM kernel) lacks some of the default masked paths
    // (/proc/kcore, /proc/scsi, ...); those that it has must read empty inside.
    const masked = defaultConfig().linux!.maskedPaths!;
    const script = `for p in ${masked.join(" ")}; do
      if [ -d $p ]; then echo "$p dir $(ls -A $p | wc -l)";
      elif [ -e $p ]; then echo "$p file $(cat $p | wc -c)";
      else echo "$p missing"; fi; done`;
    const r = await runScript(env, script);
    expect(r.code, r.stderr).toBe(0);
    const seen = new Map(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => {
          const [p = "", ...rest] = l.split(" ");
          return [p, rest.join(" ")] as const;
        }),
    );
    let nonEmptyOnHost = 0;
    for (const p of masked) {
      if (!existsSync(p)) continue;
      const isDir = statSync(p).isDirectory();
      expect(seen.get(p), p).toBe(isDir ? "dir 0" : "file 0");
      const hostSize = isDir ? readdirSync(p).length : readFileSync(p).length;
      if (hostSize > 0) nonEmptyOnHost++;
    }
    // Not vacuous: some of them have content on the host (/proc/keys, /sys/firmware here).
    expect(nonEmptyOnHost).toBeGreaterThan(0);
  });

  test("read-only paths refuse writes", async () => {
    const script = [
      "(echo x > /proc/sys/kernel/domainname) 2>&1; echo sys=$?",
      "(echo 1 > /proc/sys/vm/drop_caches) 2>&1; echo vm=$?",
      "grep -E ' /proc/(sys|sysrq-trigger|bus|fs|irq) ' /proc/self/mountinfo",
    ].join("; ");
    const r = await runScript(env, script);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Read-only file system\nsys=1\n/);
    expect(r.stdout).toMatch(/Read-only file system\nvm=1\n/);
    const ro = parseMountinfo(r.stdout);
    const expected = defaultConfig().linux!.readonlyPaths!.filter((p) => existsSync(p));
    expect(expected).toContain("/proc/sys");
    for (const p of expected) {
      const m = ro.find((e) => e.mountpoint === p);
      expect(m, p).toBeDefined();
      expect(m?.options, p).toContain("ro");
    }
  });
});
