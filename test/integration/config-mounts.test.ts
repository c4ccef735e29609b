/**
 * Config: mount propagation and the mount extensions. rootfsPropagation as
 * the container's mountinfo shows it, and as it behaves: a mount made on the
 * host after start under a shared directory the container bind-mounts (seen
 * with rslave/rshared, not with rprivate), and one the container makes (seen
 * on the host only with rshared). Recursive mount options (rro, rnosuid, ...)
 * through mount_setattr, Podman's tmpcopyup, and idmapped bind mounts.
 */
import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { Bundle, OciConfig } from "../helpers/bundle.js";
import { createFails, useHostMounts } from "../helpers/config.js";
import { isRoot, newContainerId } from "../helpers/context.js";
import { hostMountpoints, mountAt, parseMountinfo, runOk, useFileLeakCheck, waitUntil } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

/** A mountinfo line's optional fields (shared:N, master:N, propagate_from:N, unbindable) by mountpoint. */
function propagationTags(mountinfo: string): Map<string, string[]> {
  const tags = new Map<string, string[]>();
  for (const line of mountinfo.split("\n")) {
    const f = line.split(" ");
    const dash = f.indexOf("-");
    if (dash < 6) continue;
    tags.set(f[4] ?? "", f.slice(6, dash));
  }
  return tags;
}

const kinds = (tags: string[] | undefined): string[] => (tags ?? []).map((t) => t.split(":")[0] ?? t).sort();

