/**
 * zod/mini schemas for the Linux part of the OCI runtime-spec config.json
 * (runtime-spec v1.0.0 .. v1.2.x, plus the few v1.3 additions that are cheap
 * to type). Field names, optionality and numeric ranges follow
 * schema/config-schema.json, schema/config-linux.json, schema/defs.json and
 * schema/defs-linux.json of opencontainers/runtime-spec.
 *
 * Conventions:
 * - Every object is loose: unknown fields are kept, never rejected (the spec
 *   requires runtimes to ignore properties they do not understand).
 * - Every leaf carries its own error text: the issue message is the
 *   "what was expected" half of the final line ("expected array of strings",
 *   "must be an absolute path"); format-error.ts adds the path and the "got"
 *   half. Schemas without their own text get one from `expectationFor` in
 *   format-error.ts.
 * - Checks that span several fields (duplicate namespaces, user namespace
 *   without mappings, ociVersion) live in semantics.ts, not here.
 * - All schemas are built once, at module scope, with zod/mini: the same
 *   parse engine and issues as classic zod, but schemas without the classic
 *   method surface, so importing this module and the first parse cost less
 *   (every runts process starts cold). For the same reason identical schemas
 *   are shared (`str`, `opt`, `loose`): each construction costs tens of
 *   microseconds in a cold process.
 */
import { z } from "zod/mini";
import * as checks from "./checks.js";

// ---------------------------------------------------------------------------
// Scalars

/** A number that `check` accepts; `text` says what that is ("integer in 0..65535"). */
function intIn(check: (n: number) => boolean, text: string) {
  const error = `expected ${text}`;
  return z.number({ error }).check(z.refine(check, { error }));
}

export const uint16 = intIn(checks.isUint16, "integer in 0..65535");
export const uint32 = intIn(checks.isUint32, "integer in 0..4294967295");
export const uint64 = intIn(checks.isUint64, "integer in 0..2^64-1");
export const int32 = intIn(checks.isInt32, "integer in -2147483648..2147483647");
export const int64 = intIn(checks.isInt64, "integer in -2^63..2^63-1");
const integer = intIn(checks.isInteger, "integer");
const positiveInt = intIn(checks.isPositiveInteger, "integer >= 1");

const str = z.string();
const bool = z.boolean();
const strings = z.array(str, { error: "expected array of strings" });
const stringMap = z.record(str, str, {
  error: "expected object with string values",
});

/** An array of strings with at least one entry (process.args, seccomp syscall names). */
const nonEmptyStrings = strings.check(z.minLength(1, { error: "must have at least one entry" }));

const absPath = str.check(z.refine(checks.isAbsolutePath, { error: "must be an absolute path" }));

/** z.enum with an error text listing the values in the given order. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(", ")}` });
}

/**
 * Optional field shorthand. Wrappers are shared (zod schemas are immutable),
 * so each optional variant is built once per process.
 */
const optionals = new Map<z.core.SomeType, unknown>();
function opt<T extends z.core.SomeType>(s: T): z.ZodMiniOptional<T> {
  let o = optionals.get(s) as z.ZodMiniOptional<T> | undefined;
  if (!o) optionals.set(s, (o = z.optional(s)));
  return o;
}

/**
 * z.looseObject without its per-object catchall: z.looseObject builds a fresh
 * z.unknown() for every object, while one shared instance does the same job
 * (schemas are immutable) and saves a schema construction per object.
 */
const anyValue = z.unknown();
function loose<T extends z.core.$ZodLooseShape>(shape: T) {
  return new z.ZodMiniObject({ type: "object", shape, catchall: anyValue }) as unknown as ReturnType<
    typeof z.looseObject<T>
  >;
}

// ---------------------------------------------------------------------------
// Enums

export const NAMESPACE_TYPES = [
  "pid",
  "network",
  "mount",
  "ipc",
  "uts",
  "user",
  "cgroup",
  "time",
] as const;

