/**
 * Device rules: the v1 emulation (what a list means, the transition a v1
 * cgroup is written with) and the eBPF program it compiles to for v2,
 * instruction by instruction.
 */
import { describe, expect, it } from "vitest";
import type { LinuxDeviceCgroup } from "../../src/cgroups/index.js";
import { DeviceEmulator, expandOciRules, ruleLine } from "../../src/cgroups/device-rules.js";
import { checkDeviceRules } from "../../src/cgroups/resources.js";
import { deviceTransition } from "../../src/cgroups/v1/devices.js";
import { deviceFilterProgram, runDeviceFilter } from "../../src/cgroups/v2/ebpf.js";
import { DEFAULT_DEVICE_RULES } from "../../src/plan/devices.js";

const policy = (rules: LinuxDeviceCgroup[]): DeviceEmulator => DeviceEmulator.fromRules(expandOciRules(checkDeviceRules(rules)));

/** Disassemble into "code dst src off imm" lines for the few opcodes the filter uses. */
function disassemble(prog: Buffer): string[] {
  const names: Record<number, string> = {
    0x61: "LdXMemW",
    0x54: "AndImm32",
    0x74: "RShImm32",
    0xb4: "MovImm32",
    0xbc: "MovReg32",
    0x55: "JNEImm",
    0x5d: "JNEReg",
    0x95: "Exit",
  };
  const out: string[] = [];
  for (let at = 0; at < prog.length; at += 8) {
    const code = prog.readUInt8(at);
    const regs = prog.readUInt8(at + 1);
    const name = names[code] ?? `op${code}`;
    const pc = at / 8;
    const dst = `r${regs & 0xf}`;
    const src = `r${regs >> 4}`;
    const off = prog.readInt16LE(at + 2);
    const imm = prog.readInt32LE(at + 4);
    switch (name) {
      case "LdXMemW":
        out.push(`${pc}: ${name} ${dst} ${src} off ${off}`);
        break;
      case "JNEImm":
        out.push(`${pc}: ${name} ${dst} ${imm} -> ${pc + 1 + off}`);
        break;
      case "JNEReg":
        out.push(`${pc}: ${name} ${dst} ${src} -> ${pc + 1 + off}`);
        break;
      case "MovReg32":
        out.push(`${pc}: ${name} ${dst} ${src}`);
        break;
      case "Exit":
        out.push(`${pc}: Exit`);
        break;
      default:
        out.push(`${pc}: ${name} ${dst} ${imm}`);
    }
  }
  return out;
}

const PROLOGUE = [
  "0: LdXMemW r2 r1 off 0",
  "1: AndImm32 r2 65535",
  "2: LdXMemW r3 r1 off 0",
  "3: RShImm32 r3 16",
  "4: LdXMemW r4 r1 off 4",
  "5: LdXMemW r5 r1 off 8",
];

describe("device rule emulation", () => {
  it("deny-all then allows: the allow exceptions, sorted; denies of what is not allowed are no-ops", () => {
    const p = policy([
      { allow: false, access: "rwm" },
      { allow: true, type: "c", major: 1, minor: 3 },
      { allow: true, type: "c", major: 1, minor: 5, access: "rw" },
      { allow: false, type: "c", major: 1, minor: 5, access: "w" },
      { allow: false, type: "b", major: 8, minor: 0 },
    ]);
    expect(p.isBlacklist).toBe(false);
    expect(p.rulesFromDenyAll().map((r) => `${r.allow ? "allow" : "deny"} ${ruleLine(r)}`)).toEqual([
      "allow c 1:3 rwm",
      "allow c 1:5 r",
    ]);
  });

  it("allow-all then denies: a blacklist", () => {
    const p = policy([{ allow: true }, { allow: false, type: "b", major: 8, minor: 0, access: "w" }]);
    expect(p.isBlacklist).toBe(true);
    expect(p.rulesFromDenyAll().map((r) => `${r.allow ? "allow" : "deny"} ${ruleLine(r)}`)).toEqual([
      "allow a",
      "deny b 8:0 w",
    ]);
  });

  it("takes access letters in any order, each once", () => {
    const p = policy([{ allow: false }, { allow: true, type: "c", major: 1, minor: 3, access: "mwr" }, { allow: true, type: "c", major: 1, minor: 3, access: "m" }]);
    expect(p.entries()).toEqual([{ type: "c", major: 1, minor: 3, access: "rwm" }]);
    // Access taken away: what is left keeps runc's order.
    const q = policy([{ allow: true }, { allow: false, type: "b", major: 8, minor: 0, access: "mr" }, { allow: false, type: "b", major: 8, minor: 0, access: "w" }]);
    expect(q.entries()).toEqual([{ type: "b", major: 8, minor: 0, access: "rwm" }]);
    for (const access of ["rr", "rwr", "mm", "rwmr"]) {
      expect(() => checkDeviceRules([{ allow: true, access }])).toThrow(`linux.resources.devices[0].access must be a combination of r, w and m, got "${access}"`);
    }
  });

  it("refuses to punch a hole into a wildcard exception, as cgroup v1 cannot", () => {
    expect(() => policy([{ allow: false }, { allow: true, type: "c", major: 136 }, { allow: false, type: "c", major: 136, minor: 1 }])).toThrow(
      /punch a hole in the wildcard rule allow c 136:\* rwm/,
    );
  });

  it("v1 writes only the transition from the cgroup's devices.list", () => {
    const rules = checkDeviceRules([{ allow: false }, { allow: true, type: "c", major: 1, minor: 3 }]);
    // A new cgroup (allow-all): reset, then the allows.
    expect(deviceTransition("a *:* rwm\n", rules)).toEqual([
      ["deny", "a"],
      ["allow", "c 1:3 rwm"],
    ]);
    // Already there: nothing to write.
    expect(deviceTransition("c 1:3 rwm\n", rules)).toEqual([]);
    // Something more is allowed now: take it away, no reset.
    expect(deviceTransition("c 1:3 rwm\nc 1:5 rwm\n", rules)).toEqual([["deny", "c 1:5 rwm"]]);
  });
});

