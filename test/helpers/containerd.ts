/**
 * A private containerd for test/integration/containerd.test.ts: its own root,
 * state, temp dir and gRPC socket under /tmp/runts-test-containerd-<run>-XXXXXX/,
 * a config with the CRI plugin and everything else that needs the network or
 * touches host paths disabled, and `ctr` calls that always carry its
 * --address and a per-run namespace. Also builds a one-layer busybox OCI image
 * layout tar locally (no registry) for `ctr images import`.
 *
 * Everything here is bounded: every command has a timeout, the daemon is
 * stopped with SIGTERM then SIGKILL, and destroy() undoes what can be left
 * (tasks, containers, images, shims, the runtime's state, snapshot mounts,
 * cgroups, temp dirs) whether or not the test passed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { MARK, isAlive, runToken, subdirNames, tmpPrefix } from "./context.js";
import { runCmd, type CmdResult } from "./cmd.js";
import { parseMountinfo } from "./mountinfo.js";
import { buildRootfs } from "./rootfs.js";

/**
 * What containerd 1.6 creates on the host whatever its --state: the shims'
 * socket dir (and ctr's default fifo dir, unused here), innermost first.
 */
const HOST_DIRS = ["/run/containerd/s", "/run/containerd/fifo", "/run/containerd"];

export const CONTAINERD_TOOLS = ["containerd", "ctr", "containerd-shim-runc-v2"] as const;

/** Where a tool is on PATH (plus the sbin dirs), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(":"), "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
  for (const dir of dirs) {
    if (dir === "") continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The containerd tools that are not installed (Debian package `containerd` ships all three). */
export function missingContainerdTools(): string[] {
  return CONTAINERD_TOOLS.filter((t) => findTool(t) === undefined);
}

export { runCmd, type CmdResult } from "./cmd.js";

function describeResult(what: string, r: CmdResult): string {
  return [
    `${what}: ${r.timedOut ? "timed out (killed)" : `exit ${r.code ?? r.signal}`} after ${r.ms} ms`,
    r.stdout.trim() && `stdout: ${r.stdout.trim()}`,
    r.stderr.trim() && `stderr: ${r.stderr.trim()}`,
  ]
    .filter(Boolean)
    .join("\n");
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}

/** containerd's config.toml (version 2): nothing that needs the network, nothing outside `dir`. */
function configToml(c: { root: string; state: string; tmp: string; address: string }): string {
  const q = (s: string): string => JSON.stringify(s);
  return `version = 2
root = ${q(c.root)}
state = ${q(c.state)}
temp = ${q(c.tmp)}
# CRI needs CNI and pulls its sandbox image; "opt" writes /opt/containerd; the
# other snapshotters are not used (and btrfs/zfs/devmapper/aufs probe the host).
# (io.containerd.runtime.v1.linux stays: containerd 1.6's tasks service needs it.)
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = ${q(c.address)}

[debug]
  address = ""

[metrics]
  address = ""

`;
}

export interface ContainerdOptions {
  /** Snapshotter for images and containers: "overlayfs" (default) or "native". */
  snapshotter?: "overlayfs" | "native";
  /** How long to wait for `ctr version` to answer; default 20 s. */
  startTimeoutMs?: number;
}

/**
 * One containerd daemon of this test run. `namespace` is runts-test-<run>, so
 * the containers' cgroups (/<namespace>/<id>) and the shims' command lines
 * name the run and the harness' leak checks see them.
 */
export class Containerd {
  readonly dir: string;
  readonly root: string;
  readonly state: string;
  readonly tmp: string;
  readonly address: string;
  readonly configFile: string;
  readonly logFile: string;
  /** Passed to ctr run as --runc-root: the shim gives the runtime --root <runcRoot>/<namespace>. */
  readonly runcRoot: string;
  /** Passed to ctr run / task exec as --fifo-dir (default /run/containerd/fifo). */
  readonly fifoDir: string;
  readonly namespace: string;
  readonly snapshotter: string;
  readonly ctrBin: string;
  /** Milliseconds from spawn to the first answer of `ctr version`. */
  startMs = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  /** Container ids used through this daemon (for cleanup of the runtime's state). */
  readonly ids = new Set<string>();
  private readonly hostDirsBefore: string[];

