/**
 * A real engine drives the runtime: a private containerd (its own root, state,
 * socket and config, see test/helpers/containerd.ts) imports a busybox OCI
 * image built here, and `ctr` runs containers through containerd-shim-runc-v2
 * with `--runc-binary` = the runtime under test (RUNTS_BIN, default
 * dist/runts; RUNTS_BIN=/usr/sbin/runc for the reference run) and
 * `--runc-root` under the temp dir, so nothing touches /run/containerd/runc.
 * RUNTS_CONTAINERD_SNAPSHOTTER=native uses the native snapshotter instead of overlayfs.
 *
 * Needs the Debian package `containerd` (containerd, ctr,
 * containerd-shim-runc-v2); without it the file is skipped with a note, except
 * under CI=true, where it fails (CI must install it).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildBusyboxImage, Containerd, findTool, missingContainerdTools, runCmd, type CmdResult, type OciImage } from "../helpers/containerd.js";
import { isRoot, newContainerId, runtimeBin } from "../helpers/context.js";
import { hostMountpoints, useFileLeakCheck, waitUntil } from "../helpers/core.js";

const missing = isRoot ? missingContainerdTools() : [];
const INSTALL_HINT = "install Debian's containerd package: apt-get install containerd (it brings runc)";
/** Under CI=true the file must run: missing tools fail it instead of skipping it. */
const inCI = process.env["CI"] === "true";
if (isRoot && missing.length > 0 && !inCI) {
  console.warn(`[containerd.test] SKIPPED: ${missing.join(", ")} not installed; ${INSTALL_HINT}`);
}

/** ctr import names the image <base-name>:<ref.name annotation>. */
const IMAGE_BASE = "localhost/runts-test/busybox";

interface TaskRow {
  id: string;
  pid: number;
  status: string;
}

/** `ctr task ls` rows: TASK PID STATUS. */
function parseTasks(out: string): TaskRow[] {
  return out
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3)
    .map(([id, pid, status]) => ({ id: id ?? "", pid: Number(pid), status: status ?? "" }));
}

function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function cgroupLeafDirs(ns: string, id: string): string[] {
  return readdirSync("/sys/fs/cgroup")
    .map((h) => path.join("/sys/fs/cgroup", h, ns, id))
    .filter((d) => existsSync(d));
}

/** util-linux script(1) (Debian: bsdutils, essential) runs ctr -t under a pty. */
const scriptBin = findTool("script");

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