/**
 * The spec lists shared, slave, private, unbindable; runc also accepts the
 * recursive forms (and engines emit them), so they are accepted too.
 */
export const ROOTFS_PROPAGATIONS = [
  "private",
  "shared",
  "slave",
  "unbindable",
  "rprivate",
  "rshared",
  "rslave",
  "runbindable",
] as const;

/** The Linux rlimits (getrlimit(2)); runc refuses names outside this list. */
export const RLIMIT_TYPES = [
  "RLIMIT_AS",
  "RLIMIT_CORE",
  "RLIMIT_CPU",
  "RLIMIT_DATA",
  "RLIMIT_FSIZE",
  "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK",
  "RLIMIT_MSGQUEUE",
  "RLIMIT_NICE",
  "RLIMIT_NOFILE",
  "RLIMIT_NPROC",
  "RLIMIT_RSS",
  "RLIMIT_RTPRIO",
  "RLIMIT_RTTIME",
  "RLIMIT_SIGPENDING",
  "RLIMIT_STACK",
] as const;

export const SCHEDULER_POLICIES = [
  "SCHED_OTHER",
  "SCHED_FIFO",
  "SCHED_RR",
  "SCHED_BATCH",
  "SCHED_ISO",
  "SCHED_IDLE",
  "SCHED_DEADLINE",
] as const;

export const SCHEDULER_FLAGS = [
  "SCHED_FLAG_RESET_ON_FORK",
  "SCHED_FLAG_RECLAIM",
  "SCHED_FLAG_DL_OVERRUN",
  "SCHED_FLAG_KEEP_POLICY",
  "SCHED_FLAG_KEEP_PARAMS",
  "SCHED_FLAG_UTIL_CLAMP_MIN",
  "SCHED_FLAG_UTIL_CLAMP_MAX",
] as const;

export const IO_PRIORITY_CLASSES = ["IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"] as const;

export const DEVICE_TYPES = ["c", "b", "u", "p"] as const;
export const DEVICE_CGROUP_TYPES = ["a", "c", "b"] as const;

export const SECCOMP_ACTIONS = [
  "SCMP_ACT_KILL",
  "SCMP_ACT_KILL_PROCESS",
  "SCMP_ACT_KILL_THREAD",
  "SCMP_ACT_TRAP",
  "SCMP_ACT_ERRNO",
  "SCMP_ACT_TRACE",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_LOG",
  "SCMP_ACT_NOTIFY",
] as const;

export const SECCOMP_OPERATORS = [
  "SCMP_CMP_NE",
  "SCMP_CMP_LT",
  "SCMP_CMP_LE",
  "SCMP_CMP_EQ",
  "SCMP_CMP_GE",
  "SCMP_CMP_GT",
  "SCMP_CMP_MASKED_EQ",
] as const;

export const SECCOMP_ARCHES = [
  "SCMP_ARCH_X86",
  "SCMP_ARCH_X86_64",
  "SCMP_ARCH_X32",
  "SCMP_ARCH_ARM",
  "SCMP_ARCH_AARCH64",
  "SCMP_ARCH_LOONGARCH64",
  "SCMP_ARCH_M68K",
  "SCMP_ARCH_MIPS",
  "SCMP_ARCH_MIPS64",
  "SCMP_ARCH_MIPS64N32",
  "SCMP_ARCH_MIPSEL",
  "SCMP_ARCH_MIPSEL64",
  "SCMP_ARCH_MIPSEL64N32",
  "SCMP_ARCH_PPC",
  "SCMP_ARCH_PPC64",
  "SCMP_ARCH_PPC64LE",
  "SCMP_ARCH_S390",
  "SCMP_ARCH_S390X",
  "SCMP_ARCH_SH",
  "SCMP_ARCH_SHEB",
  "SCMP_ARCH_PARISC",
  "SCMP_ARCH_PARISC64",
  "SCMP_ARCH_RISCV64",
] as const;

export const SECCOMP_FLAGS = [
  "SECCOMP_FILTER_FLAG_TSYNC",
  "SECCOMP_FILTER_FLAG_LOG",
  "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
  "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
] as const;

