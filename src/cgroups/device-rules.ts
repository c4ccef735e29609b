/**
 * Device cgroup rules as the v1 kernel understands them, emulated (after
 * runc's devices emulator): a default (allow all, or deny all) plus
 * exceptions keyed by type:major:minor. An allow rule in deny-all mode adds
 * an exception, a deny rule removes access from the exactly matching one (and
 * refuses to punch a hole into a wildcard exception), and the other way round
 * in allow-all mode; a type "a" rule with no numbers resets everything.
 *
 * Both managers use it: v1 writes the transition from what the cgroup has
 * (devices.list) to the target, v2 compiles the target into an eBPF program,
 * so a config means the same thing on either. As in runc, the emulation
 * starts from deny-all.
 */
import { RuntsError } from "../errors.js";
import type { LinuxDeviceCgroup } from "./common.js";

export type DeviceType = "b" | "c";

/** One exception or transition step; major/minor -1 is "*". */
export interface DeviceRule {
  type: DeviceType | "a";
  major: number;
  minor: number;
  access: string;
  allow: boolean;
}

const STEP = "cgroup apply devices";
const ORDER = "rwm";

/**
 * The letters of "rwm" that `keep`, in that order. A plain loop: this runs on
 * every create, where spreading and filtering strings compiles builtins first.
 */
function pick(keep: (c: string) => boolean): string {
  let out = "";
  for (let i = 0; i < ORDER.length; i++) {
    const c = ORDER.charAt(i);
    if (keep(c)) out += c;
  }
  return out;
}
const norm = (a: string): string => pick((c) => a.includes(c));
const union = (a: string, b: string): string => pick((c) => a.includes(c) || b.includes(c));
const minus = (a: string, b: string): string => pick((c) => a.includes(c) && !b.includes(c));
const intersect = (a: string, b: string): string => pick((c) => a.includes(c) && b.includes(c));

const key = (t: DeviceType, major: number, minor: number): string => `${t} ${major} ${minor}`;

/**
 * OCI rules (validated) → emulator rules. A type "a" rule narrowed by major,
 * minor or access means the same rule for "b" and for "c" (the kernel would
 * read it as the whole-list rule).
 */
export function expandOciRules(rules: readonly Required<LinuxDeviceCgroup>[]): DeviceRule[] {
  const out: DeviceRule[] = [];
  for (const r of rules) {
    const major = r.major ?? -1;
    const minor = r.minor ?? -1;
    if (r.type === "a") {
      if (major === -1 && minor === -1 && norm(r.access) === ORDER) {
        out.push({ type: "a", major: -1, minor: -1, access: ORDER, allow: r.allow });
      } else {
        for (const t of ["b", "c"] as const) out.push({ type: t, major, minor, access: norm(r.access), allow: r.allow });
      }
      continue;
    }
    out.push({ type: r.type === "b" ? "b" : "c", major, minor, access: norm(r.access), allow: r.allow });
  }
  return out;
}

export class DeviceEmulator {
  defaultAllow = false;
  /** "t major minor" → access. */
  private rules = new Map<string, { type: DeviceType; major: number; minor: number; access: string }>();

  /** Is this an allow-all cgroup with deny exceptions. */
  get isBlacklist(): boolean {
    return this.defaultAllow;
  }

  apply(rule: DeviceRule): void {
    const type = rule.type;
    if (type === "a") {
      this.defaultAllow = rule.allow;
      this.rules.clear();
      return;
    }
    // Same action as the default: take the access out of the exception.
    if (rule.allow === this.defaultAllow) this.remove({ ...rule, type });
    else this.add({ ...rule, type });
  }

  private add(r: DeviceRule & { type: DeviceType }): void {
    const k = key(r.type, r.major, r.minor);
    const old = this.rules.get(k);
    this.rules.set(k, { type: r.type, major: r.major, minor: r.minor, access: union(old?.access ?? "", r.access) });
  }

