/**
 * OCI linux.cgroupsPath → where the container's cgroup lives in each
 * hierarchy.
 *
 * - absent or "" → "<id>", relative (as runc's cgroupfs driver), and the
 *   container's directory must be new in every hierarchy: the runtime's own
 *   cgroup may be a root where other tools keep theirs (/docker, ...), and an
 *   id naming one must not adopt it
 * - absolute "/a/b" → under the root of every hierarchy
 * - relative "a/b" → under the runtime's own cgroup in every v1 hierarchy
 *   (from /proc/self/cgroup, which can differ per hierarchy); in the cgroup2
 *   one (v2, or hybrid's unified) under its parent, as runc on v2: the
 *   runtime's own cgroup has processes in it, so it could not hand
 *   controllers down to a child
 *
 * ".." is resolved lexically and refused when it climbs out of the cgroup root
 * (absolute) or out of the runtime's own cgroup (relative). Systemd's
 * "slice:prefix:name" form is refused: there is no systemd driver.
 */
import { posix } from "node:path";
import { RuntsError } from "../errors.js";
import type { CgroupHost, Hierarchy } from "./detect.js";

export interface CgroupPath {
  /** Normalized: "/a/b" when absolute, "a/b" when relative. */
  path: string;
  relative: boolean;
  /** The default path: create() refuses a container directory that exists already. */
  fresh?: boolean;
}

const STEP = "cgroup path";

const SYSTEMD_FORM = /^[^/:]*:[^/:]*:[^/:]+$/;

/** Validate an id used as a cgroup directory name. */
function checkId(id: string): void {
  if (id === "" || id === "." || id === ".." || id.includes("/") || id.includes("\0")) {
    throw new RuntsError(`container id ${JSON.stringify(id)} cannot name a cgroup directory`, {
      step: STEP,
      path: id,
    });
  }
}

export function normalizeCgroupsPath(
  raw: string | undefined,
  id: string,
  systemd = false,
): CgroupPath {
  const given = raw === undefined || raw === "" ? undefined : raw;
  if (systemd) {
    const shown = given ?? id;
    throw new RuntsError(
      `the systemd cgroup driver is not supported (--systemd-cgroup); cannot place the container in cgroup ${JSON.stringify(shown)}: use the cgroupfs driver with a path like /runts/<id>`,
      { step: STEP, path: shown },
    );
  }
  if (given === undefined) {
    checkId(id);
    return { path: id, relative: true, fresh: true };
  }
  if (given.includes("\0")) {
    throw new RuntsError("cgroupsPath contains a NUL byte", { step: STEP, path: given });
  }
  if (SYSTEMD_FORM.test(given)) {
    throw new RuntsError(
      `cgroupsPath ${JSON.stringify(given)} is in systemd's slice:prefix:name form, but the systemd cgroup driver is not supported: use a path like /runts/<id>`,
      { step: STEP, path: given },
    );
  }
  const relative = !given.startsWith("/");
  const parts: string[] = [];
  for (const c of given.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (parts.length === 0) {
        throw new RuntsError(
          relative
            ? `cgroupsPath ${JSON.stringify(given)} escapes the runtime's own cgroup with ".."`
            : `cgroupsPath ${JSON.stringify(given)} escapes the cgroup root with ".."`,
          { step: STEP, path: given },
        );
      }
      parts.pop();
      continue;
    }
    parts.push(c);
  }
  if (parts.length === 0) {
    throw new RuntsError(
      relative
        ? `cgroupsPath ${JSON.stringify(given)} resolves to the runtime's own cgroup; the container needs a cgroup of its own`
        : `cgroupsPath ${JSON.stringify(given)} resolves to the root cgroup; the container needs a cgroup of its own`,
      { step: STEP, path: given },
    );
  }
  return relative ? { path: parts.join("/"), relative } : { path: "/" + parts.join("/"), relative };
}

/** Where the container's cgroup is in one hierarchy. */
export interface ResolvedHierarchyPath {
  /** Cgroup path as /proc/<pid>/cgroup shows it. */
  path: string;
  /** Host directory of the container's cgroup. */
  dir: string;
  /** Directory creation starts below (never created nor removed by us). */
  base: string;
}

/**
 * Place `p` in hierarchy `h`. Absolute paths go under the mountpoint (as runc
 * does); relative ones under the runtime's own cgroup (in the cgroup2
 * hierarchy: its parent), which must be visible through the mount.
 */
export function resolveInHierarchy(p: CgroupPath, h: Hierarchy, host: CgroupHost): ResolvedHierarchyPath {
  if (!p.relative) {
    return {
      path: posix.join(h.mountRoot, p.path),
      dir: h.mountpoint + p.path,
      base: h.mountpoint,
    };
  }
  const found = host.ownPath(h);
  const own = found !== undefined && h.unified ? posix.dirname(found) : found;
  const name = h.unified ? "unified (cgroup2)" : h.controllers.join(",");
  if (own === undefined) {
    throw new RuntsError(
      `cannot place relative cgroupsPath ${JSON.stringify(p.path)}: the runtime's own cgroup in the ${name} hierarchy is not in /proc/self/cgroup`,
      { step: STEP, path: h.mountpoint },
    );
  }
  const base = dirInMount(h, own);
  if (base === undefined) {
    throw new RuntsError(
      `cannot place relative cgroupsPath ${JSON.stringify(p.path)}: ${h.unified ? `the parent of the runtime's own ${name} cgroup, ${own},` : `the runtime's own ${name} cgroup ${own}`} is outside the mount at ${h.mountpoint} (root ${h.mountRoot})`,
      { step: STEP, path: h.mountpoint },
    );
  }
  return {
    path: posix.join(own, p.path),
    dir: `${base}/${p.path}`,
    base,
  };
}

/**
 * Where the mount of hierarchy `h` shows cgroup `cg` (a path in the
 * hierarchy, as /proc/self/cgroup names it): under the mountpoint, less the
 * mount's own root (mountinfo field 4). Undefined when the mount does not
 * show it.
 */
function dirInMount(h: { mountpoint: string; mountRoot: string }, cg: string): string | undefined {
  const rel = posix.relative(h.mountRoot, cg);
  if (rel.startsWith("..") || posix.isAbsolute(rel)) return undefined;
  return rel === "" ? h.mountpoint : `${h.mountpoint}/${rel}`;
}