export const PERSONALITY_DOMAINS = ["LINUX", "LINUX32"] as const;

export const MEMORY_POLICY_MODES = [
  "MPOL_DEFAULT",
  "MPOL_BIND",
  "MPOL_INTERLEAVE",
  "MPOL_WEIGHTED_INTERLEAVE",
  "MPOL_PREFERRED",
  "MPOL_PREFERRED_MANY",
  "MPOL_LOCAL",
] as const;

export const MEMORY_POLICY_FLAGS = [
  "MPOL_F_NUMA_BALANCING",
  "MPOL_F_RELATIVE_NODES",
  "MPOL_F_STATIC_NODES",
] as const;

export const namespaceTypeSchema = oneOf(NAMESPACE_TYPES);
export const rootfsPropagationSchema = oneOf(ROOTFS_PROPAGATIONS);
export const rlimitTypeSchema = oneOf(RLIMIT_TYPES);
export const schedulerPolicySchema = oneOf(SCHEDULER_POLICIES);
export const schedulerFlagSchema = oneOf(SCHEDULER_FLAGS);
export const ioPriorityClassSchema = oneOf(IO_PRIORITY_CLASSES);
export const seccompActionSchema = oneOf(SECCOMP_ACTIONS);
export const seccompOperatorSchema = oneOf(SECCOMP_OPERATORS);
export const seccompArchSchema = oneOf(SECCOMP_ARCHES);
export const seccompFlagSchema = oneOf(SECCOMP_FLAGS);

// ---------------------------------------------------------------------------
// Shared (defs.json)

export const idMappingSchema = loose({
  containerID: uint32,
  hostID: uint32,
  size: intIn(checks.isPositiveUint32, "integer in 1..4294967295"),
});

const idMappings = opt(z.array(idMappingSchema));

export const mountSchema = loose({
  destination: absPath,
  source: opt(str),
  type: opt(str),
  options: opt(strings),
  uidMappings: idMappings,
  gidMappings: idMappings,
});

export const hookSchema = loose({
  path: absPath,
  args: opt(strings),
  env: opt(strings),
  timeout: opt(positiveInt),
});

const hookList = opt(z.array(hookSchema));

export const hooksSchema = loose({
  prestart: hookList,
  createRuntime: hookList,
  createContainer: hookList,
  startContainer: hookList,
  poststart: hookList,
  poststop: hookList,
});

export const rootSchema = loose({
  path: str,
  readonly: opt(bool),
});

// ---------------------------------------------------------------------------
// process

const uint32OrZero = z._default(uint32, 0);

export const userSchema = loose({
  // REQUIRED on Linux per config.md; runc (Go zero values) treats a missing
  // uid/gid as 0, and so do we.
  uid: uint32OrZero,
  gid: uint32OrZero,
  umask: opt(uint32),
  additionalGids: opt(z.array(uint32)),
  username: opt(str),
});

export const consoleSizeSchema = loose({
  height: uint64,
  width: uint64,
});

export const capabilitiesSchema = loose({
  bounding: opt(strings),
  effective: opt(strings),
  inheritable: opt(strings),
  permitted: opt(strings),
  ambient: opt(strings),
});

export const rlimitSchema = loose({
  type: rlimitTypeSchema,
  soft: uint64,
  hard: uint64,
});

export const schedulerSchema = loose({
  policy: schedulerPolicySchema,
  nice: opt(int32),
  priority: opt(int32),
  flags: opt(z.array(schedulerFlagSchema)),
  runtime: opt(uint64),
  deadline: opt(uint64),
  period: opt(uint64),
});

export const ioPrioritySchema = loose({
  class: ioPriorityClassSchema,
  priority: opt(int32),
});

const cpuList = str.check(z.regex(/^[0-9, -]*$/, { error: "expected a CPU list such as \"0-3,7\"" }));

