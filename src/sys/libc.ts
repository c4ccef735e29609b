/**
 * The few libc calls Node does not offer, through ffi-rs. Loaded lazily: a
 * command that needs none of them never opens libc through ffi.
 */
import { RuntsError, errnoText } from "../errors.js";
import type * as FfiRs from "ffi-rs";
import { ffiBinding } from "./ffi-binding.js";

type Ffi = typeof FfiRs;

let ffi: Ffi | undefined;
let scratch: Region | undefined;

async function load(): Promise<Ffi> {
  if (!ffi) {
    ffi = withDefaults(ffiBinding());
    ffi.open({ library: "libc", path: "libc.so.6" });
  }
  return ffi;
}

/**
 * ffi-rs's own load() wrapper: freeResultMemory defaults to false (the addon
 * wants the field). Its array-type rewriting is not needed: runts passes no
 * array types.
 */
function withDefaults(binding: Ffi): Ffi {
  const raw = binding.load;
  const load = ((params: Parameters<Ffi["load"]>[0]) =>
    raw(params.freeResultMemory === undefined ? { ...params, freeResultMemory: false } : params)) as Ffi["load"];
  return { ...binding, load };
}

/** Must be awaited once before any call below. */
export async function initLibc(): Promise<void> {
  await load();
}

function lib(): Ffi {
  if (!ffi) throw new Error("libc not initialised: call initLibc() first");
  return ffi;
}

/** os.constants, loaded when first needed (errors, mostly): node:os costs a cold process ~0.3 ms. */
function osConstants(): typeof import("node:os").constants {
  return process.getBuiltinModule("node:os").constants;
}

let errnoNames: Map<number, string> | undefined;

/** errno number → lower-case text such as "no such file or directory". */
export function errnoMessage(n: number): string {
  errnoNames ??= new Map(Object.entries(osConstants().errno).map(([k, v]) => [v, k]));
  const name = errnoNames.get(n);
  return name ? errnoText(name) : `errno ${n}`;
}

interface Call {
  value: number;
  errnoCode: number;
}

function call(name: string, types: FfiRs.DataType[], values: unknown[]): Call {
  const f = lib();
  return f.load({
    library: "libc",
    funcName: name,
    retType: f.DataType.I32,
    paramsType: types,
    paramsValue: values,
    errno: true,
  }) as Call;
}

function check(name: string, r: Call, path?: string): number {
  if (r.value < 0) {
    throw new RuntsError(`${name} failed`, { step: name, errno: errnoMessage(r.errnoCode), ...(path ? { path } : {}) });
  }
  return r.value;
}

/** Bytes at the start of the scratch region kept for out-parameters. */
const OUT_BYTES = 64;

/**
 * The process's scratch memory, made once (each native call costs a cold
 * process tens of microseconds): out-parameters in its first OUT_BYTES,
 * posix_spawn's arguments after them.
 */
function out(): Region {
  return (scratch ??= region(1 << 16));
}

/**
 * Memory that native calls and this process both see: a JavaScript
 * ArrayBuffer (its contents are never moved, by JavaScriptCore or V8) read
 * and written through a DataView, and its address for libc. Not native memory
 * behind a Buffer: the first Buffer of a process costs Bun ~0.4M instructions
 * (~0.16 ms of every create) to set up. Whoever hands out an address keeps the
 * Region alive while native code may use it.
 */
interface Region {
  bytes: Uint8Array;
  view: DataView;
  addr: bigint;
}

function region(size: number): Region {
  const bytes = new Uint8Array(new ArrayBuffer(size));
  const f = lib();
  const t = f.DataType;
  // ffi-rs hands a U8Array parameter over in place (its data pointer, from
  // napi_get_buffer_info: src/utils/dataprocess.rs, 1.3.x); memset(p, 0, 0) returns p.
  const tag = (f.FFITypeTag as unknown as Record<string, number | undefined>)["Array"];
  if (tag === undefined) throw new RuntsError("ffi-rs has no array parameters (FFITypeTag.Array)", { step: "alloc" });
  const array = { ffiTypeTag: tag as FfiRs.FFITypeTag, type: t.U8Array, length: size };
  const addr = f.load({
    library: "libc",
    funcName: "memset",
    retType: t.I64,
    paramsType: [array, t.I32, t.U64],
    paramsValue: [bytes, 0, 0],
  }) as number;
  if (!addr) throw new RuntsError("no address for the scratch memory", { step: "alloc" });
  return { bytes, view: new DataView(bytes.buffer), addr: BigInt(addr) };
}