describe.skipIf(!isRoot || (missing.length > 0 && !inCI))("containerd drives the runtime (ctr, containerd-shim-runc-v2)", () => {
  useFileLeakCheck();
  const bin = runtimeBin();
  const timings: string[] = [];
  let cd: Containerd;
  let image: OciImage;
  const imageRef = `${IMAGE_BASE}:latest`;

  const timed = async <T extends CmdResult>(what: string, p: Promise<T>): Promise<T> => {
    const r = await p;
    timings.push(`${what}: ${r.ms} ms`);
    return r;
  };

  /** What to show when a runtime call went wrong: its JSON log and the daemon's lines about the container. */
  const explain = (id: string): string =>
    [
      `runtime log (${path.join(cd.bundleDir(id), "log.json")}):\n${cd.runtimeLog(id).trim() || "(none)"}`,
      `containerd log lines naming ${id}:\n${cd.logLinesWith(id).slice(-15).join("\n") || "(none)"}`,
    ].join("\n");

  const ctrRun = (id: string, args: string[], extra: string[] = []): Promise<CmdResult> => {
    cd.ids.add(id);
    return cd.ctr(["run", ...extra, "--fifo-dir", cd.fifoDir, "--runc-binary", bin, "--runc-root", cd.runcRoot, imageRef, id, ...args], { timeoutMs: 30_000 });
  };

  /** After the container `id` is deleted: no task, runtime state, bundle, mount or cgroup of it is left. */
  const expectGone = (id: string): void => {
    expect(cd.runtimeStateDirs(), "runtime state dirs").not.toContain(id);
    expect(existsSync(cd.bundleDir(id)), "shim bundle dir").toBe(false);
    expect(hostMountpoints().filter((m) => m.includes(`/${id}/`) || m.endsWith(`/${id}`))).toEqual([]);
    expect(cgroupLeafDirs(cd.namespace, id)).toEqual([]);
  };

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and ${missing.join(", ")} not installed; ${INSTALL_HINT}`);
    const t0 = performance.now();
    const snapshotter = process.env["RUNTS_CONTAINERD_SNAPSHOTTER"] === "native" ? "native" : "overlayfs";
    cd = await Containerd.start({ snapshotter });
    timings.push(`snapshotter: ${snapshotter}`);
    timings.push(`containerd up (ctr version answers): ${cd.startMs} ms`);
    const t1 = performance.now();
    image = await buildBusyboxImage(path.join(cd.dir, "image"), path.join(cd.dir, "busybox-oci.tar"));
    timings.push(`OCI image layout tar built: ${Math.round(performance.now() - t1)} ms (layer ${image.layerSize} bytes)`);
    await timed("ctr images import", cd.ctrOk(["images", "import", "--base-name", IMAGE_BASE, image.file], { timeoutMs: 60_000 }));
    timings.push(`beforeAll total: ${Math.round(performance.now() - t0)} ms`);
  }, 120_000);

  afterAll(async () => {
    const t0 = performance.now();
    const problems = cd === undefined ? [] : await cd.destroy(bin);
    timings.push(`cleanup (destroy): ${Math.round(performance.now() - t0)} ms`);
    console.log(`[containerd.test] runtime ${bin}\n  ${timings.join("\n  ")}`);
    if (problems.length > 0) throw new Error(`containerd cleanup:\n${problems.join("\n")}`);
  }, 120_000);

  test("the imported image is listed under its name with the manifest's digest", async () => {
    const ls = await cd.ctrOk(["images", "ls"]);
    const row = ls.stdout.split("\n").find((l) => l.startsWith(`${imageRef} `));
    expect(row, ls.stdout).toBeDefined();
    expect(row).toContain(image.manifestDigest);
    // Unpacked for the snapshotter ctr run uses.
    const check = await cd.ctrOk(["images", "check"]);
    expect(check.stdout.split("\n").find((l) => l.startsWith(`${imageRef} `))).toMatch(/complete/);
  });

  test("ctr run --rm: the container's output, hostname and pid 1; nothing left afterwards", async () => {
    const id = newContainerId();
    // (not last: a busybox sh execs its last command, and pid 1 would be cat)
    const script = "echo hello; hostname; cat /proc/1/cmdline; exit 0";
    const r = await timed("ctr run --rm (echo; hostname; cmdline)", ctrRun(id, ["sh", "-c", script], ["--rm"]));
    expect(r.stderr, explain(id)).toBe("");
    expect(r.code, explain(id)).toBe(0);
    const [hello, host, cmdline] = r.stdout.split("\n");
    expect(hello).toBe("hello");
    // ctr sets no hostname: the new UTS namespace starts as a copy of the host's.
    expect(host).toBe(hostname());
    expect(cmdline).toBe(`sh\0-c\0${script}\0`);
    // --rm deleted task and container: no runtime state, bundle, mount, cgroup or shim.
    expect((await cd.ctrOk(["container", "ls", "-q"])).stdout.split("\n")).not.toContain(id);
    expectGone(id);
    expect(cd.shimPids(id)).toEqual([]);
  });

  test("ctr run returns the container's exit code and its stderr", async () => {
    const id = newContainerId();
    const r = await timed("ctr run --rm (exit 3)", ctrRun(id, ["sh", "-c", "echo oops >&2; exit 3"], ["--rm"]));
    expect(r.code, `${r.stderr}\n${explain(id)}`).toBe(3);
    expect(r.stderr).toBe("oops\n");
    expectGone(id);
  });

  test("ctr run -d: RUNNING in ctr task ls, exec, kill, delete; the runtime's state lives under --runc-root", async () => {
    const id = newContainerId();
    const r = await timed("ctr run -d", ctrRun(id, ["sh", "-c", "exec sleep 1000"], ["-d"]));
    expect(r.code, `${r.stderr}\n${explain(id)}`).toBe(0);

    const tasks = parseTasks((await timed("ctr task ls", cd.ctrOk(["task", "ls"]))).stdout);
    const task = tasks.find((t) => t.id === id);
    expect(task, JSON.stringify(tasks)).toMatchObject({ id, status: "RUNNING" });
    const pid = task!.pid;
    expect(pid).toBeGreaterThan(1);

    // containerd handed the shim our binary and root (the shim keeps them in the bundle) ...
    const bundle = cd.bundleDir(id);
    expect(JSON.parse(readFileSync(path.join(bundle, "options.json"), "utf8"))).toMatchObject({ binary_name: bin, root: cd.runcRoot });
    expect(readFileSync(path.join(bundle, "runtime"), "utf8")).toBe(bin);
    expect(readFileSync(path.join(bundle, "address"), "utf8")).toBe(`unix://${cd.shimSocket(id)}`);
    // ... and the shim ran it with --root <runc-root>/<namespace>: its state is there, and the
    // runtime itself reports the container running with the pid containerd knows.
    expect(cd.runtimeStateDirs()).toContain(id);
    const st = await runCmd(bin, ["--root", cd.runtimeRoot, "state", id], { timeoutMs: 10_000 });
    expect(st.code, st.stderr).toBe(0);
    const state = JSON.parse(st.stdout) as { id: string; status: string; pid: number; bundle: string };
    expect(state).toMatchObject({ id, status: "running", pid, bundle });
    // The container's init is the shim's child (as with runc), the shim is containerd's.
    expect(cd.shimPids()).toContain(ppidOf(pid));
    expect(Number(readFileSync(path.join(bundle, "init.pid"), "utf8"))).toBe(pid);
    // Its cgroup is containerd's default /<namespace>/<id>.
    expect(readFileSync(`/proc/${pid}/cgroup`, "utf8")).toContain(`/${cd.namespace}/${id}\n`);

    const ex = await timed("ctr task exec", cd.ctr(["task", "exec", "--fifo-dir", cd.fifoDir, "--exec-id", "x", id, "sh", "-c", "echo in-exec; cat /proc/1/cmdline"]));
    expect(ex.stderr, explain(id)).toBe("");
    expect(ex.code, explain(id)).toBe(0);
    expect(ex.stdout).toBe("in-exec\nsleep\x001000\0");
    const ex5 = await cd.ctr(["task", "exec", "--fifo-dir", cd.fifoDir, "--exec-id", "y", id, "sh", "-c", "exit 5"]);
    expect(ex5.code, `${ex5.stderr}\n${explain(id)}`).toBe(5);
    // The shim passed --log <bundle>/log.json --log-format json; nothing went wrong so far.
    expect(cd.runtimeLog(id).split("\n").filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);

    await timed("ctr task kill -s SIGKILL", cd.ctrOk(["task", "kill", "-s", "SIGKILL", id]));
    await waitUntil(
      async () => parseTasks((await cd.ctrOk(["task", "ls"])).stdout).find((t) => t.id === id)?.status === "STOPPED",
      `task ${id} STOPPED`,
      10_000,
    );
    const del = await timed("ctr task delete", cd.ctr(["task", "delete", id]));
    expect(del.code, `${del.stderr}\n${explain(id)}`).toBe(0);
    // ctr 1.6 reports the exit status (128 + SIGKILL) as a warning.
    expect(del.stderr).toContain("exit with non-zero exit code 137");
    expect(cd.runtimeStateDirs()).not.toContain(id);
    await timed("ctr container delete", cd.ctrOk(["container", "delete", id]));

    expect(parseTasks((await cd.ctrOk(["task", "ls"])).stdout).map((t) => t.id)).not.toContain(id);
    expectGone(id);
    await waitUntil(() => cd.shimPids(id).length === 0, "the shim exits after the task is deleted", 10_000);
    expect(existsSync(cd.shimSocket(id))).toBe(false);
  });

  test("ctr task ps, pause and resume reach the runtime; an exec error comes back to ctr", async () => {
    const id = newContainerId();
    const r = await ctrRun(id, ["sleep", "1000"], ["-d"]);
    expect(r.code, `${r.stderr}\n${explain(id)}`).toBe(0);
    const pid = parseTasks((await cd.ctrOk(["task", "ls"])).stdout).find((t) => t.id === id)?.pid;

    // The shim asks the runtime (`ps --format json`) for the container's pids.
    const ps = await timed("ctr task ps", cd.ctr(["task", "ps", id]));
    expect(ps.code, `${ps.stderr}\n${explain(id)}`).toBe(0);
    expect(ps.stdout.split("\n").slice(1).map((l) => Number(l.split(/\s+/)[0])).filter((n) => n > 0)).toEqual([pid]);

    const pause = await timed("ctr task pause", cd.ctr(["task", "pause", id]));
    expect(pause.code, `${pause.stderr}\n${explain(id)}`).toBe(0);
    expect(parseTasks((await cd.ctrOk(["task", "ls"])).stdout).find((t) => t.id === id)?.status).toBe("PAUSED");
    const resume = await timed("ctr task resume", cd.ctr(["task", "resume", id]));
    expect(resume.code, `${resume.stderr}\n${explain(id)}`).toBe(0);
    expect(parseTasks((await cd.ctrOk(["task", "ls"])).stdout).find((t) => t.id === id)?.status).toBe("RUNNING");

    // The runtime's error (its last JSON log line) is what containerd reports.
    const missingCmd = await cd.ctr(["task", "exec", "--fifo-dir", cd.fifoDir, "--exec-id", "m", id, "no-such-command"]);
    expect(missingCmd.code).not.toBe(0);
    expect(missingCmd.stderr).toContain("OCI runtime exec failed");
    expect(missingCmd.stderr).toContain('"no-such-command": executable file not found in $PATH');

    await cd.ctrOk(["task", "kill", "-s", "SIGKILL", id]);
    await waitUntil(
      async () => parseTasks((await cd.ctrOk(["task", "ls"])).stdout).find((t) => t.id === id)?.status === "STOPPED",
      `task ${id} STOPPED`,
      10_000,
    );
    await cd.ctrOk(["task", "delete", id]);
    await cd.ctrOk(["container", "delete", id]);
    expectGone(id);
  });

  test.skipIf(scriptBin === undefined)("ctr run -t: the container gets a terminal through the shim's console socket", async () => {
    const id = newContainerId();
    cd.ids.add(id);
    // ctr -t needs a terminal on its own stdin: script(1) gives it one.
    const argv = [cd.ctrBin, "--address", cd.address, "-n", cd.namespace, "run", "--rm", "-t", "--fifo-dir", cd.fifoDir,
      "--runc-binary", bin, "--runc-root", cd.runcRoot, imageRef, id, "sh", "-c", "tty; echo ok; exit 4"];
    const r = await timed("ctr run --rm -t (through script)", runCmd(scriptBin!, ["-qec", argv.map(shellQuote).join(" "), "/dev/null"], {
      timeoutMs: 30_000,
      env: { CONTAINERD_SNAPSHOTTER: cd.snapshotter },
    }));
    expect(r.stdout, `${r.stderr}\n${explain(id)}`).toMatch(/\/dev\/pts\/\d+\r*\nok\r*\n/); // \r\r\n: two ptys, each with onlcr
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(4);
    expectGone(id);
  });
});
