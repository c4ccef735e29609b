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
   * as soon as the plan is sent, before it is asked (create; not exec).
   */
  ackCgroupAhead: boolean;
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
export function encodePlan(steps: Step[]): Uint8Array {
  // Plain loops, one buffer, TextEncoder and DataView: this runs once per
  // create, in a cold process, where each Buffer method used is compiled first.
  let max = 4;
  for (const s of steps) {
    max += 8;
    for (const a of s.args) {
      if (a.includes("\0")) throw new Error("plan argument contains a NUL byte");
      max += 5 + 3 * a.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    }
  }
  const out = new Uint8Array(max);
  const view = new DataView(out.buffer);
  const utf8 = new TextEncoder();
  let pos = 4;
  for (const s of steps) {
    view.setUint32(pos, OPS[s.op], true);
    view.setUint32(pos + 4, s.args.length, true);
    pos += 8;
    for (const a of s.args) {
      const { written } = utf8.encodeInto(a, out.subarray(pos + 4));
      view.setUint32(pos, written, true);
      pos += 4 + written;
      out[pos++] = 0;
    }
  }
  view.setUint32(0, pos - 4, true);
  return out.subarray(0, pos);
}
