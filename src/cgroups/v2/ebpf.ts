/**
 * The cgroup v2 device filter: an eBPF program of type
 * BPF_PROG_TYPE_CGROUP_DEVICE built here, byte by byte, from the emulated
 * device policy (as runc's devicefilter.go, after crun's ebpf.c).
 *
 * The kernel runs it on every open/mknod of a device node by a process of
 * the cgroup with struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } in R1 (access_type = access << 16 | type); returning 1
 * allows, 0 refuses with EPERM. The program loads the fields into R2..R5,
 * then has one block per exception: a mismatch jumps to the next block, a
 * match returns the exception's verdict; the end returns the default.
 */
import { RuntsError } from "../../errors.js";
import type { DeviceEmulator, DeviceRule } from "../device-rules.js";

// struct bpf_cgroup_dev_ctx values (linux/bpf.h).
export const BPF_DEVCG_ACC_MKNOD = 1;
export const BPF_DEVCG_ACC_READ = 2;
export const BPF_DEVCG_ACC_WRITE = 4;
export const BPF_DEVCG_DEV_BLOCK = 1;
export const BPF_DEVCG_DEV_CHAR = 2;

// Opcodes (linux/bpf_common.h, linux/bpf.h).
const LDX_MEM_W = 0x61; // BPF_LDX | BPF_MEM | BPF_W
const ALU32_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
const ALU32_RSH_K = 0x74; // BPF_ALU | BPF_RSH | BPF_K
const ALU32_MOV_K = 0xb4; // BPF_ALU | BPF_MOV | BPF_K
const ALU32_MOV_X = 0xbc; // BPF_ALU | BPF_MOV | BPF_X
const JMP_JNE_K = 0x55; // BPF_JMP | BPF_JNE | BPF_K
const JMP_JNE_X = 0x5d; // BPF_JMP | BPF_JNE | BPF_X
const JMP_EXIT = 0x95; // BPF_JMP | BPF_EXIT

export const LICENSE = "Apache";

/** One instruction; `target` (a block number) is resolved into `off` by assemble(). */
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** Jump to the start of this block when taken. */
  target?: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number, target?: number): Insn =>
  target === undefined ? { code, dst, src, off, imm } : { code, dst, src, off, imm, target };

function accessBits(access: string): number {
  let a = 0;
  for (const c of access) {
    if (c === "r") a |= BPF_DEVCG_ACC_READ;
    else if (c === "w") a |= BPF_DEVCG_ACC_WRITE;
    else if (c === "m") a |= BPF_DEVCG_ACC_MKNOD;
    else throw new RuntsError(`unknown device access ${JSON.stringify(c)}`, { step: "cgroup apply devices" });
  }
  return a;
}

/** The program for an emulated policy, as raw struct bpf_insn bytes (8 bytes each). */
export function deviceFilterProgram(policy: DeviceEmulator): Buffer {
  const rules = policy.rulesFromDenyAll();
  const defaultAllow = policy.isBlacklist;
  const blocks: Insn[][] = [];
  // Prologue: R2 = type, R3 = access, R4 = major, R5 = minor.
  const prologue = [
    insn(LDX_MEM_W, 2, 1, 0, 0),
    insn(ALU32_AND_K, 2, 0, 0, 0xffff),
    insn(LDX_MEM_W, 3, 1, 0, 0),
    insn(ALU32_RSH_K, 3, 0, 0, 16),
    insn(LDX_MEM_W, 4, 1, 4, 0),
    insn(LDX_MEM_W, 5, 1, 8, 0),
  ];
  for (const [i, r] of rules.entries()) {
    if (r.type === "a") {
      // At most one, first: it only says which default the rest is against.
      if (i !== 0 || r.allow !== defaultAllow) {
        throw new RuntsError("internal error: device policy has a misplaced wildcard rule", { step: "cgroup apply devices" });
      }
      continue;
    }
    // blocks[k] is block k+1 of the program (the prologue is block 0): on a mismatch, go to the one after.
    blocks.push(ruleBlock(r, blocks.length + 2));
  }
  const end = [insn(ALU32_MOV_K, 0, 0, 0, defaultAllow ? 1 : 0), insn(JMP_EXIT, 0, 0, 0, 0)];
  return assemble([prologue, ...blocks, end]);
}