  private constructor(opts: ContainerdOptions) {
    this.dir = mkdtempSync(tmpPrefix("containerd"));
    this.root = path.join(this.dir, "root");
    this.state = path.join(this.dir, "state");
    this.tmp = path.join(this.dir, "tmp");
    this.address = path.join(this.dir, "containerd.sock");
    this.configFile = path.join(this.dir, "config.toml");
    this.logFile = path.join(this.dir, "containerd.log");
    this.runcRoot = path.join(this.dir, "runc");
    this.fifoDir = path.join(this.dir, "fifo");
    this.hostDirsBefore = HOST_DIRS.filter((d) => existsSync(d));
    this.namespace = `${MARK}-${runToken()}`;
    this.snapshotter = opts.snapshotter ?? "overlayfs";
    this.ctrBin = findTool("ctr") ?? "ctr";
    for (const d of [this.root, this.state, this.tmp, this.runcRoot, this.fifoDir]) mkdirSync(d, { mode: 0o711 });
    writeFileSync(
      this.configFile,
      configToml({ root: this.root, state: this.state, tmp: this.tmp, address: this.address }),
    );
  }

  /** Start the daemon and wait (bounded) until `ctr version` answers. On failure everything is removed again. */
  static async start(opts: ContainerdOptions = {}): Promise<Containerd> {
    const c = new Containerd(opts);
    try {
      await c.spawnDaemon(opts.startTimeoutMs ?? 20_000);
      return c;
    } catch (err) {
      const problems = await c.destroy();
      throw new Error([err instanceof Error ? err.message : String(err), ...problems].join("\n"));
    }
  }