export const cpuAffinitySchema = loose({
  initial: opt(cpuList),
  final: opt(cpuList),
});

export const processSchema = loose({
  terminal: opt(bool),
  consoleSize: opt(consoleSizeSchema),
  user: z._default(userSchema, () => ({ uid: 0, gid: 0 })),
  args: nonEmptyStrings,
  /** Windows only; tolerated, never used. */
  commandLine: opt(str),
  env: opt(strings),
  cwd: absPath,
  capabilities: opt(capabilitiesSchema),
  rlimits: opt(z.array(rlimitSchema)),
  noNewPrivileges: opt(bool),
  apparmorProfile: opt(str),
  oomScoreAdj: opt(integer),
  selinuxLabel: opt(str),
  scheduler: opt(schedulerSchema),
  ioPriority: opt(ioPrioritySchema),
  execCPUAffinity: opt(cpuAffinitySchema),
});

// ---------------------------------------------------------------------------
// linux (config-linux.json)

export const linuxNamespaceSchema = loose({
  type: namespaceTypeSchema,
  path: opt(str),
});

export const linuxTimeOffsetSchema = loose({
  secs: opt(int64),
  nanosecs: opt(uint32),
});

export const linuxTimeOffsetsSchema = loose({
  monotonic: opt(linuxTimeOffsetSchema),
  boottime: opt(linuxTimeOffsetSchema),
});

export const linuxDeviceSchema = loose({
  type: oneOf(DEVICE_TYPES),
  path: str,
  major: opt(int64),
  minor: opt(int64),
  // defs.json says 0..511; Go's os.FileMode is a uint32 and engines sometimes
  // pass setuid/sticky bits, so any uint32 is accepted.
  fileMode: opt(uint32),
  uid: opt(uint32),
  gid: opt(uint32),
});

export const linuxNetDeviceSchema = loose({
  name: opt(str),
});

export const linuxDeviceCgroupSchema = loose({
  allow: bool,
  type: opt(oneOf(DEVICE_CGROUP_TYPES)),
  major: opt(int64),
  minor: opt(int64),
  access: opt(str.check(z.regex(/^[rwm]*$/, { error: "expected a combination of r, w and m" }))),
});

export const linuxMemorySchema = loose({
  limit: opt(int64),
  reservation: opt(int64),
  swap: opt(int64),
  kernel: opt(int64),
  kernelTCP: opt(int64),
  swappiness: opt(uint64),
  disableOOMKiller: opt(bool),
  useHierarchy: opt(bool),
  checkBeforeUpdate: opt(bool),
});

export const linuxCpuSchema = loose({
  shares: opt(uint64),
  quota: opt(int64),
  burst: opt(uint64),
  period: opt(uint64),
  realtimeRuntime: opt(int64),
  realtimePeriod: opt(uint64),
  cpus: opt(str),
  mems: opt(str),
  idle: opt(int64),
});

export const linuxPidsSchema = loose({
  // REQUIRED in the v1.0-v1.2 JSON schema, a pointer (optional) since v1.3.
  limit: opt(int64),
});

export const linuxWeightDeviceSchema = loose({
  major: int64,
  minor: int64,
  weight: opt(uint16),
  leafWeight: opt(uint16),
});

export const linuxThrottleDeviceSchema = loose({
  major: int64,
  minor: int64,
  rate: uint64,
});

const throttleList = opt(z.array(linuxThrottleDeviceSchema));

export const linuxBlockIOSchema = loose({
  weight: opt(uint16),
  leafWeight: opt(uint16),
  weightDevice: opt(z.array(linuxWeightDeviceSchema)),
  throttleReadBpsDevice: throttleList,
  throttleWriteBpsDevice: throttleList,
  throttleReadIOPSDevice: throttleList,
  throttleWriteIOPSDevice: throttleList,
});

export const linuxHugepageLimitSchema = loose({
  pageSize: str.check(z.regex(/^[1-9][0-9]*[KMG]B$/, { error: "expected a page size such as \"2MB\"" })),
  limit: uint64,
});