function callAddr(name: string, values: Array<bigint | number | string>, types: FfiRs.DataType[]): number {
  const f = lib();
  return f.load({ library: "libc", funcName: name, retType: f.DataType.I32, paramsType: types, paramsValue: values }) as number;
}

/**
 * posix_spawn(3) a program with an empty environment, the given fds dup2'ed
 * into place, and the rest of our descriptors as they are (close-on-exec ones
 * close). Cheaper than node:child_process, and the child is ours alone to reap.
 */
export function spawnProgram(path: string, argv: string[], dup2: Array<[from: number, to: number]>): number {
  const r = out();
  const t = lib().DataType;
  // posix_spawn_file_actions_t (80 bytes on glibc), the pid, argv and envp
  // pointers, then the strings. DataView and encodeInto, not Buffer methods:
  // those are compiled on first use, in a process that uses them once.
  const fa = OUT_BYTES;
  const pidAt = fa + 448;
  const argvAt = pidAt + 8;
  const envpAt = argvAt + 8 * (argv.length + 1);
  let strAt = envpAt + 8;
  const view = r.view;
  const bytes = r.bytes;
  bytes.fill(0, fa, strAt);
  const utf8 = new TextEncoder();
  for (let i = 0; i < argv.length; i++) {
    const { read, written } = utf8.encodeInto(argv[i] as string, bytes.subarray(strAt, bytes.length - 1));
    if (read !== (argv[i] as string).length) throw new RuntsError("arguments too long", { step: "spawn", path });
    bytes[strAt + written] = 0;
    view.setBigUint64(argvAt + 8 * i, r.addr + BigInt(strAt), true);
    strAt += written + 1;
  }
  const at = (off: number): bigint => r.addr + BigInt(off);
  callAddr("posix_spawn_file_actions_init", [at(fa)], [t.BigInt]);
  try {
    for (const [from, to] of dup2) {
      const e = callAddr("posix_spawn_file_actions_adddup2", [at(fa), from, to], [t.BigInt, t.I32, t.I32]);
      if (e) throw new RuntsError("posix_spawn_file_actions_adddup2 failed", { step: "spawn", errno: errnoMessage(e) });
    }
    const e = callAddr(
      "posix_spawn",
      [at(pidAt), path, at(fa), 0n, at(argvAt), at(envpAt)],
      [t.BigInt, t.String, t.BigInt, t.BigInt, t.BigInt, t.BigInt],
    );
    if (e) throw new RuntsError(`cannot start ${path}`, { step: "spawn", path, errno: errnoMessage(e) });
  } finally {
    callAddr("posix_spawn_file_actions_destroy", [at(fa)], [t.BigInt]);
  }
  return view.getInt32(pidAt, true);
}

const F_DUPFD_CLOEXEC = 1030;

/** A close-on-exec duplicate of fd numbered `min` or above. */
export function dupAbove(fd: number, min: number): number {
  const t = lib().DataType;
  return check("fcntl", call("fcntl", [t.I32, t.I32, t.I32], [fd, F_DUPFD_CLOEXEC, min]));
}

const WNOHANG = 1;
const EINTR = 4;

/** Reap a child that has exited or is about to; true once reaped. */
export function reapNow(pid: number, block: boolean): boolean {
  return typeof waitpid(pid, block ? 0 : WNOHANG) === "number";
}

/**
 * waitpid(pid, &status, flags), again when interrupted: the wait status once
 * `pid` is reaped, undefined while it runs on (WNOHANG), or the failure.
 */
