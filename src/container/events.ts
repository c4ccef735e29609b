/**
 * `events`: a container's resource usage in runc's shape, once (--stats) or
 * every interval, with {"type":"oom"} events in between. OOM kills are seen
 * by watching the cgroup's OOM kill counter (memory.oom_control on v1,
 * memory.events on v2) every OOM_POLL_MS. The stream ends when the
 * container's cgroup is gone (it was deleted), as runc's does.
 */
import type { CgroupManager } from "../cgroups/index.js";
import { cgroupManagerFromState, statsJson, toJson } from "../cgroups/index.js";
import { RuntsError } from "../errors.js";
import { StateDir, deriveStatus } from "./state.js";

const OOM_POLL_MS = 100;

export interface EventSink {
  (line: string): void;
}

function open(dir: StateDir): CgroupManager {
  const state = dir.load();
  if (deriveStatus(dir, state) === "stopped") throw new RuntsError(`container with id ${dir.id} is not running`, { container: dir.id });
  return cgroupManagerFromState(state.cgroup);
}

export function statsEvent(id: string, m: CgroupManager): string {
  return `${toJson({ type: "stats", id, data: statsJson(m.stats()) })}\n`;
}

export function containerStats(dir: StateDir, out: EventSink): void {
  out(statsEvent(dir.id, open(dir)));
}

/** Stream until the cgroup is gone; resolves then. Errors reading stats go to `onError` and the stream goes on. */
export function streamEvents(dir: StateDir, intervalMs: number, out: EventSink, onError: (err: unknown) => void): Promise<void> {
  const m = open(dir);
  const id = dir.id;
  let ooms = safe(() => m.oomKillCount()) ?? 0;
  return new Promise((resolve) => {
    const finish = (): void => {
      clearInterval(statsTimer);
      clearInterval(oomTimer);
      resolve();
    };
    const checkOom = (): boolean => {
      const n = safe(() => m.oomKillCount());
      if (n !== undefined && n > ooms) out(`${toJson({ type: "oom", id })}\n`);
      if (n !== undefined) ooms = n;
      if (!safe(() => m.exists())) {
        finish();
        return false;
      }
      return true;
    };
    const oomTimer = setInterval(checkOom, Math.min(OOM_POLL_MS, intervalMs));
    const statsTimer = setInterval(() => {
      if (!checkOom()) return;
      try {
        out(statsEvent(id, m));
      } catch (err) {
        onError(err);
      }
    }, intervalMs);
  });
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