describe.skipIf(!isRoot)("config: rootfsPropagation", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();
  const host = useHostMounts();

  /** "/" of the container: the propagation kinds its mountinfo shows. */
  async function rootTags(value: string | undefined): Promise<string[]> {
    const b = await env.bundle({
      args: ["cat", "/proc/self/mountinfo"],
      mutate: (cfg) => {
        if (value) cfg.linux!["rootfsPropagation"] = value;
      },
    });
    const r = await env.rt.run(b);
    expect(r.code, `${value}: ${r.stderr}${env.rt.logTail()}`).toBe(0);
    return kinds(propagationTags(r.stdout).get("/"));
  }

  // This host's "/" is private; a rootfs on it has no peer group to be a slave of,
  // so "slave" shows no tag, "shared" makes a new peer group.
  test("private, rprivate, slave, rslave: the container's / is in no peer group of its own", async () => {
    for (const v of ["private", "rprivate", "slave", "rslave"]) {
      expect(await rootTags(v), v).not.toContain("shared");
    }
    expect(await rootTags(undefined)).not.toContain("shared");
  });

  test("shared and rshared: the container's / is shared", async () => {
    expect(await rootTags("shared")).toContain("shared");
    expect(await rootTags("rshared")).toContain("shared");
  });

  test("unbindable and runbindable: the container runs and its / is unbindable", async () => {
    expect(await rootTags("unbindable")).toContain("unbindable");
    expect(await rootTags("runbindable")).toContain("unbindable");
  });

  /**
   * A bundle whose container bind-mounts (rbind) <bundle>/shared at /shared,
   * where <bundle>/shared is a shared tmpfs on the host with sub/ and fromctr/
   * in it. The container mounts a tmpfs at /shared/fromctr itself (it has
   * CAP_SYS_ADMIN) and sleeps.
   */
  async function sharedDirBundle(propagation: string): Promise<{ b: Bundle; dir: string }> {
    const b = await env.bundle({
      args: ["sh", "-c", "mount -t tmpfs -o size=1m ctr /shared/fromctr && echo mounted; exec sleep 1000"],
    });
    const dir = path.join(b.dir, "shared");
    host.tmpfs(dir);
    execFileSync("mount", ["--make-shared", dir]);
    mkdirSync(path.join(dir, "sub"));
    mkdirSync(path.join(dir, "fromctr"));
    const cfg: OciConfig = structuredClone(b.config);
    cfg.linux!["rootfsPropagation"] = propagation;
    cfg.mounts!.push({ destination: "/shared", type: "bind", source: dir, options: ["rbind"] });
    const caps = ["CAP_SYS_ADMIN"];
    cfg.process!.capabilities = { bounding: caps, effective: caps, permitted: caps };
    await b.writeConfig(cfg);
    return { b, dir };
  }

  /** Start it, wait for its own mount, then mount a tmpfs at <dir>/sub on the host. */
  async function startAndMount(propagation: string) {
    const { b, dir } = await sharedDirBundle(propagation);
    const id = await env.rt.create(b);
    await env.rt.start(id);
    const { pid } = await env.rt.waitForStatus(id, "running");
    await waitUntil(() => env.rt.output(id).stdout.includes("mounted"), "the container's own mount");
    host.tmpfs(path.join(dir, "sub"));
    // Propagation is synchronous; give it a moment anyway before looking for absence.
    await new Promise((r) => setTimeout(r, 200));
    const inside = parseMountinfo(readFileSync(`/proc/${pid}/mountinfo`, "utf8")).map((m) => m.mountpoint);
    host.track(path.join(dir, "fromctr"));
    return { inside, hostSees: hostMountpoints(), dir };
  }

  test("rslave: a mount made on the host after start appears in the container; the container's does not reach the host", async () => {
    const { inside, hostSees, dir } = await startAndMount("rslave");
    expect(inside).toContain("/shared/sub");
    expect(inside).toContain("/shared/fromctr");
    expect(hostSees).not.toContain(path.join(dir, "fromctr"));
  });

  test("rprivate: a mount made on the host after start does not appear in the container", async () => {
    const { inside, hostSees, dir } = await startAndMount("rprivate");
    expect(inside).not.toContain("/shared/sub");
    expect(inside).toContain("/shared/fromctr");
    expect(hostSees).not.toContain(path.join(dir, "fromctr"));
  });

  test("rshared: the host's mount appears in the container, and the container's mount appears on the host", async () => {
    const { inside, hostSees, dir } = await startAndMount("rshared");
    expect(inside).toContain("/shared/sub");
    expect(inside).toContain("/shared/fromctr");
    // Bidirectional, as Kubernetes' mountPropagation: Bidirectional relies on with runc.
    expect(hostSees, "the container's mount under a shared host dir reaches the host").toContain(path.join(dir, "fromctr"));
  });

  test("a bind mount's own propagation option: rprivate on the mount cuts it off under an rslave root", async () => {
    const { b, dir } = await sharedDirBundle("rslave");
    const cfg = structuredClone(b.config);
    const m = cfg.mounts!.find((x) => x.destination === "/shared");
    m!.options = ["rbind", "rprivate"];
    await b.writeConfig(cfg);
    const id = await env.rt.create(b);
    await env.rt.start(id);
    const { pid } = await env.rt.waitForStatus(id, "running");
    host.track(path.join(dir, "fromctr"));
    host.tmpfs(path.join(dir, "sub"));
    await new Promise((r) => setTimeout(r, 200));
    const info = readFileSync(`/proc/${pid}/mountinfo`, "utf8");
    expect(parseMountinfo(info).map((x) => x.mountpoint)).not.toContain("/shared/sub");
    expect(kinds(propagationTags(info).get("/shared"))).toEqual([]);
  });
});

