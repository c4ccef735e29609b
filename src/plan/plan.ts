/**
 * A launch plan: the ordered steps runts-init carries out, as plain data.
 * Steps are an opcode name and string arguments, exactly what goes on the
 * wire, so a plan can be compared in unit tests and printed for debugging.
 */
import { OPS, type OpName } from "./ops.js";

export interface Step {
  op: OpName;
  args: string[];
}

export interface IdMap {
  containerID: number;
  hostID: number;
  size: number;
}

/** What runts itself does when the container process reaches a sync stage. */
export interface LaunchPlan {
  /** create: the process waits for start; exec: it runs at once, closing the channel as it execs. */
  mode: "create" | "exec";
  steps: Step[];
  /** uid_map/gid_map lines to write for a new user namespace, at stage "ready". */
  userns?: { uidMappings: IdMap[]; gidMappings: IdMap[] };
  /** Value for runts-init's /proc/<pid>/oom_score_adj, written by runts before it sends the plan (the container process inherits it). */
  oomScoreAdj?: number;
  /** Number of fds (3..) passed through to the container process. */
  preserveFds: number;
  /** What the plan left out or changed, for the log. */
  notes: Note[];
  /** The ready ack must carry the state JSON for container-side hooks (creating, created). */
  hookStates: boolean;
  /**
   * The container process's first step is "sync cgroup", which runts answers
   * once it has put the process into its cgroup (create; not exec, where
   * runts-init joins the cgroup before it clones).
   */
  cgroupSync: boolean;
}

export interface Note {
  level: "warning" | "debug";
  message: string;
}

export function step(op: OpName, ...args: Array<string | number | bigint>): Step {
  return { op, args: args.map(String) };
}

export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;
export const oct = (n: number): string => `0${n.toString(8)}`;

/**
 * Serialise steps for the shim: u32 byte length, then NUL-terminated text
 * fields: each step's op and argument count (decimal), then its arguments.
 * One string, encoded at once: this runs once per create, in a cold process,
 * on the critical path (the shim waits for it), in the interpreter, where a
 * native call per argument cost ~4K instructions each.
 */
export function encodePlan(steps: Step[]): Uint8Array {
  const fields: string[] = [];
  for (const s of steps) {
    fields.push(String(OPS[s.op]), String(s.args.length));
    for (const a of s.args) fields.push(a);
  }
  const text = fields.length > 0 ? `${fields.join("\0")}\0` : "";
  // An argument with a NUL in it would read as two fields, and shift every step after it.
  if (text.split("\0").length !== fields.length + 1) throw new Error("plan argument contains a NUL byte");
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}