export const linuxInterfacePrioritySchema = loose({
  name: str,
  priority: uint32,
});

export const linuxNetworkSchema = loose({
  classID: opt(uint32),
  priorities: opt(z.array(linuxInterfacePrioritySchema)),
});

export const linuxRdmaSchema = loose({
  hcaHandles: opt(uint32),
  hcaObjects: opt(uint32),
});

export const linuxResourcesSchema = loose({
  devices: opt(z.array(linuxDeviceCgroupSchema)),
  memory: opt(linuxMemorySchema),
  cpu: opt(linuxCpuSchema),
  pids: opt(linuxPidsSchema),
  blockIO: opt(linuxBlockIOSchema),
  hugepageLimits: opt(z.array(linuxHugepageLimitSchema)),
  network: opt(linuxNetworkSchema),
  rdma: opt(z.record(str, linuxRdmaSchema, { error: "expected object" })),
  unified: opt(stringMap),
});

export const linuxSeccompArgSchema = loose({
  index: uint32,
  value: uint64,
  valueTwo: opt(uint64),
  op: seccompOperatorSchema,
});

export const linuxSyscallSchema = loose({
  names: nonEmptyStrings,
  action: seccompActionSchema,
  errnoRet: opt(uint32),
  args: opt(z.array(linuxSeccompArgSchema)),
});

export const linuxSeccompSchema = loose({
  defaultAction: seccompActionSchema,
  defaultErrnoRet: opt(uint32),
  architectures: opt(z.array(seccompArchSchema)),
  flags: opt(z.array(seccompFlagSchema)),
  listenerPath: opt(str),
  listenerMetadata: opt(str),
  syscalls: opt(z.array(linuxSyscallSchema)),
});

export const linuxIntelRdtSchema = loose({
  closID: opt(str),
  l3CacheSchema: opt(str),
  memBwSchema: opt(str),
  /** v1.3 */
  schemata: opt(strings),
  /** v1.1-v1.2 */
  enableCMT: opt(bool),
  /** v1.1-v1.2 */
  enableMBM: opt(bool),
  /** v1.3 */
  enableMonitoring: opt(bool),
});

export const linuxMemoryPolicySchema = loose({
  mode: oneOf(MEMORY_POLICY_MODES),
  nodes: opt(str),
  flags: opt(z.array(oneOf(MEMORY_POLICY_FLAGS))),
});

export const linuxPersonalitySchema = loose({
  domain: oneOf(PERSONALITY_DOMAINS),
  flags: opt(strings),
});

export const linuxSchema = loose({
  namespaces: opt(z.array(linuxNamespaceSchema)),
  uidMappings: idMappings,
  gidMappings: idMappings,
  timeOffsets: opt(linuxTimeOffsetsSchema),
  devices: opt(z.array(linuxDeviceSchema)),
  netDevices: opt(z.record(str, linuxNetDeviceSchema, { error: "expected object" })),
  cgroupsPath: opt(str),
  resources: opt(linuxResourcesSchema),
  rootfsPropagation: opt(rootfsPropagationSchema),
  seccomp: opt(linuxSeccompSchema),
  sysctl: opt(stringMap),
  maskedPaths: opt(strings),
  readonlyPaths: opt(strings),
  mountLabel: opt(str),
  intelRdt: opt(linuxIntelRdtSchema),
  memoryPolicy: opt(linuxMemoryPolicySchema),
  personality: opt(linuxPersonalitySchema),
});

// ---------------------------------------------------------------------------
// config.json

/**
 * The whole config. `ociVersion` is only typed as a string here; its semver
 * and major-version checks run before the schema (see load.ts). `process` and
 * `root` are optional in the spec but required by runts (every container it
 * creates runs a process on a root filesystem).
 */
export const specSchema = loose({
  ociVersion: str,
  process: processSchema,
  root: rootSchema,
  hostname: opt(str),
  domainname: opt(str),
  mounts: opt(z.array(mountSchema)),
  hooks: opt(hooksSchema),
  annotations: opt(stringMap),
  linux: opt(linuxSchema),
});

