/**
 * Checking OCI linux.resources before anything is written: the shape, and
 * that every non-empty member has a controller in this build. Validation
 * happens in full first so a refused config leaves the cgroup untouched.
 */
import { RuntsError } from "../errors.js";
import type { LinuxDeviceCgroup, LinuxResources } from "./common.js";

const STEP = "cgroup apply";

/** Absent, null, 0, "", false, [] and objects/arrays of only those are empty. */
export function isEmptyResource(v: unknown): boolean {
  if (v === undefined || v === null || v === 0 || v === "" || v === false || v === 0n) return true;
  if (Array.isArray(v)) return v.every(isEmptyResource);
  if (typeof v === "object") return Object.values(v).every(isEmptyResource);
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Validate `resources` and return it typed. `handled` names the members this
 * manager's controllers deal with (they may still refuse values); any other
 * non-empty member is refused as not supported yet.
 */
export function checkResources(resources: unknown, handled: ReadonlySet<string>): LinuxResources {
  if (resources === undefined || resources === null) return {};
  if (!isRecord(resources)) {
    throw new RuntsError("linux.resources must be an object", { step: STEP });
  }
  for (const [name, value] of Object.entries(resources)) {
    if (handled.has(name) || isEmptyResource(value)) continue;
    throw new RuntsError(`linux.resources.${name} is not supported yet`, { step: STEP });
  }
  const out: LinuxResources = { ...resources };
  if (resources.devices !== undefined && resources.devices !== null) {
    out.devices = checkDeviceRules(resources.devices);
  } else {
    delete out.devices;
  }
  return out;
}

function checkNumber(v: unknown, field: string, i: number): number | null {
  if (v === undefined || v === null || v === -1) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new RuntsError(
      `linux.resources.devices[${i}].${field} must be a non-negative integer or null, got ${JSON.stringify(v)}`,
      { step: STEP },
    );
  }
  return v;
}

/** Validate OCI LinuxDeviceCgroup entries; absent fields are filled with their defaults. */
export function checkDeviceRules(rules: unknown): Required<LinuxDeviceCgroup>[] {
  if (!Array.isArray(rules)) {
    throw new RuntsError("linux.resources.devices must be an array", { step: STEP });
  }
  return rules.map((r: unknown, i) => {
    if (!isRecord(r) || typeof r.allow !== "boolean") {
      throw new RuntsError(`linux.resources.devices[${i}] needs a boolean "allow"`, { step: STEP });
    }
    const type = r.type === undefined || r.type === null || r.type === "" ? "a" : r.type;
    if (type !== "a" && type !== "b" && type !== "c") {
      throw new RuntsError(
        `linux.resources.devices[${i}].type must be "a", "b" or "c", got ${JSON.stringify(r.type)}`,
        { step: STEP },
      );
    }
    const access = r.access === undefined || r.access === null || r.access === "" ? "rwm" : r.access;
    if (typeof access !== "string" || !/^[rwm]{1,3}$/.test(access) || new Set(access).size !== access.length) {
      throw new RuntsError(
        `linux.resources.devices[${i}].access must be a combination of r, w and m, got ${JSON.stringify(r.access)}`,
        { step: STEP },
      );
    }
    return {
      allow: r.allow,
      type,
      major: checkNumber(r.major, "major", i),
      minor: checkNumber(r.minor, "minor", i),
      access,
    };
  });
}
