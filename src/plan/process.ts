/**
 * The process half of a plan, shared by create and exec: limits, scheduling,
 * identity, capabilities, labels, then the executable and its exec.
 */
import { RuntsError } from "../errors.js";
import type { Hook, LinuxPersonality, Process } from "../spec/schema.js";
import { cleanPath } from "./paths.js";
import { hookStep } from "./hooks.js";
import type { HostView } from "./host.js";
import { CAPABILITIES, RLIMITS } from "./linux.js";
import { type Note, type Step, hex, oct, step } from "./plan.js";

/** "0-3,7" → ["0", "1", "2", "3", "7"] */
export function cpuList(list: string, field: string): string[] {
  const cpus: string[] = [];
  for (const part of list.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    const lo = Number(m?.[1]);
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (!m || hi < lo || hi >= 8192) throw new RuntsError(`config.json: ${field}: bad CPU list "${list}"`);
    for (let c = lo; c <= hi; c++) cpus.push(String(c));
  }
  if (!cpus.length) throw new RuntsError(`config.json: ${field}: empty CPU list`);
  return cpus;
}

function capMask(names: readonly string[] | undefined, set: string): bigint {
  let mask = 0n;
  for (const name of names ?? []) {
    const bit = CAPABILITIES[name];
    if (bit === undefined) throw new RuntsError(`config.json: process.capabilities.${set}: unknown capability "${name}"`);
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

const U64_MAX = (1n << 64n) - 1n;

/** JSON numbers lose precision past 2^53: anything at or past 2^64-1 means unlimited. */
function limitValue(n: number): bigint {
  const v = BigInt(n);
  return v >= U64_MAX ? U64_MAX : v;
}

function rlimitSteps(process: Process, host: HostView): Step[] {
  return (process.rlimits ?? []).map((r, i) => {
    const hard = limitValue(r.hard);
    const soft = limitValue(r.soft);
    const where = `config.json: process.rlimits[${i}]`;
    if (soft > hard) throw new RuntsError(`${where}: ${r.type} soft limit ${soft} is above its hard limit ${hard}`);
    const own = host.hardLimit(r.type);
    if (own !== undefined && hard > own && !host.canRaiseLimits()) {
      const shown = hard === U64_MAX ? "unlimited" : String(hard);
      throw new RuntsError(
        `${where}: ${r.type} hard limit ${shown} is above the runtime's own hard limit ${own}, ` +
          "and raising it needs CAP_SYS_RESOURCE, which runts does not hold on this host",
      );
    }
    return step("RLIMIT", RLIMITS[r.type] ?? -1, soft, hard, r.type);
  });
}

const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};
const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};
const IOPRIO_CLASSES: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const PERSONALITY_DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };

/** Scheduling, I/O priority and personality: set while the process still has its privileges. */
function attributeSteps(process: Process, persona: LinuxPersonality | undefined): Step[] {
  const steps: Step[] = [];
  if (persona) {
    if (persona.flags?.length) throw new RuntsError("config.json: linux.personality.flags: no flags are defined by the spec");
    steps.push(step("PERSONALITY", hex(PERSONALITY_DOMAINS[persona.domain] ?? 0)));
  }
  const sched = process.scheduler;
  if (sched) {
    const flags = (sched.flags ?? []).reduce((f, name) => f | (SCHED_FLAGS[name] ?? 0), 0);
    const policy = SCHED_POLICIES[sched.policy] ?? 0;
    if ((policy === 1 || policy === 2) && !sched.priority) {
      throw new RuntsError(`config.json: process.scheduler.priority: ${sched.policy} needs a priority of 1 to 99`);
    }
    // Real-time policies also need real-time CPU time in the container's cpu cgroup (cpu.rt_runtime_us on v1).
    const rt = policy === 1 || policy === 2 || policy === 6;
    const shown = `process.scheduler ${sched.policy}${rt ? " (a real-time policy: needs CAP_SYS_NICE and real-time CPU time in the container's cpu cgroup)" : ""}`;
    steps.push(
      step("SCHEDULER", policy, hex(flags), sched.nice ?? 0, sched.priority ?? 0, sched.runtime ?? 0, sched.deadline ?? 0, sched.period ?? 0, shown),
    );
  }
  const io = process.ioPriority;
  if (io) {
    const prio = io.priority ?? 0;
    if (prio < 0 || prio > 7) throw new RuntsError(`config.json: process.ioPriority.priority: expected 0 to 7, got ${prio}`);
    steps.push(step("IOPRIO", ((IOPRIO_CLASSES[io.class] ?? 0) << 13) | prio));
  }
  return steps;
}

