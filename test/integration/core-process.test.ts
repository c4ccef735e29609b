/**
 * Core: the user process as it sees itself (ids, supplementary groups,
 * umask, cwd, environment, open descriptors) and as the host sees it
 * (user namespace id maps).
 */
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { isRoot, newContainerId, tmpPrefix } from "../helpers/context.js";
import { runOk, runScript, spawnRuntime, startContainer, useFileLeakCheck } from "../helpers/core.js";
import { useRuntimeEnv } from "../helpers/harness.js";

/** "/proc/self/fd" as `ls -l` shows it: fd -> target. */
function fdTable(lsOutput: string): Map<string, string> {
  const fds = new Map<string, string>();
  for (const line of lsOutput.split("\n")) {
    const m = /\s(\d+)(?: -> (.*))?$/.exec(line);
    if (m && line.startsWith("l")) fds.set(m[1] as string, m[2] ?? "");
  }
  return fds;
}

describe.skipIf(!isRoot)("core: process", () => {
  useFileLeakCheck();
  const env = useRuntimeEnv();

  test("uid, gid and additionalGids", async () => {
    const out = await runOk(env, "id -u; id -g; id -G; id", {
      mutate: (cfg) => {
        cfg.process!.user = { uid: 1000, gid: 1000, additionalGids: [5, 65534] };
      },
    });
    const [uid, gid, groups, full] = out.split("\n");
    expect(uid).toBe("1000");
    expect(gid).toBe("1000");
    expect((groups ?? "").split(" ").sort()).toEqual(["1000", "5", "65534"].sort());
    expect(full).toMatch(/^uid=1000\(user\) gid=1000\(user\) groups=/);
  });

  test("a uid and gid without an /etc/passwd entry, and no supplementary groups", async () => {
    const out = await runOk(env, "id -u; id -g; id -G", {
      mutate: (cfg) => {
        cfg.process!.user = { uid: 4242, gid: 4343 };
      },
    });
    expect(out).toBe("4242\n4343\n4343\n");
  });

  test("the process's ids seen from the host", async () => {
    const c = await startContainer(env, {
      mutate: (cfg) => {
        cfg.process!.user = { uid: 1000, gid: 1001, additionalGids: [7] };
      },
    });
    const status = readFileSync(`/proc/${c.pid}/status`, "utf8");
    expect(/^Uid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(["1000", "1000", "1000", "1000"]);
    expect(/^Gid:\s+(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toEqual(["1001", "1001", "1001", "1001"]);
    expect(/^Groups:\s*(.*)$/m.exec(status)?.[1]?.trim()).toBe("7");
  });

  test("umask from process.user.umask, and 0022 by default", async () => {
    expect(
      await runOk(env, "umask", {
        mutate: (cfg) => {
          cfg.process!.user.umask = 0o027;
        },
      }),
    ).toBe("0027\n");
    expect(await runOk(env, "umask")).toBe("0022\n");
    // It applies to files the process makes.
    const out = await runOk(env, "touch /tmp/f && stat -c %a /tmp/f", {
      mutate: (cfg) => {
        cfg.process!.user.umask = 0o077;
        cfg.root!.readonly = false;
      },
    });
    expect(out).toBe("600\n");
  });

  test("cwd", async () => {
    expect(
      await runOk(env, "pwd", {
        mutate: (cfg) => {
          cfg.process!.cwd = "/tmp";
        },
      }),
    ).toBe("/tmp\n");
  });

  test("a cwd that does not exist in the rootfs is created", async () => {
    const r = await runScript(env, "pwd; stat -c %a .", {
      mutate: (cfg) => {
        cfg.process!.cwd = "/work/deep/dir";
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("/work/deep/dir\n755\n");
    expect(statSync(path.join(r.bundle.rootfs, "work/deep/dir")).isDirectory()).toBe(true);
  });

  test("env is exactly process.env (plus what sh adds)", async () => {
    const r = await runScript(env, "", {
      mutate: (cfg) => {
        cfg.process!.args = ["env"];
        cfg.process!.env = [
          "PATH=/bin",
          "FOO=bar",
          "WITH_SPACES=a b  c",
          "EMPTY=",
          "EQUALS=x=y=z",
          "HOME=/home/custom",
        ];
      },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(
      ["PATH=/bin", "FOO=bar", "WITH_SPACES=a b  c", "EMPTY=", "EQUALS=x=y=z", "HOME=/home/custom"].sort(),
    );
  });

  test("HOME is set from /etc/passwd when process.env has none (as runc)", async () => {
    // runc (libcontainer/init_linux.go) adds HOME from the user's passwd entry, "/" when there is none.
    const root = await runOk(env, "", {
      mutate: (cfg) => {
        cfg.process!.args = ["env"];
      },
    });
    expect(root.split("\n")).toContain("HOME=/root");
    const user = await runOk(env, "", {
      mutate: (cfg) => {
        cfg.process!.args = ["env"];
        cfg.process!.user = { uid: 1000, gid: 1000 };
      },
    });
    expect(user.split("\n")).toContain("HOME=/home/user");
  });

  test("a user namespace with uid/gid mappings: root inside, the mapped ids outside", async () => {
    const mutate = (cfg: import("../helpers/bundle.js").OciConfig) => {
      cfg.linux!.namespaces!.push({ type: "user" });
      cfg.linux!["uidMappings"] = [{ containerID: 0, hostID: 100000, size: 65536 }];
      cfg.linux!["gidMappings"] = [{ containerID: 0, hostID: 200000, size: 65536 }];
    };
    const bundle = await env.bundle({ args: ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; exec sleep 1000"], mutate });
    // The mapped root must be able to reach the rootfs (mkdtemp makes the bundle dir 0700).
    chmodSync(bundle.dir, 0o755);
    const id = await env.rt.create(bundle);
    await env.rt.start(id);
    const { pid } = await env.rt.waitForStatus(id, "running");

    expect(readFileSync(`/proc/${pid}/uid_map`, "utf8").trim().split(/\s+/)).toEqual(["0", "100000", "65536"]);
    expect(readFileSync(`/proc/${pid}/gid_map`, "utf8").trim().split(/\s+/)).toEqual(["0", "200000", "65536"]);
    const deadline = Date.now() + 5_000;
    let status = "";
    // sh execs sleep after printing; wait for that so the ids read are the final ones.
    while (Date.now() < deadline) {
      status = readFileSync(`/proc/${pid}/status`, "utf8");
      if (/^Name:\s+sleep$/m.test(status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(/^Uid:\s+(\S+)/m.exec(status)?.[1]).toBe("100000");
    expect(/^Gid:\s+(\S+)/m.exec(status)?.[1]).toBe("200000");
    expect(env.rt.output(id).stdout.split("\n").map((l) => l.trim().split(/\s+/).join(" "))).toEqual([
      "0",
      "0",
      "0 100000 65536",
      "0 200000 65536",
      "",
    ]);
  });

  test("no stray descriptors: only 0, 1, 2 (and ls's own directory)", async () => {
    const r = await runScript(env, "", {
      mutate: (cfg) => {
        cfg.process!.args = ["ls", "-l", "/proc/self/fd"];
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const fds = fdTable(r.stdout);
    const others = [...fds.keys()].filter((fd) => !["0", "1", "2"].includes(fd));
    // ls has the directory it lists open; its link reads as gone once ls is done with it.
    expect(others.length, r.stdout).toBeLessThanOrEqual(1);
    expect([...fds.keys()]).toEqual(expect.arrayContaining(["0", "1", "2"]));
  });

  test("a descriptor the caller has open beyond stdio is not passed without --preserve-fds", async () => {
    const dir = mkdtempSync(tmpPrefix("fds"));
    const file = path.join(dir, "passed.txt");
    writeFileSync(file, "from host\n");
    const fd = openSync(file, "r+");
    try {
      const bundle = await env.bundle({ args: ["sh", "-c", "ls -l /proc/$$/fd; true"] }); // two commands: sh must not exec ls
      const id = newContainerId();
      const r = await spawnRuntime(env.rt, ["run", "--bundle", bundle.dir, id], { extraFds: [fd] });
      expect(r.code, r.stderr).toBe(0);
      const fds = fdTable(r.stdout);
      expect([...fds.keys()].sort()).toEqual(["0", "1", "2"]);
      expect([...fds.values()].join(" ")).not.toContain("passed.txt");
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--preserve-fds 1 passes fd 3, readable and writable", async () => {
    const dir = mkdtempSync(tmpPrefix("fds"));
    const file = path.join(dir, "passed.txt");
    writeFileSync(file, "from host\n");
    const fd = openSync(file, "r+");
    try {
      const bundle = await env.bundle({
        args: ["sh", "-c", "ls -l /proc/$$/fd; read line <&3; echo \"got: $line\"; echo 'from container' >&3"],
      });
      const id = newContainerId();
      const r = await spawnRuntime(env.rt, ["run", "--preserve-fds", "1", "--bundle", bundle.dir, id], {
        extraFds: [fd],
      });
      expect(r.code, r.stderr + env.rt.logTail()).toBe(0);
      const fds = fdTable(r.stdout);
      expect([...fds.keys()].sort()).toEqual(["0", "1", "2", "3"]);
      expect(fds.get("3")).toContain("passed.txt");
      expect(r.stdout).toContain("got: from host\n");
      expect(readFileSync(file, "utf8")).toBe("from host\nfrom container\n");
      expect(existsSync(path.join(env.rt.root, id))).toBe(false);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