function waitpid(pid: number, flags: number): number | undefined | { errno: number } {
  const { addr, view } = out();
  const t = lib().DataType;
  for (;;) {
    const r = call("waitpid", [t.I32, t.BigInt, t.I32], [pid, addr, flags]);
    if (r.value === pid) return view.getInt32(0, true);
    if (r.value === 0) return undefined;
    if (r.errnoCode !== EINTR) return { errno: r.errnoCode };
  }
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;

/** A connected AF_UNIX stream pair, both ends close-on-exec. */
export function socketpair(): [number, number] {
  const { addr, view } = out();
  const t = lib().DataType;
  check("socketpair", call("socketpair", [t.I32, t.I32, t.I32, t.BigInt], [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, addr]));
  return [view.getInt32(0, true), view.getInt32(4, true)];
}

export function pidfdOpen(pid: number): number {
  const t = lib().DataType;
  return check("pidfd_open", call("pidfd_open", [t.I32, t.U32], [pid, 0]));
}

const POLLIN = 1;

/**
 * Wait until `fd` has something to read (data, end of file or an error: a
 * read says which) or the process behind `pidfd` has exited. `fd` wins when
 * both are ready.
 */
export function waitReadableOrExit(fd: number, pidfd: number): "readable" | "exited" {
  const { view, addr } = out();
  const t = lib().DataType;
  // Two struct pollfd { int fd; short events; short revents; }.
  view.setInt32(0, fd, true);
  view.setInt16(4, POLLIN, true);
  view.setInt32(8, pidfd, true);
  view.setInt16(12, POLLIN, true);
  for (;;) {
    view.setInt16(6, 0, true);
    view.setInt16(14, 0, true);
    const r = call("poll", [t.BigInt, t.U64, t.I32], [addr, 2, -1]);
    if (r.value < 0 && r.errnoCode === EINTR) continue;
    check("poll", r);
    if (view.getInt16(6, true) !== 0) return "readable";
    if (view.getInt16(14, true) !== 0) return "exited";
  }
}

/** Duplicate descriptor `fd` of the process behind `pidfd` into this process. */
export function pidfdGetfd(pidfd: number, fd: number): number {
  const t = lib().DataType;
  return check("pidfd_getfd", call("pidfd_getfd", [t.I32, t.I32, t.U32], [pidfd, fd, 0]));
}

export function mkfifo(path: string, mode: number): void {
  const t = lib().DataType;
  check("mkfifo", call("mkfifo", [t.String, t.U32], [path, mode]), path);
}

const LOCK_EX = 2;

/** Exclusive advisory lock on an open descriptor; blocks until granted. */
export function flockExclusive(fd: number, path: string): void {
  const t = lib().DataType;
  check("flock", call("flock", [t.I32, t.I32], [fd, LOCK_EX]), path);
}

const PR_SET_CHILD_SUBREAPER = 36;

/** Become the reaper of orphaned descendants (as runc run does, unless --no-subreaper). */
export function becomeSubreaper(): void {
  const t = lib().DataType;
  check("prctl", call("prctl", [t.I32, t.U64, t.U64, t.U64, t.U64], [PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0]));
}

/**
 * Put a terminal in raw mode as cfmakeraw(3) does (output processing off too,
 * unlike Node's setRawMode); returns the function that restores it.
 */
export function makeRaw(fd: number): () => void {
  const r = region(2 * 64); // two struct termios (60 bytes each on Linux)
  const t = lib().DataType;
  const raw = r.addr + 64n;
  if (callAddr("tcgetattr", [fd, r.addr], [t.I32, t.BigInt]) !== 0) return () => undefined;
  r.bytes.copyWithin(64, 0, 64);
  callAddr("cfmakeraw", [raw], [t.BigInt]);
  callAddr("tcsetattr", [fd, 0 /* TCSANOW */, raw], [t.I32, t.I32, t.BigInt]);
  // The region itself, not only its address, stays with the restorer: the saved
  // termios lives in its ArrayBuffer, which must not be collected before it runs.
  return () => {
    callAddr("tcsetattr", [fd, 0, r.addr], [t.I32, t.I32, t.BigInt]);
  };
}

const TIOCSWINSZ = 0x5414;

/** Set a terminal's window size (struct winsize: rows, cols, xpixel, ypixel as u16). */
export function setWindowSize(fd: number, rows: number, cols: number): void {
  const { addr, view } = out();
  view.setUint16(0, rows, true);
  view.setUint16(2, cols, true);
  view.setUint32(4, 0, true);
  const t = lib().DataType;
  check("ioctl", call("ioctl", [t.I32, t.U64, t.BigInt], [fd, TIOCSWINSZ, addr]));
}

export interface WaitResult {
  /** Exit code, or 128+signal when killed by a signal (the shell's convention, as runc). */
  code: number;
  signal?: number;
}

/**
 * Wait for child `pid` to exit and reap it. The event loop keeps running (signals
 * to runts are forwarded meanwhile): each SIGCHLD, and a slow poll should one
 * be missed, tries waitpid(WNOHANG). No thread: a waitpid in ffi-rs's worker
 * thread cost a cold `run` ~0.25 ms to set up.
 */
export function waitChild(pid: number): Promise<WaitResult> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      let status: number | undefined;
      try {
        status = tryReap(pid);
      } catch (err) {
        stop();
        reject(err);
        return;
      }
      if (status === undefined) return;
      stop();
      resolve(decodeWaitStatus(status));
    };
    // Also what keeps the event loop alive: a signal listener does not.
    const poll = setInterval(check, 100);
    const stop = (): void => {
      clearInterval(poll);
      process.off("SIGCHLD", check);
    };
    process.on("SIGCHLD", check);
    check();
  });
}