describe("eBPF device filter", () => {
  it("compiles runc's default allow list to the program runc builds for it", () => {
    const prog = deviceFilterProgram(policy([{ allow: false, access: "rwm" }, ...DEFAULT_DEVICE_RULES]));
    const block = (at: number, type: number, major: number, minor: number | null): string[] => {
      const next = at + (minor === null ? 4 : 5);
      return [
        `${at}: JNEImm r2 ${type} -> ${next}`,
        `${at + 1}: JNEImm r4 ${major} -> ${next}`,
        ...(minor === null ? [] : [`${at + 2}: JNEImm r5 ${minor} -> ${next}`]),
        `${next - 2}: MovImm32 r0 1`,
        `${next - 1}: Exit`,
      ];
    };
    const mknod = (at: number, type: number): string[] => [
      `${at}: JNEImm r2 ${type} -> ${at + 6}`,
      `${at + 1}: MovReg32 r1 r3`,
      `${at + 2}: AndImm32 r1 1`,
      `${at + 3}: JNEReg r1 r3 -> ${at + 6}`,
      `${at + 4}: MovImm32 r0 1`,
      `${at + 5}: Exit`,
    ];
    expect(disassemble(prog)).toEqual([
      ...PROLOGUE,
      ...mknod(6, 1), // b *:* m
      ...mknod(12, 2), // c *:* m
      ...block(18, 2, 1, 3),
      ...block(23, 2, 1, 5),
      ...block(28, 2, 1, 7),
      ...block(33, 2, 1, 8),
      ...block(38, 2, 1, 9),
      ...block(43, 2, 5, 0),
      ...block(48, 2, 5, 2),
      ...block(53, 2, 10, 200),
      ...block(58, 2, 136, null),
      "62: MovImm32 r0 0",
      "63: Exit",
    ]);
  });

  it("an allow-all list is 'return 1', an empty deny-all 'return 0'", () => {
    expect(disassemble(deviceFilterProgram(policy([{ allow: true }])))).toEqual([...PROLOGUE, "6: MovImm32 r0 1", "7: Exit"]);
    expect(disassemble(deviceFilterProgram(policy([{ allow: false }])))).toEqual([...PROLOGUE, "6: MovImm32 r0 0", "7: Exit"]);
  });

  it("decides as the rules say (run through an interpreter of the same instructions)", () => {
    const prog = deviceFilterProgram(
      policy([{ allow: true }, { allow: false, type: "b", major: 8, access: "w" }, { allow: false, type: "c", major: 4, minor: 1 }]),
    );
    expect(runDeviceFilter(prog, "b", 8, 3, "r")).toBe(1);
    expect(runDeviceFilter(prog, "b", 8, 3, "w")).toBe(0);
    expect(runDeviceFilter(prog, "b", 8, 3, "rw")).toBe(1); // the rule matches only when every access is in it
    expect(runDeviceFilter(prog, "c", 4, 1, "r")).toBe(0);
    expect(runDeviceFilter(prog, "c", 4, 2, "rwm")).toBe(1);
  });
});
