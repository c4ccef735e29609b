/**
 * Core: bad input fails cleanly. A broken config.json, a missing rootfs or
 * executable, an unknown namespace, a mount or cwd that fails inside the
 * container half-way through its set-up: each ends in a clear error naming
 * the field or path, a non-zero exit, and nothing left on the host (no state
 * dir, cgroup, mount or process). Mount destinations that are symlinks in
 * the rootfs pointing out of it land inside the rootfs, never on the host.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { Bundle, OciConfig } from "../helpers/bundle.js";
import { createFails as createFailsCleanly } from "../helpers/config.js";
import { isRoot, newContainerId, repoRoot } from "../helpers/context.js";
import { hostMountpoints, parseMountinfo, runOk, underSubreaper, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";
import type { RunResult } from "../helpers/runtime.js";

describe.skipIf(!isRoot)("core: bad input", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  /**
   * `create` that is expected to fail (config.ts's createFails: nothing left
   * behind, an error logged) and says why in one line on stderr.
   */
  async function createFails(bundle: Bundle): Promise<RunResult> {
    const r = await createFailsCleanly(env, bundle);
    expect(r.stderr.trim()).not.toBe("");
    expect(r.stderr.trim().split("\n"), "one line of error").toHaveLength(1);
    return r;
  }

  async function badBundle(mutate: (cfg: OciConfig) => OciConfig | void, args = ["true"]): Promise<Bundle> {
    return env.bundle({ args, mutate });
  }

  test("malformed JSON in config.json", async () => {
    const b = await badBundle(() => {});
    writeFileSync(b.configPath, '{"ociVersion": "1.0.2", "process": {');
    const r = await createFails(b);
    expect(r.stderr).toMatch(/config\.json/);
  });

  test("process.args is a string", async () => {
    const b = await badBundle((cfg) => {
      (cfg.process as unknown as Record<string, unknown>)["args"] = "sh -c true";
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/process\.args/);
  });

  test("a missing config.json", async () => {
    const b = await badBundle(() => {});
    const { rmSync } = await import("node:fs");
    rmSync(b.configPath);
    const r = await createFails(b);
    expect(r.stderr).toMatch(/config\.json/);
  });

  test("a missing rootfs", async () => {
    const b = await badBundle((cfg) => {
      cfg.root = { path: "no-such-rootfs", readonly: true };
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/no-such-rootfs/);
  });

  test("an unknown namespace type", async () => {
    const b = await badBundle((cfg) => {
      cfg.linux!.namespaces!.push({ type: "bogus" });
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/linux\.namespaces/);
    expect(r.stderr).toMatch(/bogus/);
  });

  test("a namespace path that does not exist", async () => {
    const b = await badBundle((cfg) => {
      cfg.linux!.namespaces = cfg.linux!.namespaces!.map((ns) =>
        ns.type === "network" ? { type: "network", path: "/proc/999999999/ns/net" } : ns,
      );
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/proc\/999999999\/ns\/net/);
  });

  test("a missing executable: 'executable file not found in $PATH'", async () => {
    const b = await badBundle(() => {}, ["no-such-program", "arg"]);
    const r = await createFails(b);
    expect(r.stderr).toContain("executable file not found in $PATH");
    expect(r.stderr).toContain("no-such-program");
  });

  test("a missing executable given by absolute path", async () => {
    const b = await badBundle(() => {}, ["/bin/no-such-program"]);
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/bin\/no-such-program/);
    expect(r.stderr).toMatch(/no such file or directory/i);
  });

  test("run with a missing executable fails the same way", async () => {
    const b = await badBundle(() => {}, ["no-such-program"]);
    const r = await env.rt.run(b);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("executable file not found in $PATH");
    expect(env.rt.listStateDirs()).toEqual([]);
  });

  test("a bind mount whose source does not exist", async () => {
    const b = await badBundle((cfg) => {
      cfg.mounts!.push({ destination: "/data", type: "bind", source: "/no/such/source", options: ["rbind"] });
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/no\/such\/source/);
  });

  test("a mount the kernel refuses (unknown filesystem type), after the container process exists", async () => {
    const b = await badBundle((cfg) => {
      cfg.mounts!.push({ destination: "/weird", type: "nosuchfs", source: "none" });
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/weird|nosuchfs/);
    // The mount point it made on the way lives in the rootfs, not on the host.
    expect(existsSync("/weird")).toBe(false);
  });

  test("a cwd that is a file", async () => {
    const b = await badBundle((cfg) => {
      cfg.process!.cwd = "/etc/passwd";
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/etc\/passwd/);
  });

  test("a relative cwd is refused", async () => {
    const b = await badBundle((cfg) => {
      cfg.process!.cwd = "tmp";
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/cwd/);
  });

  test("a device outside /dev is refused", async () => {
    const b = await badBundle((cfg) => {
      cfg.linux!["devices"] = [{ path: "/etc/evil-null", type: "c", major: 1, minor: 3 }];
    });
    const r = await createFails(b);
    expect(r.stderr).toMatch(/\/etc\/evil-null/);
    expect(existsSync(path.join(b.rootfs, "etc", "evil-null"))).toBe(false);
  });

  describe("mount destinations through symlinks in the rootfs stay in the rootfs", () => {
    /**
     * `link` (a symlink in the rootfs at /mnt/link, pointing at `target`) is
     * used as the parent of the mount destination: /mnt/link/<marker>.
     * `hostEscape` is where the mount would land had the symlink been
     * followed on the host.
     */
    async function check(target: string, hostEscape: (marker: string, b: Bundle) => string, type: "tmpfs" | "bind") {
      const marker = newContainerId();
      const b = await env.bundle({
        args: ["sh", "-c", `cat /proc/self/mountinfo; echo ===; ls /${marker}`],
        mutate: (cfg) => {
          cfg.mounts!.push(
            type === "tmpfs"
              ? { destination: `/mnt/link/${marker}`, type: "tmpfs", source: "tmpfs", options: ["size=1m"] }
              : { destination: `/mnt/link/${marker}`, type: "bind", source: "payload", options: ["rbind", "ro"] },
          );
        },
      });
      mkdirSync(path.join(b.dir, "payload"));
      writeFileSync(path.join(b.dir, "payload", "inside.txt"), "payload\n");
      mkdirSync(path.join(b.rootfs, "mnt"), { recursive: true });
      symlinkSync(target, path.join(b.rootfs, "mnt", "link"));
      const escape = hostEscape(marker, b);
      expect(existsSync(escape)).toBe(false);

      const r = await env.rt.run(b);
      // Never on the host.
      expect(existsSync(escape), `${escape} was created on the host`).toBe(false);
      expect(hostMountpoints().filter((m) => m.includes(marker))).toEqual([]);
      // runc (securejoin) and runts (openat2 RESOLVE_IN_ROOT) both resolve it in the rootfs and succeed.
      expect(r.code, r.stderr).toBe(0);
      {
        const [info = "", listing = ""] = r.stdout.split("===\n");
        const m = parseMountinfo(info).find((e) => e.mountpoint === `/${marker}`);
        expect(m, `mount at /${marker} inside:\n${info}`).toBeDefined();
        if (type === "tmpfs") expect(m?.fstype).toBe("tmpfs");
        else {
          // The bundle's payload directory, seen through the bind.
          expect(m?.root).toMatch(/\/payload$/);
          expect(listing.trim()).toBe("inside.txt");
        }
        // The mount point was made in the rootfs.
        expect(existsSync(path.join(b.rootfs, marker))).toBe(true);
      }
    }

    test("a symlink to / (tmpfs)", async () => {
      await check("/", (marker) => `/${marker}`, "tmpfs");
    });

    test("a symlink to / (bind)", async () => {
      await check("/", (marker) => `/${marker}`, "bind");
    });

    test("a symlink to ../../.. (tmpfs)", async () => {
      // From <bundle>/rootfs/mnt, ../../.. on the host is the bundle's parent, /tmp.
      await check("../../..", (marker, b) => path.join(path.dirname(b.dir), marker), "tmpfs");
    });

    test("a symlink to ../../.. (bind)", async () => {
      await check("../../..", (marker, b) => path.join(path.dirname(b.dir), marker), "bind");
    });

    test("a destination that is itself a symlink to a host directory", async () => {
      // /mnt/hostetc -> /etc: a tmpfs there must cover the rootfs's /etc, not the host's.
      const b = await env.bundle({
        args: ["sh", "-c", "ls -A /etc | wc -l; grep ' /etc ' /proc/self/mountinfo"],
        mutate: (cfg) => {
          cfg.mounts!.push({ destination: "/mnt/hostetc", type: "tmpfs", source: "tmpfs", options: ["size=1m"] });
        },
      });
      mkdirSync(path.join(b.rootfs, "mnt"), { recursive: true });
      symlinkSync("/etc", path.join(b.rootfs, "mnt", "hostetc"));
      const before = hostMountpoints().filter((m) => m === "/etc");
      const r = await env.rt.run(b);
      expect(hostMountpoints().filter((m) => m === "/etc")).toEqual(before);
      expect(readFileSync("/etc/hostname", "utf8").length).toBeGreaterThan(0);
      expect(r.code, r.stderr).toBe(0);
      // The rootfs's /etc is now an empty tmpfs.
      const [count, line] = r.stdout.split("\n");
      expect(count).toBe("0");
      expect(parseMountinfo(line ?? "")[0]?.fstype).toBe("tmpfs");
    });
  });

  test("a .env or bunfig.toml in the working directory (the bundle) is not read", async () => {
    // Engines run the runtime inside the bundle. A compiled Bun program would by
    // default load .env (here: point RUNTS_INIT at a missing file, so create
    // fails) and bunfig.toml (here: preload a script that leaves a marker).
    const b = await badBundle(() => {});
    const marker = path.join(b.dir, "preloaded");
    writeFileSync(path.join(b.dir, ".env"), "RUNTS_INIT=/nonexistent/runts-init\nRUNTS_TIMING=1\n");
    writeFileSync(path.join(b.dir, "preload.js"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "x");\n`);
    writeFileSync(path.join(b.dir, "bunfig.toml"), 'preload = ["./preload.js"]\n');
    const r = await env.rt.run(b, undefined, [], { cwd: b.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/runts timing/);
    expect(existsSync(marker), "bunfig.toml's preload ran").toBe(false);
  });

  test("a refused config: the runts-init started before the config was read is gone with runts", async () => {
    const b = await badBundle((cfg) => {
      (cfg.process as unknown as Record<string, unknown>)["args"] = "sh -c true";
    });
    // runts-init through a wrapper that notes it was started (the same process goes on as runts-init).
    const started = path.join(b.dir, "init-started");
    const init = path.join(b.dir, "init-of-this-test");
    writeFileSync(init, `#!/bin/sh\n: > ${started}\nexec ${path.join(repoRoot, "dist", "runts-init")} "$@"\n`, { mode: 0o755 });
    const { rt } = env;
    const r = underSubreaper(rt, ["create", "--bundle", b.dir, newContainerId()], { RUNTS_INIT: init });
    expect(r.code).toBe(1);
    expect(rt.logTail(1)).toMatch(/process\.args/);
    expect(existsSync(started), "runts-init was started before the config was read").toBe(true);
    // runts released and reaped it: nothing came to the subreaper.
    expect(r.left).toEqual([]);
  });

  test("a runts-init that dies before it reads its plan: one clear line, nothing left", async () => {
    const b = await badBundle(() => {});
    const dead = path.join(b.dir, "dead-init");
    writeFileSync(dead, "#!/bin/sh\nexit 3\n", { mode: 0o755 });
    const r = await env.rt.run(b, undefined, [], { env: { RUNTS_INIT: dead } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/runts-init \(pid \d+\) exited before it started the container/);
  });

  test("after all those failures the runtime still works", async () => {
    expect(await runOk(env, "echo fine")).toBe("fine\n");
  });
});