/** waitpid(pid, WNOHANG): the wait status once `pid` has exited (and is reaped), else undefined. */
function tryReap(pid: number): number | undefined {
  const r = waitpid(pid, WNOHANG);
  if (typeof r === "object") throw new RuntsError("waitpid failed", { step: "wait", errno: errnoMessage(r.errno) });
  return r;
}

function decodeWaitStatus(status: number): WaitResult {
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff };
  return { code: 128 + sig, signal: sig };
}

/** calloc'ed native memory: a Buffer view on it and its address (to put into structs such as bpf_attr). */
export interface NativeBuffer {
  ptr: FfiRs.JsExternal;
  buf: Buffer;
  addr: number;
}

export function nativeAlloc(size: number): NativeBuffer {
  const f = lib();
  const t = f.DataType;
  const ptr = f.load({
    library: "libc",
    funcName: "calloc",
    retType: t.External,
    paramsType: [t.U64, t.U64],
    paramsValue: [1, Math.max(size, 1)],
  }) as FfiRs.JsExternal;
  // memset(p, 0, 0) returns p: its address as a number (user addresses fit in 2^53).
  const addr = f.load({
    library: "libc",
    funcName: "memset",
    retType: t.I64,
    paramsType: [t.External, t.I32, t.U64],
    paramsValue: [ptr, 0, 0],
  }) as number;
  if (!addr) throw new RuntsError("calloc failed", { step: "alloc" });
  return { ptr, buf: f.createExternalBuffer(ptr, Math.max(size, 1)), addr };
}

export function nativeFree(b: NativeBuffer): void {
  const t = lib().DataType;
  lib().load({ library: "libc", funcName: "free", retType: t.Void, paramsType: [t.External], paramsValue: [b.ptr] });
}

const SYS_BPF: Partial<Record<string, number>> = { x64: 321, arm64: 280 };

/** bpf(2): returns the result, or -errno. */
export function bpfSyscall(cmd: number, attr: NativeBuffer, size: number): number {
  const nr = SYS_BPF[process.arch];
  if (nr === undefined) throw new RuntsError(`bpf(2) is not wired for ${process.arch}`, { step: "bpf" });
  const t = lib().DataType;
  const r = lib().load({
    library: "libc",
    funcName: "syscall",
    retType: t.I64,
    paramsType: [t.I64, t.I64, t.External, t.I64],
    paramsValue: [nr, cmd, attr.ptr, size],
    errno: true,
  }) as Call;
  return r.value < 0 ? -r.errnoCode : r.value;
}