export interface ProcessPlanInput {
  process: Process;
  personality?: LinuxPersonality | undefined;
  preserveFds: number;
  host: HostView;
  /** Collects what the plan changed or left out, for the log. */
  notes: Note[];
  /** Extra environment (socket activation). */
  extraEnv?: string[];
  /** create: report "created", wait for start, run the startContainer hooks. exec: go at once. */
  waitStart: boolean;
  startHooks?: readonly Hook[];
}

/** Steps that turn the container process into the user process: limits, identity, capabilities, exec. */
export function processSteps(input: ProcessPlanInput): Step[] {
  const { process, host, notes, preserveFds } = input;
  const steps: Step[] = [...rlimitSteps(process, host), ...attributeSteps(process, input.personality)];
  steps.push(step("PRESERVE_FDS", preserveFds));
  const user = process.user;
  // Like runc: HOME comes from the container's /etc/passwd when the config gives none.
  if (!(process.env ?? []).some((e) => e.startsWith("HOME="))) steps.push(step("HOME", user.uid));
  steps.push(step("SET_IDS", user.uid, user.gid, ...(user.additionalGids ?? [])));
  const caps = process.capabilities;
  if (caps) {
    // The container cannot hold what the runtime itself lacks: drop those with a note in the log.
    const held = host.capBounding();
    const sets = ["bounding", "effective", "permitted", "inheritable", "ambient"] as const;
    const masks = {} as Record<(typeof sets)[number], bigint>;
    for (const set of sets) masks[set] = capMask(caps[set], set);
    const missing = new Set<string>();
    for (const set of sets) {
      for (const name of caps[set] ?? []) if (!((held >> BigInt(CAPABILITIES[name] ?? 0)) & 1n)) missing.add(name);
      masks[set] &= held;
    }
    if (missing.size) notes.push({ level: "warning", message: `capabilities the runtime does not hold are dropped: ${[...missing].join(", ")}` });
    // The kernel raises an ambient capability only if it is permitted and inheritable.
    const usable = masks.ambient & masks.permitted & masks.inheritable;
    const dropped = (caps.ambient ?? []).filter((name) => !missing.has(name) && !(usable & (1n << BigInt(CAPABILITIES[name] ?? 0))));
    if (dropped.length) {
      notes.push({
        level: "debug",
        message: `ambient capabilities not in both the permitted and inheritable sets are not raised: ${dropped.join(", ")}`,
      });
    }
    steps.push(step("CAPS", hex(masks.bounding), hex(masks.effective), hex(masks.permitted), hex(masks.inheritable), hex(usable)));
  }
  steps.push(step("UMASK", oct(user.umask ?? 0o022)));
  steps.push(step("CHDIR", cleanPath(process.cwd)));
  if (process.noNewPrivileges) steps.push(step("NO_NEW_PRIVS"));
  const final = process.execCPUAffinity?.final;
  if (final) steps.push(step("AFFINITY", ...cpuList(final, "process.execCPUAffinity.final")));
  steps.push(...labelSteps(process, host));
  const env = [...(process.env ?? []), ...(input.extraEnv ?? [])];
  let pathVar = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const e of env) if (e.startsWith("PATH=")) pathVar = e.slice(5); // the last one counts
  steps.push(step("LOOKUP", process.args[0] ?? "", pathVar));
  if (input.waitStart) steps.push(step("WAIT_START"));
  // startContainer hooks: inside the container, after start, before the user process.
  for (const h of input.startHooks ?? []) steps.push(hookStep(h, 1));
  steps.push(step("EXEC", process.args.length, ...process.args, ...env));
  return steps;
}

/** AppArmor profile and SELinux label for the exec, written through procfs as runc does. */
function labelSteps(process: Process, host: HostView): Step[] {
  const steps: Step[] = [];
  const profile = process.apparmorProfile;
  if (profile) {
    if (!host.apparmorEnabled()) throw new RuntsError("config.json: process.apparmorProfile: AppArmor is not enabled on this host");
    steps.push(step("WRITE_FILE", "/proc/self/attr/apparmor/exec", `exec ${profile}`));
  }
  const label = process.selinuxLabel;
  if (label) {
    if (!host.selinuxEnabled()) throw new RuntsError("config.json: process.selinuxLabel: SELinux is not enabled on this host");
    steps.push(step("WRITE_FILE", "/proc/self/attr/exec", label));
  }
  return steps;
}
