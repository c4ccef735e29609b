/**
 * cgroup v2 controllers are opt-in per level: a controller's files exist in
 * a cgroup only when its parent lists it in cgroup.subtree_control. These
 * helpers read what the host offers and enable controllers from the mount
 * down to the container's parent, as runc's CreateCgroupPath does.
 */
import { RuntsError } from "../../errors.js";
import { readOptional, writeLines } from "../fsutil.js";

const STEP = "cgroup create";

function words(text: string | undefined): Set<string> {
  return new Set((text ?? "").split(/\s+/).filter((w) => w !== ""));
}

/** Controllers the hierarchy mounted at `mountpoint` has (its root's cgroup.controllers). */
export function hostControllers(mountpoint: string): Set<string> {
  return words(readOptional(`${mountpoint}/cgroup.controllers`, STEP));
}

/** Controllers available in `dir` (its cgroup.controllers), or undefined where there is no such file (scratch). */
export function availableIn(dir: string): Set<string> | undefined {
  const t = readOptional(`${dir}/cgroup.controllers`, STEP);
  return t === undefined ? undefined : words(t);
}

/**
 * Enable `names` in cgroup.subtree_control of every level from `mountpoint`
 * down to the parent of `dir`. All at once first, then one by one; a level
 * that refuses (it has processes of its own, say) is skipped, as with runc.
 * With `strict`, throws when `dir` still lacks one of them afterwards.
 */
export function enableControllers(mountpoint: string, dir: string, names: readonly string[], strict = true): void {
  if (names.length === 0 || !dir.startsWith(mountpoint + "/")) return;
  const parts = dir.slice(mountpoint.length + 1).split("/");
  let cur = mountpoint;
  for (let i = 0; i < parts.length; i++) {
    const file = `${cur}/cgroup.subtree_control`;
    const have = words(readOptional(file, STEP));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length > 0) {
      try {
        writeLines(file, [missing.map((n) => `+${n}`).join(" ")], STEP);
      } catch {
        for (const n of missing) {
          try {
            writeLines(file, [`+${n}`], STEP);
          } catch {
            // refused at this level; the check below says whether it mattered
          }
        }
      }
    }
    cur = `${cur}/${parts[i]}`;
  }
  const got = strict ? availableIn(dir) : undefined;
  if (got === undefined) return;
  const lacking = names.filter((n) => !got.has(n));
  if (lacking.length > 0) {
    throw new RuntsError(
      `cannot enable the ${lacking.join(", ")} cgroup controller${lacking.length > 1 ? "s" : ""} for the container (a parent cgroup refused it in cgroup.subtree_control)`,
      { step: STEP, path: dir },
    );
  }
}
