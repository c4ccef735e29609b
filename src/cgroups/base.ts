/**
 * What the v1 and v2 managers share: a list of hierarchies, each with the
 * container's directory and the levels create() made there. Creating,
 * joining, listing, removing and serializing work the same on all of them;
 * the subclasses decide which hierarchies exist and how resources apply.
 */
import { statSync } from "node:fs";
import { RuntsError, fromNodeError } from "../errors.js";
import type { CgroupHierarchyState, CgroupJoin, CgroupManager, CgroupMode, CgroupState, FreezerState, LinuxResources } from "./common.js";
import { freezerState, setFrozen } from "./freezer.js";
import {
  errCode,
  hasFile,
  type LineFile,
  mkdirLevels,
  openLines,
  readProcsRecursive,
  removeIfUnused,
  removeTree,
  writeValue,
} from "./fsutil.js";
import { checkResources, mergeResources } from "./resources.js";
import type { CgroupStats } from "./stats.js";

function checkPid(pid: number, path: string): void {
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new RuntsError(`cannot join pid ${pid} to a cgroup: not a process id`, { step: "cgroup join", path });
  }
}

/** How long destroy() keeps retrying EBUSY from tasks still exiting. */
export const DESTROY_BUSY_TIMEOUT_MS = 1000;

export abstract class HierarchyManager implements CgroupManager {
  readonly mode: CgroupMode;
  protected readonly root: string;
  protected readonly cgroupsPath: string;
  protected readonly hierarchies: CgroupHierarchyState[];
  /** What apply() wrote so far, merged, devices left out (state.json keeps it for update). */
  protected applied: LinuxResources | undefined;

  /**
   * @param fresh the container's directory must be made by create() in every
   * hierarchy, not found (the default cgroup path, see paths.ts)
   */
  protected constructor(
    state: CgroupState,
    private readonly fresh = false,
  ) {
    this.mode = state.mode;
    this.root = state.root;
    this.cgroupsPath = state.cgroupsPath;
    this.hierarchies = state.hierarchies.map((h) => ({ ...h, controllers: [...h.controllers], created: [...h.created] }));
    if (state.resources !== undefined) this.applied = structuredClone(state.resources);
  }

  /** Called once a hierarchy's directory exists (e.g. cpuset fills in cpus/mems). */
  protected afterCreate(_h: CgroupHierarchyState): void {}

  /** The hierarchy whose cgroup.procs pids() reads. */
  protected abstract pidsHierarchy(): CgroupHierarchyState;

  /** Check every member against this host, then write; see CgroupManager.apply. */
  protected abstract write(r: LinuxResources): void;

  abstract stats(): CgroupStats;

  abstract oomKillCount(): number | undefined;

  apply(resources: unknown): void {
    const r = checkResources(resources);
    // No member at all (create's first part when the config sets only the
    // devices rules): no controller has anything to check or write.
    if (Object.keys(r).length > 0) this.write(r);
    this.applied = mergeResources(this.applied ?? {}, r);
  }

  update(resources: LinuxResources): void {
    const r = checkResources(resources);
    const merged = mergeResources(this.applied ?? {}, r);
    this.write(merged);
    this.applied = merged;
  }

  freeze(frozen: boolean): void {
    if (!setFrozen(this.toState(), frozen)) {
      throw new RuntsError(`cannot ${frozen ? "pause" : "resume"}: this host has no cgroup freezer (neither the v1 freezer controller nor cgroup.freeze)`, {
        step: "cgroup freeze",
        path: this.cgroupsPath,
      });
    }
  }

  freezerState(): FreezerState {
    return freezerState(this.toState());
  }

  killAll(): boolean {
    const u = this.hierarchies.find((h) => h.unified);
    if (!u || !hasFile(u.dir, "cgroup.kill")) return false;
    writeValue(u.dir, "cgroup.kill", "1", "cgroup kill");
    return true;
  }

  create(): void {
    for (const h of this.hierarchies) {
      const made = mkdirLevels(h.base, h.dir, "cgroup create", this.fresh);
      // A second create() keeps what the first one made.
      for (const d of made) if (!h.created.includes(d)) h.created.push(d);
      h.created.sort((a, b) => a.length - b.length);
      this.afterCreate(h);
    }
  }

  join(pid: number): void {
    // Named as a bad pid before any file is opened (openJoin's join checks again, for its own callers).
    checkPid(pid, this.cgroupsPath);
    const j = this.openJoin();
    try {
      j.join(pid);
    } finally {
      j.close();
    }
  }

  openJoin(): CgroupJoin {
    const files: LineFile[] = [];
    try {
      for (const h of this.hierarchies) files.push(openLines(`${h.dir}/cgroup.procs`, "cgroup join"));
    } catch (err) {
      for (const f of files) f.close();
      throw err;
    }
    const path = this.cgroupsPath;
    return {
      join(pid: number): void {
        checkPid(pid, path);
        for (const f of files) f.write(String(pid));
      },
      close(): void {
        for (const f of files) f.close();
      },
    };
  }

  pids(): number[] {
    return readProcsRecursive(this.pidsHierarchy().dir, "cgroup pids");
  }

  exists(): boolean {
    for (const h of this.hierarchies) {
      try {
        if (statSync(h.dir).isDirectory()) return true;
      } catch (err) {
        const code = errCode(err);
        if (code !== "ENOENT" && code !== "ENOTDIR") throw fromNodeError(err, "cgroup exists", { path: h.dir });
      }
    }
    return false;
  }

  destroy(): void {
    const deadline = Date.now() + DESTROY_BUSY_TIMEOUT_MS;
    let first: unknown;
    for (const h of this.hierarchies) {
      const created = h.created;
      const leaf = created[created.length - 1];
      if (leaf === undefined) continue;
      try {
        // The container's own directory and anything the container made in it.
        removeTree(leaf, deadline, "cgroup destroy");
      } catch (err) {
        first ??= err;
        continue;
      }
      // Upper levels we made (of a cgroupsPath such as /a/b) go only if no other cgroup lives there.
      for (let i = created.length - 2; i >= 0; i--) {
        const d = created[i];
        if (d === undefined) break;
        try {
          if (!removeIfUnused(d, "cgroup destroy")) break;
        } catch (err) {
          first ??= err;
          break;
        }
      }
      // What is left above is shared now; it is no longer this container's.
      h.created = [];
    }
    if (first !== undefined) throw fromNodeError(first, "cgroup destroy");
  }

  toState(): CgroupState {
    return {
      version: 1,
      mode: this.mode,
      root: this.root,
      cgroupsPath: this.cgroupsPath,
      hierarchies: this.hierarchies.map((h) => ({ ...h, controllers: [...h.controllers], created: [...h.created] })),
      ...(this.applied !== undefined ? { resources: structuredClone(this.applied) } : {}),
    };
  }
}