describe.skipIf(!isRoot)("config: recursive mount options (mount_setattr)", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();
  const host = useHostMounts();

  /** <bundle>/tree with a tmpfs submount at tree/sub (on the host), bound rbind at /tree with `options`. */
  async function treeBundle(options: string[], script: string, size = "1m"): Promise<{ b: Bundle; tree: string }> {
    const b = await env.bundle({ args: ["sh", "-c", script] });
    const tree = path.join(b.dir, "tree");
    mkdirSync(path.join(tree, "sub"), { recursive: true });
    writeFileSync(path.join(tree, "top.txt"), "top\n");
    host.tmpfs(path.join(tree, "sub"), `size=${size}`);
    writeFileSync(path.join(tree, "sub", "sub.txt"), "sub\n");
    const cfg = structuredClone(b.config);
    cfg.mounts!.push({ destination: "/tree", type: "bind", source: tree, options });
    await b.writeConfig(cfg);
    return { b, tree };
  }

  const TOUCH = "(touch /tree/t) 2>/dev/null; echo top=$?; (touch /tree/sub/t) 2>/dev/null; echo sub=$?; grep -E ' /tree(/sub)? ' /proc/self/mountinfo";

  test("ro on an rbind makes only the top read-only; rro makes the submount read-only too", async () => {
    const plain = await treeBundle(["rbind", "ro"], TOUCH);
    const r1 = await env.rt.run(plain.b);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/^top=1\nsub=0\n/);
    const rec = await treeBundle(["rbind", "rro"], TOUCH);
    const r2 = await env.rt.run(rec.b);
    expect(r2.code, r2.stderr + env.rt.logTail()).toBe(0);
    expect(r2.stdout).toMatch(/^top=1\nsub=1\n/);
    const mounts = parseMountinfo(r2.stdout);
    expect(mountAt(mounts, "/tree")?.options).toContain("ro");
    expect(mountAt(mounts, "/tree/sub")?.options).toContain("ro");
    // The host's own mounts stay writable.
    writeFileSync(path.join(rec.tree, "sub", "host-write"), "ok");
  });

  test("rrw undoes a read-only submount", async () => {
    const { b, tree } = await treeBundle(["rbind", "rrw"], TOUCH);
    // Read-only as a mount (not the filesystem): the per-mount flag rrw can clear.
    execFileSync("mount", ["-o", "remount,bind,ro", path.join(tree, "sub")]);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toMatch(/^top=0\nsub=0\n/);
  });

  test("rnosuid, rnodev, rnoexec, rnoatime reach the submount; rrelatime replaces noatime", async () => {
    const { b } = await treeBundle(["rbind", "rnosuid", "rnodev", "rnoexec", "rnoatime"], "grep -E ' /tree(/sub)? ' /proc/self/mountinfo");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    for (const mp of ["/tree", "/tree/sub"]) {
      const m = mountAt(parseMountinfo(r.stdout), mp);
      expect(m?.options, mp).toEqual(expect.arrayContaining(["nosuid", "nodev", "noexec", "noatime"]));
    }
    const again = await treeBundle(["rbind", "rnoatime", "rrelatime"], "grep -E ' /tree(/sub)? ' /proc/self/mountinfo");
    const r2 = await env.rt.run(again.b);
    expect(r2.code, r2.stderr + env.rt.logTail()).toBe(0);
    for (const mp of ["/tree", "/tree/sub"]) {
      const m = mountAt(parseMountinfo(r2.stdout), mp);
      expect(m?.options, mp).toContain("relatime");
      expect(m?.options, mp).not.toContain("noatime");
    }
  });

  test("rnoexec is enforced on the submount: a copy of busybox there cannot run", async () => {
    const { b, tree } = await treeBundle(["rbind", "rnoexec"], "/tree/sub/bb true; echo rc=$?", "8m");
    execFileSync("cp", ["/bin/busybox", path.join(tree, "sub", "bb")]);
    const r = await env.rt.run(b);
    expect(r.stdout).toContain("rc=126");
  });

  test("recursive options on a tmpfs mount (no bind) apply to it too", async () => {
    const out = await runOk(env, "(touch /scratch/x) 2>/dev/null; echo rc=$?; grep ' /scratch ' /proc/self/mountinfo", {
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["rro", "rnosuid"] });
      },
    });
    expect(out).toMatch(/^rc=1\n/);
    expect(parseMountinfo(out)[0]?.options).toEqual(expect.arrayContaining(["ro", "nosuid"]));
  });
});

