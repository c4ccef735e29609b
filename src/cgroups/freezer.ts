/**
 * Which freezer a container's cgroup uses, from its saved state alone (no
 * manager, no controller modules: `state` and `list` call this for every
 * container). v1 and hybrid: the v1 freezer hierarchy, as runc; else (v2, or
 * a hybrid host without a v1 freezer) cgroup.freeze of the unified one.
 */
import type { CgroupState, FreezerState } from "./common.js";
import { readFreezerV1, setFreezerV1 } from "./v1/freezer.js";
import { readFreezerV2, setFreezerV2 } from "./v2/freezer.js";
import { hasFile } from "./fsutil.js";

export interface FreezerLocation {
  kind: "v1" | "v2";
  dir: string;
}

export function freezerOf(state: Pick<CgroupState, "mode" | "hierarchies">): FreezerLocation | undefined {
  // Plain loops: `state` runs this once in a cold process (see canonicalSet in cli/args.ts).
  let unified: string | undefined;
  for (const h of state.hierarchies) {
    if (h.unified) unified ??= h.dir;
    else if (state.mode !== "v2" && h.controllers.indexOf("freezer") >= 0) return { kind: "v1", dir: h.dir };
  }
  if (unified !== undefined && (state.mode === "v2" || hasFile(unified, "cgroup.freeze"))) return { kind: "v2", dir: unified };
  return undefined;
}

export function freezerState(state: Pick<CgroupState, "mode" | "hierarchies">): FreezerState {
  const f = freezerOf(state);
  if (!f) return "unsupported";
  return f.kind === "v1" ? readFreezerV1(f.dir) : readFreezerV2(f.dir);
}

/** Is the container's cgroup frozen (paused)? A cgroup that is gone is not. */
export function isFrozen(state: Pick<CgroupState, "mode" | "hierarchies">): boolean {
  try {
    return freezerState(state) === "FROZEN";
  } catch {
    return false;
  }
}

export function setFrozen(state: Pick<CgroupState, "mode" | "hierarchies">, frozen: boolean): boolean {
  const f = freezerOf(state);
  if (!f) return false;
  if (f.kind === "v1") setFreezerV1(f.dir, frozen);
  else setFreezerV2(f.dir, frozen);
  return true;
}