  private remove(r: DeviceRule & { type: DeviceType }): void {
    for (const [maj, min] of [
      [-1, r.minor],
      [r.major, -1],
      [-1, -1],
    ] as const) {
      if (maj === r.major && min === r.minor) continue;
      const wide = this.rules.get(key(r.type, maj, min));
      if (wide && intersect(wide.access, r.access) !== "") {
        throw new RuntsError(
          `device rule ${show(r)} cannot be applied: it would punch a hole in the wildcard rule ${show({ ...wide, allow: !r.allow })}, which cgroup v1 cannot do`,
          { step: STEP },
        );
      }
    }
    const k = key(r.type, r.major, r.minor);
    const old = this.rules.get(k);
    if (!old) return;
    const left = minus(old.access, r.access);
    if (left === "") this.rules.delete(k);
    else this.rules.set(k, { ...old, access: left });
  }

  /** The exceptions, sorted by major, minor, type (runc's order). */
  entries(): { type: DeviceType; major: number; minor: number; access: string }[] {
    return [...this.rules.values()].sort((a, b) => a.major - b.major || a.minor - b.minor || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  }

  /**
   * The rules that take a cgroup in state `this` to `target`: a reset to the
   * target's default when needed, then the access to drop, then the access
   * to add.
   */
  transition(target: DeviceEmulator): DeviceRule[] {
    const out: DeviceRule[] = [];
    let old = new Map(this.rules);
    if (this.defaultAllow || this.defaultAllow !== target.defaultAllow) {
      out.push({ type: "a", major: -1, minor: -1, access: ORDER, allow: target.defaultAllow });
      old = new Map();
    }
    for (const e of sortEntries([...old.values()])) {
      const dropped = minus(e.access, target.rules.get(key(e.type, e.major, e.minor))?.access ?? "");
      if (dropped !== "") out.push({ ...e, access: dropped, allow: target.defaultAllow });
    }
    for (const e of target.entries()) {
      const gained = minus(e.access, old.get(key(e.type, e.major, e.minor))?.access ?? "");
      if (gained !== "") out.push({ ...e, access: gained, allow: !target.defaultAllow });
    }
    return out;
  }

  /** The target as rules from a deny-all start (what an eBPF program encodes). */
  rulesFromDenyAll(): DeviceRule[] {
    return new DeviceEmulator().transition(this);
  }

  static fromRules(rules: readonly DeviceRule[]): DeviceEmulator {
    const e = new DeviceEmulator();
    for (const r of rules) e.apply(r);
    return e;
  }

  /** A v1 cgroup's devices.list ("a *:* rwm" for allow-all, else its allow exceptions). */
  static fromList(text: string): DeviceEmulator {
    const e = new DeviceEmulator();
    for (const line of text.split("\n")) {
      const t = line.trim();
      if (t === "") continue;
      const m = /^([abc]) (\*|\d+):(\*|\d+) ([rwm]+)$/.exec(t);
      if (!m) throw new RuntsError(`cannot parse devices.list line ${JSON.stringify(t)}`, { step: STEP });
      const type = m[1] as "a" | "b" | "c";
      const major = m[2] === "*" ? -1 : Number(m[2]);
      const minor = m[3] === "*" ? -1 : Number(m[3]);
      if (type === "a") e.apply({ type: "a", major: -1, minor: -1, access: ORDER, allow: true });
      else e.apply({ type, major, minor, access: m[4] ?? "", allow: true });
    }
    return e;
  }
}

function sortEntries<T extends { type: string; major: number; minor: number }>(l: T[]): T[] {
  return l.sort((a, b) => a.major - b.major || a.minor - b.minor || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** A rule as a devices.allow/deny line: "a", or "c 1:3 rwm". */
export function ruleLine(r: Pick<DeviceRule, "type" | "major" | "minor" | "access">): string {
  if (r.type === "a") return "a";
  const n = (v: number): string => (v < 0 ? "*" : String(v));
  return `${r.type} ${n(r.major)}:${n(r.minor)} ${r.access}`;
}

function show(r: Pick<DeviceRule, "type" | "major" | "minor" | "access" | "allow">): string {
  return `${r.allow ? "allow" : "deny"} ${ruleLine(r)}`;
}