describe.skipIf(!isRoot)("config: tmpcopyup", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("a tmpfs over /etc starts with the rootfs's /etc; writes land in the tmpfs, not in the rootfs", async () => {
    const script = [
      "grep ' /etc ' /proc/self/mountinfo",
      "cat /etc/passwd | head -1",
      "readlink /etc/link",
      "cat /etc/sub/deep/file",
      "stat -c '%a %u:%g' /etc/sub/deep/file /etc/sub",
      "echo new > /etc/created && cat /etc/created",
    ].join("; ");
    const b = await env.bundle({
      args: ["sh", "-c", script],
      mutate: (cfg) => {
        cfg.root!.readonly = true;
        cfg.mounts!.push({ destination: "/etc", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "mode=755", "size=4m"] });
      },
    });
    mkdirSync(path.join(b.rootfs, "etc", "sub", "deep"), { recursive: true });
    writeFileSync(path.join(b.rootfs, "etc", "sub", "deep", "file"), "deep content\n", { mode: 0o604 });
    chownSync(path.join(b.rootfs, "etc", "sub", "deep", "file"), 1000, 1001);
    chownSync(path.join(b.rootfs, "etc", "sub"), 1000, 1000);
    symlinkSync("passwd", path.join(b.rootfs, "etc", "link"));
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const lines = r.stdout.split("\n");
    expect(parseMountinfo(lines[0] ?? "")[0]?.fstype).toBe("tmpfs");
    expect(lines[1]).toBe("root:x:0:0:root:/root:/bin/sh");
    expect(lines[2]).toBe("passwd");
    expect(lines[3]).toBe("deep content");
    expect(lines[4]).toBe("604 1000:1001");
    expect(lines[5]).toMatch(/^\d+ 1000:1000$/);
    expect(lines[6]).toBe("new");
    expect(existsSync(path.join(b.rootfs, "etc", "created"))).toBe(false);
    expect(lstatSync(path.join(b.rootfs, "etc", "link")).isSymbolicLink()).toBe(true);
  });

  test("tmpcopyup with ro: the copy is there and read-only", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "cat /home/user/.profile; (touch /home/x) 2>&1; echo rc=$?; stat -c %u /home/user"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/home", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup", "ro"] });
      },
    });
    writeFileSync(path.join(b.rootfs, "home", "user", ".profile"), "export X=1\n");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toMatch(/^export X=1\n.*Read-only file system\nrc=1\n1000\n$/s);
  });

  test("a symlink in the covered directory pointing out of the rootfs is copied as a link, not followed", async () => {
    const b = await env.bundle({
      args: ["sh", "-c", "readlink /data/escape; ls /data"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/data", type: "tmpfs", source: "tmpfs", options: ["tmpcopyup"] });
      },
    });
    mkdirSync(path.join(b.rootfs, "data"));
    symlinkSync("/etc", path.join(b.rootfs, "data", "escape"));
    writeFileSync(path.join(b.rootfs, "data", "plain"), "p");
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toBe("/etc\nescape\nplain\n");
  });

  test("tmpcopyup on a non-tmpfs mount is an error", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.mounts!.push({ destination: "/data", type: "bind", source: "/etc", options: ["rbind", "tmpcopyup"] });
      },
    });
    // Either refused, or ignored on a bind (runc ignores options it does not know). Not a silent copy.
    const id = newContainerId();
    const r = await env.rt.exec(["create", "--bundle", b.dir, id], { stdio: env.rt.ioFiles(id) });
    if (r.code === 0) await env.rt.exec(["delete", "--force", id]);
    else expect(r.stderr).toMatch(/tmpcopyup/);
  });
});

