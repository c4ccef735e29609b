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

/** Serialise steps for the shim: u32 op, u32 argc, then each arg as u32 length, bytes, NUL. */
export function encodePlan(steps: Step[]): Buffer {
  // Plain loops and one buffer: this runs once per create, in a cold process.
  let size = 0;
  for (const s of steps) {
    size += 8;
    for (const a of s.args) {
      if (a.includes("\0")) throw new Error("plan argument contains a NUL byte");
      size += 5 + Buffer.byteLength(a, "utf8");
    }
  }
  const out = Buffer.allocUnsafe(4 + size);
  let pos = out.writeUInt32LE(size, 0);
  for (const s of steps) {
    pos = out.writeUInt32LE(OPS[s.op], pos);
    pos = out.writeUInt32LE(s.args.length, pos);
    for (const a of s.args) {
      const len = Buffer.byteLength(a, "utf8");
      pos = out.writeUInt32LE(len, pos);
      pos += out.write(a, pos, len, "utf8");
      out[pos++] = 0;
    }
  }
  return out;
}
