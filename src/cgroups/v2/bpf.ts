/**
 * Loading the device filter and attaching it to a cgroup with bpf(2), as runc
 * does: the new program is attached with BPF_F_ALLOW_MULTI, then the device
 * programs attached before it (an earlier apply) are detached, so there is
 * never a moment without a filter. libc must be initialised (initLibc()).
 */
import { closeSync, openSync } from "node:fs";
import { RuntsError, fromNodeError } from "../../errors.js";
import { LICENSE } from "./ebpf.js";

const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_GET_FD_BY_ID = 13;
const BPF_PROG_QUERY = 16;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
const BPF_F_ALLOW_MULTI = 2;
const ATTR_SIZE = 128;
const LOG_SIZE = 65536;

const STEP = "cgroup apply devices";

type Libc = typeof import("../../sys/libc.js");

function fail(what: string, errno: number, libc: Libc, path: string, log = ""): RuntsError {
  const detail = log.trim() ? ` (verifier: ${log.trim().split("\n").slice(-3).join("; ")})` : "";
  return new RuntsError(`${what} failed${detail}`, { step: STEP, path, errno: libc.errnoMessage(errno) });
}

/** Load `insns` as a BPF_PROG_TYPE_CGROUP_DEVICE program; returns its fd. */
export function loadDeviceProgram(libc: Libc, insns: Buffer, path: string): number {
  const attr = libc.nativeAlloc(ATTR_SIZE);
  const code = libc.nativeAlloc(insns.length);
  const license = libc.nativeAlloc(LICENSE.length + 1);
  const log = libc.nativeAlloc(LOG_SIZE);
  try {
    insns.copy(code.buf);
    license.buf.write(LICENSE, "latin1");
    const a = attr.buf;
    a.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0);
    a.writeUInt32LE(insns.length / 8, 4);
    a.writeBigUInt64LE(BigInt(code.addr), 8);
    a.writeBigUInt64LE(BigInt(license.addr), 16);
    a.writeUInt32LE(1, 24); // log_level
    a.writeUInt32LE(LOG_SIZE, 28);
    a.writeBigUInt64LE(BigInt(log.addr), 32);
    a.write("runts_devices", 48, "latin1"); // prog_name[16]
    const fd = libc.bpfSyscall(BPF_PROG_LOAD, attr, ATTR_SIZE);
    if (fd < 0) {
      const text = log.buf.toString("latin1", 0, Math.max(0, log.buf.indexOf(0)));
      throw fail("loading the eBPF device filter (BPF_PROG_LOAD)", -fd, libc, path, text);
    }
    return fd;
  } finally {
    for (const b of [attr, code, license, log]) libc.nativeFree(b);
  }
}

/** Ids of the device programs attached to the cgroup `cgroupFd`. */
export function attachedDevicePrograms(libc: Libc, cgroupFd: number, path: string): number[] {
  let cap = 64;
  for (let attempt = 0; attempt < 10; attempt++) {
    const attr = libc.nativeAlloc(ATTR_SIZE);
    const ids = libc.nativeAlloc(cap * 4);
    try {
      attr.buf.writeUInt32LE(cgroupFd, 0);
      attr.buf.writeUInt32LE(BPF_CGROUP_DEVICE, 4);
      attr.buf.writeBigUInt64LE(BigInt(ids.addr), 16);
      attr.buf.writeUInt32LE(cap, 24);
      const r = libc.bpfSyscall(BPF_PROG_QUERY, attr, ATTR_SIZE);
      const count = attr.buf.readUInt32LE(24);
      if (r === -28 /* ENOSPC */) {
        cap = count + 8;
        continue;
      }
      if (r < 0) throw fail("listing the cgroup's device filters (BPF_PROG_QUERY)", -r, libc, path);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(ids.buf.readUInt32LE(i * 4));
      return out;
    } finally {
      libc.nativeFree(attr);
      libc.nativeFree(ids);
    }
  }
  throw new RuntsError("could not list the cgroup's device filters: the list keeps growing", { step: STEP, path });
}

function progFdById(libc: Libc, id: number, path: string): number {
  const attr = libc.nativeAlloc(ATTR_SIZE);
  try {
    attr.buf.writeUInt32LE(id, 0);
    const fd = libc.bpfSyscall(BPF_PROG_GET_FD_BY_ID, attr, ATTR_SIZE);
    if (fd < 0) throw fail(`opening device filter ${id} (BPF_PROG_GET_FD_BY_ID)`, -fd, libc, path);
    return fd;
  } finally {
    libc.nativeFree(attr);
  }
}

function attachOrDetach(libc: Libc, cmd: number, cgroupFd: number, progFd: number, flags: number, path: string): void {
  const attr = libc.nativeAlloc(ATTR_SIZE);
  try {
    attr.buf.writeUInt32LE(cgroupFd, 0);
    attr.buf.writeUInt32LE(progFd, 4);
    attr.buf.writeUInt32LE(BPF_CGROUP_DEVICE, 8);
    attr.buf.writeUInt32LE(flags, 12);
    const r = libc.bpfSyscall(cmd, attr, ATTR_SIZE);
    if (r < 0) {
      const what = cmd === BPF_PROG_ATTACH ? "attaching the eBPF device filter (BPF_PROG_ATTACH)" : "detaching an old device filter (BPF_PROG_DETACH)";
      throw fail(what, -r, libc, path);
    }
  } finally {
    libc.nativeFree(attr);
  }
}

/** Make `insns` the one device filter of the cgroup directory `dir`. */
export function setDeviceFilter(libc: Libc, dir: string, insns: Buffer): void {
  let cgroupFd: number;
  try {
    cgroupFd = openSync(dir, "r");
  } catch (err) {
    throw fromNodeError(err, STEP, { path: dir });
  }
  try {
    const old = attachedDevicePrograms(libc, cgroupFd, dir);
    const prog = loadDeviceProgram(libc, insns, dir);
    try {
      attachOrDetach(libc, BPF_PROG_ATTACH, cgroupFd, prog, BPF_F_ALLOW_MULTI, dir);
    } finally {
      closeSync(prog);
    }
    for (const id of old) {
      const fd = progFdById(libc, id, dir);
      try {
        attachOrDetach(libc, BPF_PROG_DETACH, cgroupFd, fd, 0, dir);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    closeSync(cgroupFd);
  }
}