// ---------------------------------------------------------------------------
// Types

export type Spec = z.infer<typeof specSchema>;

export type IdMapping = z.infer<typeof idMappingSchema>;
export type Mount = z.infer<typeof mountSchema>;
export type Hook = z.infer<typeof hookSchema>;
export type Hooks = z.infer<typeof hooksSchema>;
export type HookName = (typeof HOOK_NAMES)[number];
export type Root = z.infer<typeof rootSchema>;

export type Process = z.infer<typeof processSchema>;
export type User = z.infer<typeof userSchema>;
export type ConsoleSize = z.infer<typeof consoleSizeSchema>;
export type LinuxCapabilities = z.infer<typeof capabilitiesSchema>;
export type Rlimit = z.infer<typeof rlimitSchema>;
export type RlimitType = (typeof RLIMIT_TYPES)[number];
export type Scheduler = z.infer<typeof schedulerSchema>;
export type SchedulerPolicy = (typeof SCHEDULER_POLICIES)[number];
export type SchedulerFlag = (typeof SCHEDULER_FLAGS)[number];
export type IOPriority = z.infer<typeof ioPrioritySchema>;
export type IOPriorityClass = (typeof IO_PRIORITY_CLASSES)[number];
export type CPUAffinity = z.infer<typeof cpuAffinitySchema>;

export type Linux = z.infer<typeof linuxSchema>;
export type LinuxNamespace = z.infer<typeof linuxNamespaceSchema>;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];
export type LinuxTimeOffset = z.infer<typeof linuxTimeOffsetSchema>;
export type LinuxTimeOffsets = z.infer<typeof linuxTimeOffsetsSchema>;
export type LinuxDevice = z.infer<typeof linuxDeviceSchema>;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export type LinuxNetDevice = z.infer<typeof linuxNetDeviceSchema>;
export type LinuxResources = z.infer<typeof linuxResourcesSchema>;
export type LinuxDeviceCgroup = z.infer<typeof linuxDeviceCgroupSchema>;
export type LinuxMemory = z.infer<typeof linuxMemorySchema>;
export type LinuxCPU = z.infer<typeof linuxCpuSchema>;
export type LinuxPids = z.infer<typeof linuxPidsSchema>;
export type LinuxBlockIO = z.infer<typeof linuxBlockIOSchema>;
export type LinuxWeightDevice = z.infer<typeof linuxWeightDeviceSchema>;
export type LinuxThrottleDevice = z.infer<typeof linuxThrottleDeviceSchema>;
export type LinuxHugepageLimit = z.infer<typeof linuxHugepageLimitSchema>;
export type LinuxNetwork = z.infer<typeof linuxNetworkSchema>;
export type LinuxInterfacePriority = z.infer<typeof linuxInterfacePrioritySchema>;
export type LinuxRdma = z.infer<typeof linuxRdmaSchema>;
export type RootfsPropagation = (typeof ROOTFS_PROPAGATIONS)[number];
export type LinuxSeccomp = z.infer<typeof linuxSeccompSchema>;
export type LinuxSyscall = z.infer<typeof linuxSyscallSchema>;
export type LinuxSeccompArg = z.infer<typeof linuxSeccompArgSchema>;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];
export type SeccompArch = (typeof SECCOMP_ARCHES)[number];
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];
export type LinuxIntelRdt = z.infer<typeof linuxIntelRdtSchema>;
export type LinuxMemoryPolicy = z.infer<typeof linuxMemoryPolicySchema>;
export type LinuxPersonality = z.infer<typeof linuxPersonalitySchema>;
export type PersonalityDomain = (typeof PERSONALITY_DOMAINS)[number];

/** Hook lists in the order the spec defines them. */
export const HOOK_NAMES = [
  "prestart",
  "createRuntime",
  "createContainer",
  "startContainer",
  "poststart",
  "poststop",
] as const;
