/**
 * The plan of an exec: join every namespace of the running container (user
 * first), clone into them so the pid namespace applies, then the same
 * process steps as create, without waiting for a start.
 */
import { RuntsError } from "../errors.js";
import type { NamespaceType, Process } from "../spec/schema.js";
import { JOIN_ORDER, NS_FLAGS } from "./linux.js";
import { type HostView, realHost } from "./host.js";
import { type LaunchPlan, type Note, type Step, hex, step } from "./plan.js";
import { cpuList, processSteps } from "./process.js";

export interface ExecPlanInput {
  /** The container's namespaces, type → path (from its state). */
  namespaces: Readonly<Record<string, string>>;
  process: Process;
  consoleSocket?: string;
  pidfdSocket?: string;
  preserveFds?: number;
  host?: Partial<HostView>;
}

export function buildExecPlan(input: ExecPlanInput): LaunchPlan {
  const { process } = input;
  const host: HostView = { ...realHost, ...input.host };
  const steps: Step[] = [];
  if (process.terminal && input.consoleSocket) steps.push(step("CONSOLE_SOCKET", input.consoleSocket));
  if (input.pidfdSocket) steps.push(step("PIDFD_SOCKET", input.pidfdSocket));
  for (const type of JOIN_ORDER) {
    const path = input.namespaces[type];
    if (path) steps.push(step("SETNS", hex(NS_FLAGS[type as NamespaceType]), path));
  }
  if (!input.namespaces["mount"]) throw new RuntsError("the container has no mount namespace to exec into");
  steps.push(step("CLONE", "0x0"));
  const initial = process.execCPUAffinity?.initial;
  if (initial) steps.push(step("AFFINITY", ...cpuList(initial, "process.execCPUAffinity.initial")));
  if (process.terminal) {
    const size = process.consoleSize;
    steps.push(step("TTY", size?.height ?? 0, size?.width ?? 0));
  }
  const notes: Note[] = [];
  const preserveFds = input.preserveFds ?? 0;
  steps.push(...processSteps({ process, preserveFds, host, notes, waitStart: false }));
  return { mode: "exec", steps, preserveFds, notes, hookStates: false, cgroupSync: false };
}
