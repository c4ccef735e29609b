/**
 * Entry points: a manager for a new container from its config, or rebuilt
 * from the state a previous runts process saved.
 */
import { RuntsError } from "../errors.js";
import { isCleanAbsolute } from "../path-check.js";
import type { CgroupHierarchyState, CgroupManager, CgroupManagerOptions, CgroupMode, CgroupState } from "./common.js";
import { cgroupHost } from "./detect.js";
import { normalizeCgroupsPath } from "./paths.js";
import { checkResources } from "./resources.js";
import { V1Manager } from "./v1/manager.js";
import { V2Manager } from "./v2/manager.js";

/**
 * A manager for the container's cgroup. Reads nothing but statfs of the
 * cgroup root and, on v1/hybrid or for a relative path, mountinfo and
 * /proc/self/cgroup (each once per process). Creates nothing: call create().
 */
export function createCgroupManager(opts: CgroupManagerOptions): CgroupManager {
  const p = normalizeCgroupsPath(opts.cgroupsPath, opts.id, opts.systemd ?? false);
  const host = cgroupHost(opts.env);
  const mode = host.mode();
  return mode === "v2" ? V2Manager.forPath(host, p) : V1Manager.forPath(host, p, mode);
}

/** Rebuild a manager from toState() output (as read back from state.json). Touches no file. */
export function cgroupManagerFromState(s: CgroupState): CgroupManager {
  const state = checkState(s);
  return state.mode === "v2" ? new V2Manager(state) : new V1Manager(state);
}

const MODES: readonly CgroupMode[] = ["v1", "hybrid", "v2"];

function bad(why: string): RuntsError {
  return new RuntsError(`invalid cgroup state: ${why}`, { step: "cgroup state" });
}

function isStringArray(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (const x of v) if (typeof x !== "string") return false;
  return true;
}

/** Absolute, normalized (no "..", "." or "//"), no trailing slash. */
function cleanAbs(p: unknown): p is string {
  return typeof p === "string" && isCleanAbsolute(p);
}

function under(p: string, top: string): boolean {
  return p.startsWith(top === "/" ? "/" : top + "/") && p !== top;
}

/**
 * state.json is a file on disk: check it hangs together before trusting it
 * with rmdir, in particular that every created level lies strictly below its
 * base and that the container's directory is the deepest of them.
 */
function checkState(s: unknown): CgroupState {
  if (typeof s !== "object" || s === null) throw bad("not an object");
  const o = s as Record<string, unknown>;
  if (o.version !== 1) throw bad(`unknown version ${JSON.stringify(o.version)}`);
  const mode = o.mode;
  if (typeof mode !== "string" || !(MODES as readonly string[]).includes(mode)) {
    throw bad(`unknown mode ${JSON.stringify(mode)}`);
  }
  const root = o.root;
  if (!cleanAbs(root)) throw bad(`root ${JSON.stringify(root)} is not a clean absolute path`);
  if (typeof o.cgroupsPath !== "string" || o.cgroupsPath === "") throw bad("missing cgroupsPath");
  if (!Array.isArray(o.hierarchies) || o.hierarchies.length === 0) throw bad("no hierarchies");
  const hierarchies: CgroupHierarchyState[] = [];
  for (const x of o.hierarchies as unknown[]) {
    if (typeof x !== "object" || x === null) throw bad("hierarchy is not an object");
    const h = x as Record<string, unknown>;
    const { controllers, unified, mountpoint, path, dir, base, created } = h;
    if (!isStringArray(controllers) || typeof unified !== "boolean" || typeof path !== "string") {
      throw bad("hierarchy needs controllers, unified and path");
    }
    if (!cleanAbs(mountpoint) || !(mountpoint === root || under(mountpoint, root))) {
      throw bad(`mountpoint ${JSON.stringify(mountpoint)} is not under ${root}`);
    }
    if (!cleanAbs(base) || !(base === mountpoint || under(base, mountpoint))) {
      throw bad(`base ${JSON.stringify(base)} is not under ${mountpoint}`);
    }
    if (!cleanAbs(dir) || !under(dir, base)) throw bad(`dir ${JSON.stringify(dir)} is not below ${base}`);
    if (!isStringArray(created)) throw bad("created is not a list of paths");
    for (const c of created) {
      if (!cleanAbs(c) || !under(c, base) || !(c === dir || under(dir, c))) {
        throw bad(`created level ${JSON.stringify(c)} is not between ${base} and ${dir}`);
      }
    }
    if (created.length > 0 && created[created.length - 1] !== dir) {
      throw bad(`created levels of ${dir} do not end at it`);
    }
    hierarchies.push({ controllers, unified, mountpoint, path, dir, base, created });
  }
  if (mode === "v2" && (hierarchies.length !== 1 || !hierarchies[0]?.unified)) {
    throw bad("a v2 state has exactly one unified hierarchy");
  }
  const out: CgroupState = { version: 1, mode: mode as CgroupMode, root, cgroupsPath: o.cgroupsPath, hierarchies };
  if (o.resources !== undefined && o.resources !== null) out.resources = checkResources(o.resources);
  return out;
}
