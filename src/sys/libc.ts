/**
 * The few libc calls Node does not offer, through ffi-rs. Loaded lazily: a
 * command that needs none of them never opens libc through ffi.
 */
import { constants } from "node:os";
import { RuntsError, errnoText } from "../errors.js";
import type * as FfiRs from "ffi-rs";

type Ffi = typeof FfiRs;

let ffi: Ffi | undefined;
let scratch: { ptr: FfiRs.JsExternal; buf: Buffer } | undefined;

async function load(): Promise<Ffi> {
  if (!ffi) {
    ffi = await import("ffi-rs");
    ffi.open({ library: "libc", path: "libc.so.6" });
  }
  return ffi;
}

/** Must be awaited once before any call below. */
export async function initLibc(): Promise<void> {
  await load();
}

function lib(): Ffi {
  if (!ffi) throw new Error("libc not initialised: call initLibc() first");
  return ffi;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

/** errno number → lower-case text such as "no such file or directory". */
export function errnoMessage(n: number): string {
  const name = ERRNO_NAMES.get(n);
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

/** A small reusable native buffer for out-parameters. */
function out(): { ptr: FfiRs.JsExternal; buf: Buffer } {
  if (!scratch) {
    const f = lib();
    const ptr = f.load({
      library: "libc",
      funcName: "calloc",
      retType: f.DataType.External,
      paramsType: [f.DataType.U64, f.DataType.U64],
      paramsValue: [1, 64],
    }) as FfiRs.JsExternal;
    scratch = { ptr, buf: f.createExternalBuffer(ptr, 64) };
  }
  return scratch;
}

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;

/** A connected AF_UNIX stream pair, both ends close-on-exec. */
export function socketpair(): [number, number] {
  const { ptr, buf } = out();
  const t = lib().DataType;
  check("socketpair", call("socketpair", [t.I32, t.I32, t.I32, t.External], [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ptr]));
  return [buf.readInt32LE(0), buf.readInt32LE(4)];
}

export function pidfdOpen(pid: number): number {
  const t = lib().DataType;
  return check("pidfd_open", call("pidfd_open", [t.I32, t.U32], [pid, 0]));
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

const TIOCSWINSZ = 0x5414;

/** Set a terminal's window size (struct winsize: rows, cols, xpixel, ypixel as u16). */
export function setWindowSize(fd: number, rows: number, cols: number): void {
  const { ptr, buf } = out();
  buf.writeUInt16LE(rows, 0);
  buf.writeUInt16LE(cols, 2);
  buf.writeUInt32LE(0, 4);
  const t = lib().DataType;
  check("ioctl", call("ioctl", [t.I32, t.U64, t.External], [fd, TIOCSWINSZ, ptr]));
}

export interface WaitResult {
  /** Exit code, or 128+signal when killed by a signal (the shell's convention, as runc). */
  code: number;
  signal?: number;
}

/** waitpid() for a child, in a worker thread so the event loop keeps running. */
export async function waitChild(pid: number): Promise<WaitResult> {
  const f = lib();
  const t = f.DataType;
  const ptr = f.load({
    library: "libc",
    funcName: "calloc",
    retType: t.External,
    paramsType: [t.U64, t.U64],
    paramsValue: [1, 8],
  }) as FfiRs.JsExternal;
  const buf = f.createExternalBuffer(ptr, 8);
  for (;;) {
    const r = (await f.load({
      library: "libc",
      funcName: "waitpid",
      retType: t.I32,
      paramsType: [t.I32, t.External, t.I32],
      paramsValue: [pid, ptr, 0],
      errno: true,
      runInNewThread: true,
    })) as Call;
    if (r.value === pid) break;
    if (r.errnoCode === constants.errno.EINTR) continue;
    throw new RuntsError("waitpid failed", { step: "wait", errno: errnoMessage(r.errnoCode) });
  }
  const status = buf.readInt32LE(0);
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff };
  return { code: 128 + sig, signal: sig };
}