describe.skipIf(!isRoot)("config: idmapped bind mounts", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();
  const host = useHostMounts();

  async function idmapBundle(options: string[], mapping: { uid: unknown[]; gid: unknown[] }, script: string): Promise<{ b: Bundle; dir: string }> {
    const b = await env.bundle({ args: ["sh", "-c", script] });
    const dir = path.join(b.dir, "owned");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "by-1000"), "x");
    chownSync(path.join(dir, "by-1000"), 1000, 1000);
    writeFileSync(path.join(dir, "by-root"), "x");
    chownSync(dir, 1000, 1000);
    const cfg = structuredClone(b.config);
    cfg.mounts!.push({ destination: "/owned", type: "bind", source: dir, options, uidMappings: mapping.uid, gidMappings: mapping.gid });
    await b.writeConfig(cfg);
    return { b, dir };
  }

  test("a host file owned by uid 1000 shows as the mapped uid inside; an unmapped owner as the overflow id", async () => {
    const { b } = await idmapBundle(
      ["rbind"],
      { uid: [{ containerID: 1000, hostID: 5000, size: 10 }], gid: [{ containerID: 1000, hostID: 6000, size: 10 }] },
      "stat -c '%n %u:%g' /owned/by-1000 /owned/by-root /owned; grep ' /owned ' /proc/self/mountinfo",
    );
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("/owned/by-1000 5000:6000");
    expect(lines[1]).toBe("/owned/by-root 65534:65534");
    expect(lines[2]).toBe("/owned 5000:6000");
    expect(parseMountinfo(lines[3] ?? "")[0]?.options).toContain("idmapped");
  });

  test("a file the container's mapped user writes is owned by the unmapped id on the host", async () => {
    const { b, dir } = await idmapBundle(
      ["rbind"],
      { uid: [{ containerID: 1000, hostID: 5000, size: 10 }], gid: [{ containerID: 1000, hostID: 6000, size: 10 }] },
      "echo hi > /owned/new && stat -c %u:%g /owned/new",
    );
    const cfg = structuredClone(b.config);
    cfg.process!.user = { uid: 5000, gid: 6000 };
    await b.writeConfig(cfg);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toBe("5000:6000\n");
    const st = statSync(path.join(dir, "new"));
    expect([st.uid, st.gid]).toEqual([1000, 1000]);
  });

  test("the idmap option with the mappings, and ro, together", async () => {
    const { b } = await idmapBundle(
      ["bind", "idmap", "ro"],
      { uid: [{ containerID: 1000, hostID: 7000, size: 1 }], gid: [{ containerID: 1000, hostID: 7000, size: 1 }] },
      "stat -c %u /owned/by-1000; (touch /owned/t) 2>/dev/null; echo rc=$?",
    );
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toBe("7000\nrc=1\n");
  });

  test("ridmap: a submount of the source (a host tmpfs) is idmapped too", async () => {
    const { b, dir } = await idmapBundle(
      ["rbind", "ridmap"],
      { uid: [{ containerID: 1000, hostID: 5000, size: 10 }], gid: [{ containerID: 1000, hostID: 6000, size: 10 }] },
      "stat -c '%n %u:%g' /owned/by-1000 /owned/sub/in-sub",
    );
    mkdirSync(path.join(dir, "sub"));
    host.tmpfs(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "in-sub"), "x");
    chownSync(path.join(dir, "sub", "in-sub"), 1001, 1001);
    const r = await env.rt.run(b);
    expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
    expect(r.stdout).toBe("/owned/by-1000 5000:6000\n/owned/sub/in-sub 5001:6001\n");
  });

  test("an idmapped mount that is not a bind mount is an error", async () => {
    const b = await env.bundle({
      args: ["true"],
      mutate: (cfg) => {
        cfg.mounts!.push({
          destination: "/scratch",
          type: "tmpfs",
          source: "tmpfs",
          options: ["idmap"],
          uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
          gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
        });
      },
    });
    const r = await createFails(env, b);
    expect(r.error).toMatch(/idmap/);
  });

  test("the user namespace that carried the mount's mappings is gone once create returns", async () => {
    // A mapping no other process on this host has: 1000 -> 5123, 7 ids.
    const { b } = await idmapBundle(
      ["rbind"],
      { uid: [{ containerID: 1000, hostID: 5123, size: 7 }], gid: [{ containerID: 1000, hostID: 5123, size: 7 }] },
      "stat -c %u /owned/by-1000; exec sleep 1000",
    );
    const id = await env.rt.create(b);
    await env.rt.start(id);
    await waitUntil(() => env.rt.output(id).stdout === "5123\n", "the container to stat its mount");
    // The holder exits when runts closes its end of the socket; allow it a moment to go.
    await waitUntil(() => processesWithUidMap("1000 5123 7").length === 0, "the holder of the mount's user namespace to exit", 2_000);
  });
});

/** Pids whose /proc/<pid>/uid_map is the single line `map` (fields compared, not spacing). */
function processesWithUidMap(map: string): number[] {
  const want = map.split(/\s+/).join(" ");
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/uid_map`, "utf8").trim().split(/\s+/).join(" ");
      if (text === want) pids.push(Number(name));
    } catch {
      // gone
    }
  }
  return pids;
}