  private async spawnDaemon(timeoutMs: number): Promise<void> {
    const bin = findTool("containerd");
    if (bin === undefined) throw new Error("containerd is not installed (apt-get install containerd)");
    const log = openSync(this.logFile, "a");
    const started = performance.now();
    try {
      this.child = spawn(bin, ["--config", this.configFile, "--log-level", "debug"], {
        stdio: ["ignore", log, log],
        // TMPDIR too: the shim and the mount helpers make temp dirs there.
        env: { ...process.env, TMPDIR: this.tmp },
      });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => {
      child.on("exit", () => resolve());
      child.on("error", () => resolve());
    });
    const deadline = Date.now() + timeoutMs;
    let last: CmdResult | undefined;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`containerd exited (${child.exitCode ?? child.signalCode}) before answering; log:\n${this.logTail()}`);
      }
      if (existsSync(this.address)) {
        last = await runCmd(this.ctrBin, ["--address", this.address, "version"], { timeoutMs: 5_000 });
        if (last.code === 0) break;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `containerd did not answer within ${timeoutMs} ms${last ? `\n${describeResult("ctr version", last)}` : ""}\nlog:\n${this.logTail()}`,
        );
      }
      await sleep(50);
    }
    this.startMs = Math.round(performance.now() - started);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** `ctr --address A -n NS ...args`; never rejects for a non-zero exit. */
  ctr(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CmdResult> {
    return runCmd(this.ctrBin, ["--address", this.address, "-n", this.namespace, ...args], {
      ...opts,
      env: { CONTAINERD_SNAPSHOTTER: this.snapshotter },
    });
  }

  /** Like ctr(), but throws with the output and the daemon's log tail unless it exits 0. */
  async ctrOk(args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<CmdResult> {
    const r = await this.ctr(args, opts);
    if (r.code !== 0) throw new Error(`${describeResult(`ctr ${args.join(" ")}`, r)}\ncontainerd log tail:\n${this.logTail(30)}`);
    return r;
  }

  /** Last lines of the daemon's log. */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  /** Daemon log lines that contain `text`. */
  logLinesWith(text: string): string[] {
    try {
      return readFileSync(this.logFile, "utf8")
        .split("\n")
        .filter((l) => l.includes(text));
    } catch {
      return [];
    }
  }

  /** The shim's bundle directory of a container (config.json, rootfs, log.json, init.pid ...). */
  bundleDir(id: string): string {
    return path.join(this.state, "io.containerd.runtime.v2.task", this.namespace, id);
  }

  /** The runtime's --root as the shim passes it: <runcRoot>/<namespace>. */
  get runtimeRoot(): string {
    return path.join(this.runcRoot, this.namespace);
  }

  /** The runtime's JSON log for a container (the shim passes --log <bundle>/log.json --log-format json). */
  runtimeLog(id: string): string {
    try {
      return readFileSync(path.join(this.bundleDir(id), "log.json"), "utf8");
    } catch {
      return "";
    }
  }

  /** Container state dirs under the runtime's root. */
  runtimeStateDirs(): string[] {
    return subdirNames(this.runtimeRoot);
  }

  /** Live shims serving this daemon (their command line names its socket), or only the one of container `id`. */
  shimPids(id?: string): number[] {
    return readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
      .filter((pid) => {
        const argv = cmdline(pid);
        if (!(argv[0] ?? "").endsWith("containerd-shim-runc-v2") || !argv.includes(this.address)) return false;
        if (id !== undefined && argv[argv.indexOf("-id") + 1] !== id) return false;
        return isAlive(pid);
      });
  }

  /**
   * Where the runc v2 shim of containerd 1.6 puts its ttrpc socket:
   * /run/containerd/s/sha256(<grpc address>/<namespace>/<id>) (not under --state).
   */
  shimSocket(id: string): string {
    const digest = createHash("sha256").update(path.join(this.address, this.namespace, id)).digest("hex");
    return path.join("/run/containerd/s", digest);
  }

  /**
   * Undo everything, whether the test passed or not, each step bounded:
   * kill and delete tasks, delete containers and images, stop the daemon
   * (SIGTERM, SIGKILL after 10 s), kill leftover shims, `runtime delete
   * --force` leftover runtime state, unmount what is mounted under the temp
   * dir, remove the namespace's empty cgroup parents and the temp dir.
   * Returns the problems met (empty when all went well).
   */
  async destroy(runtimeBin?: string): Promise<string[]> {
    const problems: string[] = [];
    const note = (what: string, r: CmdResult): void => {
      if (r.code !== 0) problems.push(describeResult(what, r));
    };
    const daemonUp = this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
    if (daemonUp) {
      const tasks = await this.ctr(["task", "ls", "-q"], { timeoutMs: 10_000 });
      for (const id of tasks.stdout.split("\n").filter((s) => s !== "")) {
        this.ids.add(id);
        await this.ctr(["task", "kill", "-s", "SIGKILL", "--all", id], { timeoutMs: 10_000 });
        note(`ctr task delete -f ${id}`, await this.ctr(["task", "delete", "-f", id], { timeoutMs: 15_000 }));
      }
      const containers = await this.ctr(["container", "ls", "-q"], { timeoutMs: 10_000 });
      for (const id of containers.stdout.split("\n").filter((s) => s !== "")) {
        this.ids.add(id);
        note(`ctr container delete ${id}`, await this.ctr(["container", "delete", id], { timeoutMs: 15_000 }));
      }
      const images = await this.ctr(["image", "ls", "-q"], { timeoutMs: 10_000 });
      for (const ref of images.stdout.split("\n").filter((s) => s !== "")) {
        note(`ctr image rm ${ref}`, await this.ctr(["image", "rm", "--sync", ref], { timeoutMs: 15_000 }));
      }
    }
    await this.stopDaemon(problems);

    for (const pid of this.shimPids()) {
      problems.push(`shim pid ${pid} outlived the daemon: ${cmdline(pid).join(" ")}; killed`);
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    if (runtimeBin !== undefined) {
      for (const id of this.runtimeStateDirs()) {
        problems.push(`runtime state left for ${id} under ${this.runtimeRoot}; delete --force`);
        await runCmd(runtimeBin, ["--root", this.runtimeRoot, "delete", "--force", id], { timeoutMs: 10_000 });
      }
    }
    for (const id of this.ids) {
      const sock = this.shimSocket(id);
      if (existsSync(sock)) {
        problems.push(`shim socket ${sock} left; removed`);
        rmSync(sock, { force: true });
      }
    }
    problems.push(...this.unmountAll());
    problems.push(...this.removeCgroupParents());
    // The shim's socket dir is not configurable in containerd 1.6: remove it (and /run/containerd)
    // when it was not there before and is empty now (never another containerd's).
    for (const dir of HOST_DIRS) {
      if (this.hostDirsBefore.includes(dir) || !existsSync(dir)) continue;
      try {
        rmdirSync(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== "ENOTEMPTY" && code !== "ENOENT") problems.push(`rmdir ${dir}: ${code ?? String(err)}`);
      }
    }
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch (err) {
      problems.push(`rm -rf ${this.dir}: ${String(err)}`);
    }
    return problems;
  }

  private async stopDaemon(problems: string[]): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!stopped) {
      problems.push("containerd ignored SIGTERM for 10 s; SIGKILL");
      child.kill("SIGKILL");
      await Promise.race([this.exited, sleep(5_000)]);
    }
  }

  /** Mounts under the temp dir (snapshots, bundle rootfs), deepest first, `umount -l` until gone. */
  private unmountAll(): string[] {
    const problems: string[] = [];
    const under = (): string[] =>
      parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
        .map((m) => m.mountpoint)
        .filter((mp) => mp === this.dir || mp.startsWith(`${this.dir}/`));
    const first = under();
    if (first.length > 0) problems.push(`mounts left under ${this.dir}: ${[...new Set(first)].join(", ")}; unmounted`);
    for (let round = 0; round < 8; round++) {
      const left = [...new Set(under())].sort((a, b) => b.length - a.length);
      if (left.length === 0) break;
      for (const mp of left) {
        // Synchronous on purpose: cleanup must finish before rm -rf.
        const r = spawnSyncQuiet("umount", ["-l", mp]);
        if (r !== 0 && round === 7) problems.push(`umount -l ${mp} failed`);
      }
    }
    return problems;
  }

  /** The empty /<namespace> cgroup parents that runc-style runtimes leave in every hierarchy. */
  private removeCgroupParents(): string[] {
    const problems: string[] = [];
    const hierarchies = parseMountinfo(readFileSync("/proc/self/mountinfo", "utf8"))
      .filter((m) => (m.fstype === "cgroup" || m.fstype === "cgroup2") && m.mountpoint.startsWith("/sys/fs/cgroup"))
      .map((m) => m.mountpoint);
    for (const h of new Set(hierarchies)) {
      const dir = path.join(h, this.namespace);
      if (!existsSync(dir)) continue;
      try {
        rmdirSync(dir); // not recursive: a container cgroup left inside stays, and the leak check reports it
      } catch (err) {
        problems.push(`rmdir ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
    }
    return problems;
  }
}

function spawnSyncQuiet(file: string, args: string[]): number {
  return spawnSync(file, args, { stdio: "ignore", timeout: 10_000 }).status ?? -1;
}

// ---------------------------------------------------------------------------
// A local OCI image

export interface OciImageOptions {
  /** Tag written as org.opencontainers.image.ref.name (default "latest"). */
  tag?: string;
  /** Config.Cmd (default ["sh"]). */
  cmd?: string[];
  /** Config.Env (default a PATH). */
  env?: string[];
}

export interface OciImage {
  /** The OCI image layout tar. */
  file: string;
  tag: string;
  manifestDigest: string;
  configDigest: string;
  /** Digest of the uncompressed layer tar (also its diff_id). */
  layerDigest: string;
  layerSize: number;
}

const sha256 = (data: Buffer): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** GOARCH of this machine. */
export function ociArch(): string {
  const map: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return map[process.arch] ?? process.arch;
}

/**
 * Build a one-layer busybox image as an OCI image layout tar at `file`
 * (oci-layout, index.json with the ref.name annotation, blobs/sha256/...),
 * using `workDir` (created) for the pieces. The layer is an uncompressed tar
 * of the busybox rootfs of test/helpers/rootfs.ts.
 */
export async function buildBusyboxImage(workDir: string, file: string, opts: OciImageOptions = {}): Promise<OciImage> {
  const tag = opts.tag ?? "latest";
  const rootfs = path.join(workDir, "rootfs");
  const layout = path.join(workDir, "layout");
  const blobs = path.join(layout, "blobs", "sha256");
  mkdirSync(workDir, { recursive: true });
  mkdirSync(blobs, { recursive: true });
  await buildRootfs(rootfs);

  const layerFile = path.join(workDir, "layer.tar");
  const tarLayer = await runCmd("tar", ["--numeric-owner", "--sort=name", "-cf", layerFile, "-C", rootfs, "."], { timeoutMs: 30_000 });
  if (tarLayer.code !== 0) throw new Error(describeResult("tar (layer)", tarLayer));
  const layer = readFileSync(layerFile);
  const layerDigest = sha256(layer);

  const putBlob = (data: Buffer): { digest: string; size: number } => {
    const digest = sha256(data);
    writeFileSync(path.join(blobs, digest.slice("sha256:".length)), data);
    return { digest, size: data.length };
  };
  const layerBlob = putBlob(layer);
  unlinkSync(layerFile);

  const config = {
    architecture: ociArch(),
    os: "linux",
    config: {
      Cmd: opts.cmd ?? ["sh"],
      Env: opts.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      WorkingDir: "/",
    },
    rootfs: { type: "layers", diff_ids: [layerDigest] },
    history: [{ created_by: "runts test/helpers/containerd.ts: busybox rootfs" }],
  };
  const configBlob = putBlob(Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", ...configBlob },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layerBlob }],
  };
  const manifestBlob = putBlob(Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [
      {
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        ...manifestBlob,
        platform: { architecture: ociArch(), os: "linux" },
        annotations: { "org.opencontainers.image.ref.name": tag },
      },
    ],
  };
  writeFileSync(path.join(layout, "index.json"), JSON.stringify(index));
  writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));

  const tarLayout = await runCmd("tar", ["--numeric-owner", "--sort=name", "-cf", file, "-C", layout, "oci-layout", "index.json", "blobs"], {
    timeoutMs: 30_000,
  });
  if (tarLayout.code !== 0) throw new Error(describeResult("tar (layout)", tarLayout));
  rmSync(rootfs, { recursive: true, force: true });
  return {
    file,
    tag,
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    layerDigest,
    layerSize: layerBlob.size,
  };
}