/** One exception: mismatches jump to block `next`, a match returns the verdict. */
function ruleBlock(r: DeviceRule, next: number): Insn[] {
  if (r.type === "a") throw new RuntsError("internal error: wildcard device rule in a block", { step: "cgroup apply devices" });
  if (r.major > 0xffffffff || r.minor > 0xffffffff) {
    throw new RuntsError(`device number ${r.major}:${r.minor} is out of range`, { step: "cgroup apply devices" });
  }
  const out: Insn[] = [insn(JMP_JNE_K, 2, 0, 0, r.type === "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, next)];
  const bits = accessBits(r.access);
  const all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
  if (bits !== all) {
    // Matches when every requested access bit is in the rule: (R3 & bits) == R3.
    out.push(insn(ALU32_MOV_X, 1, 3, 0, 0), insn(ALU32_AND_K, 1, 0, 0, bits), insn(JMP_JNE_X, 1, 3, 0, 0, next));
  }
  if (r.major >= 0) out.push(insn(JMP_JNE_K, 4, 0, 0, r.major | 0, next));
  if (r.minor >= 0) out.push(insn(JMP_JNE_K, 5, 0, 0, r.minor | 0, next));
  out.push(insn(ALU32_MOV_K, 0, 0, 0, r.allow ? 1 : 0), insn(JMP_EXIT, 0, 0, 0, 0));
  return out;
}

/** Lay the blocks out, resolve jump targets into offsets, encode. */
function assemble(blocks: Insn[][]): Buffer {
  const start: number[] = [];
  let n = 0;
  for (const b of blocks) {
    start.push(n);
    n += b.length;
  }
  const buf = Buffer.alloc(n * 8);
  let pc = 0;
  for (const b of blocks) {
    for (const i of b) {
      let off = i.off;
      if (i.target !== undefined) {
        const to = start[i.target];
        if (to === undefined) throw new RuntsError("internal error: jump past the program", { step: "cgroup apply devices" });
        off = to - (pc + 1);
      }
      const at = pc * 8;
      buf.writeUInt8(i.code, at);
      buf.writeUInt8((i.src << 4) | i.dst, at + 1);
      buf.writeInt16LE(off, at + 2);
      buf.writeInt32LE(i.imm, at + 4);
      pc++;
    }
  }
  return buf;
}

/**
 * Run a program the way the kernel would, for tests and for a check before
 * loading: returns the verdict (1 allow, 0 deny) for one access.
 */
export function runDeviceFilter(prog: Buffer, type: "b" | "c", major: number, minor: number, access: string): number {
  const ctx = [((accessBits(access) << 16) | (type === "b" ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR)) >>> 0, major, minor];
  const reg = new Array<number>(11).fill(0);
  let pc = 0;
  for (let steps = 0; steps < 100_000; steps++) {
    const at = pc * 8;
    if (at >= prog.length) throw new Error("fell off the program");
    const code = prog.readUInt8(at);
    const regs = prog.readUInt8(at + 1);
    const dst = regs & 0xf;
    const src = regs >> 4;
    const off = prog.readInt16LE(at + 2);
    const imm = prog.readInt32LE(at + 4);
    const r = (i: number): number => reg[i] ?? 0;
    pc++;
    switch (code) {
      case LDX_MEM_W:
        reg[dst] = ctx[off / 4] ?? 0;
        break;
      case ALU32_AND_K:
        reg[dst] = (r(dst) & imm) >>> 0;
        break;
      case ALU32_RSH_K:
        reg[dst] = r(dst) >>> imm;
        break;
      case ALU32_MOV_K:
        reg[dst] = imm >>> 0;
        break;
      case ALU32_MOV_X:
        reg[dst] = r(src) >>> 0;
        break;
      case JMP_JNE_K:
        if (r(dst) !== imm) pc += off;
        break;
      case JMP_JNE_X:
        if (r(dst) !== r(src)) pc += off;
        break;
      case JMP_EXIT:
        return r(0);
      default:
        throw new Error(`unknown opcode 0x${code.toString(16)}`);
    }
  }
  throw new Error("program does not terminate");
}
