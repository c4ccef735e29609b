/**
 * The command table: which commands runts accepts and their flags, exactly as
 * runc 1.1 (urfave/cli v1.22.1) declares them, so that containerd, Podman and
 * Docker can call runts with the argument vectors they build for runc.
 *
 * Pure data plus a help renderer. The parser lives in args.ts.
 */
import { VERSION_TEXT } from "../version.js";
import { tabwrite } from "./format.js";

/**
 * How a flag's value is parsed, mirroring the urfave/cli flag type runc uses:
 * - bool: takes no separate value; `--x`, `--x=true|false` (Go strconv.ParseBool)
 * - string: takes one value; the last occurrence wins
 * - int: takes one value parsed like Go strconv.ParseInt(s, 0, 64)
 * - duration: takes one value parsed like Go time.ParseDuration ("5s", "1m30s")
 * - stringSlice: takes one value per occurrence; repeatable, values accumulate
 * - int64Slice: like stringSlice, each value parsed like ParseInt(s, 0, 64)
 */
export type FlagKind = "bool" | "string" | "int" | "duration" | "stringSlice" | "int64Slice";

export interface FlagSpec {
  /** Canonical (long) name, without dashes: "bundle". Key in ParsedCommandLine.flags. */
  readonly name: string;
  /** Other names, without dashes: ["b"]. Go's flag package accepts any name with - or --. */
  readonly aliases: readonly string[];
  readonly kind: FlagKind;
  /** Default as it appears in `flags` when the flag is not given. */
  readonly default: string | boolean | readonly string[];
  /** One-line help text (runc's wording). */
  readonly usage: string;
  /** Hidden from help (runc hides update's kernel-memory flags). */
  readonly hidden?: boolean;
}

/** Positional-argument rule, as runc's checkArgs applies it. */
export type ArgCount =
  | { readonly exact: number }
  | { readonly min: number; readonly max?: number };

export const COMMAND_NAMES = [
  "checkpoint",
  "create",
  "delete",
  "events",
  "exec",
  "kill",
  "list",
  "pause",
  "ps",
  "restore",
  "resume",
  "run",
  "spec",
  "start",
  "state",
  "update",
  "features",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export interface CommandSpec {
  readonly name: CommandName;
  /** One-line description (runc's Usage). */
  readonly usage: string;
  /** What follows the options in the USAGE line, e.g. "<container-id> [signal]", then its explanation and examples. */
  readonly argsUsage: string;
  /** The DESCRIPTION block of the help, when runc's command has one. */
  readonly description?: string;
  readonly flags: readonly FlagSpec[];
  readonly args: ArgCount;
  /**
   * urfave/cli v1 moves flags that appear after positional arguments to the
   * front ("reordering") unless this is set. runc sets it for exec and ps,
   * whose trailing arguments belong to the container command / ps(1).
   */
  readonly skipArgReorder: boolean;
}

// ---------------------------------------------------------------------------
// flag constructors

function boolFlag(name: string, usage: string, aliases: readonly string[] = []): FlagSpec {
  return { name, aliases, kind: "bool", default: false, usage };
}
function stringFlag(name: string, usage: string, aliases: readonly string[] = [], def = ""): FlagSpec {
  return { name, aliases, kind: "string", default: def, usage };
}
function intFlag(name: string, usage: string, def = "0"): FlagSpec {
  return { name, aliases: [], kind: "int", default: def, usage };
}
function sliceFlag(name: string, usage: string, aliases: readonly string[] = []): FlagSpec {
  return { name, aliases, kind: "stringSlice", default: [], usage };
}

const CONSOLE_SOCKET = stringFlag(
  "console-socket",
  "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal",
);
const PID_FILE = stringFlag("pid-file", "specify the file to write the process id to");
const PIDFD_SOCKET = stringFlag(
  "pidfd-socket",
  "path to an AF_UNIX socket which will receive a file descriptor referencing the init process",
);
const NO_PIVOT = boolFlag(
  "no-pivot",
  "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk",
);
const NO_NEW_KEYRING = boolFlag(
  "no-new-keyring",
  "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key",
);
const PRESERVE_FDS = intFlag(
  "preserve-fds",
  "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
);
const DETACH = boolFlag("detach", "detach from the container's process", ["d"]);
const NO_SUBREAPER = boolFlag("no-subreaper", "disable the use of the subreaper used to reap reparented processes");
const FORMAT = stringFlag("format", "select one of: table or json", ["f"], "table");

const BUNDLE = stringFlag("bundle", "path to the root of the bundle directory, defaults to the current directory", ["b"]);

/** The id argument of commands that act on an existing container (runc's wording). */
const EXISTING_ID_HELP = `<container-id>

Where "<container-id>" is the name for the instance of the container.`;

const ID_HELP = `<container-id>

Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host.`;

/** The id of a container acted on, as runc's help explains it: "... to be <done>." */
const idToBe = (done: string, space = ""): string => `<container-id>

Where "<container-id>" is the name for the instance of the container to be
${done}.${space}`;

/** create's and run's DESCRIPTION. */
const startsBundle = (command: string): string => `The ${command} command creates an instance of a container for a bundle. The bundle
is a directory with a specification file named "config.json" and a root
filesystem.

The specification file includes an args parameter. The args parameter is used
to specify command(s) that get run when the container is started. To change the
command(s) that get executed on start, edit the args parameter of the spec. See
"runts spec --help" for more explanation.`;

const SEE_LIST = "Use runts list to identify instances of containers and their current status.";

// ---------------------------------------------------------------------------
// the table

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  boolFlag("debug", "enable debug logging"),
  stringFlag("log", "set the log file to write runts logs to (default is '/dev/stderr')"),
  stringFlag("log-format", "set the log format ('text' (default), or 'json')", [], "text"),
  stringFlag("root", "root directory for storage of container state (this should be located in tmpfs)", [], "/run/runts"),
  stringFlag("criu", "path to the criu binary used for checkpoint and restore (accepted, ignored)", [], "criu"),
  boolFlag(
    "systemd-cgroup",
    'enable systemd cgroup support, expects cgroupsPath to be of form "slice:prefix:name" for e.g. "system.slice:runts:434234"',
  ),
  stringFlag("rootless", "ignore cgroup permission errors ('true', 'false', or 'auto')", [], "auto"),
  boolFlag("help", "show help", ["h"]),
  boolFlag("version", "print the version", ["v"]),
];

/** urfave/cli adds `--help, -h` to every command. */
export const HELP_FLAG: FlagSpec = boolFlag("help", "show help", ["h"]);

const CHECKPOINT_COMMON: readonly FlagSpec[] = [
  stringFlag("image-path", "path for saving criu image files"),
  stringFlag("work-path", "path for saving work files and logs"),
];

/**
 * Each command's spec is built when it is asked for: a process parses one
 * command, and building all of them (flags, help strings) cost every cold
 * start ~0.1 ms.
 */
export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  get checkpoint(): CommandSpec {
    return {
      name: "checkpoint",
      usage: "checkpoint a running container",
      argsUsage: idToBe("checkpointed"),
      description: "The checkpoint command saves the state of the container instance.",
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        ...CHECKPOINT_COMMON,
        stringFlag("parent-path", "path for previous criu image files in pre-dump"),
        boolFlag("leave-running", "leave the process running after checkpointing"),
        boolFlag("tcp-established", "allow open tcp connections"),
        boolFlag("ext-unix-sk", "allow external unix sockets"),
        boolFlag("shell-job", "allow shell jobs"),
        boolFlag("lazy-pages", "use userfaultfd to lazily restore memory pages"),
        intFlag("status-fd", "criu writes \\0 to this FD once lazy-pages is ready", "-1"),
        stringFlag("page-server", "ADDRESS:PORT of the page server"),
        boolFlag("file-locks", "handle file locks, for safety"),
        boolFlag("pre-dump", "dump container's memory information only, leave the container running after this"),
        stringFlag("manage-cgroups-mode", "cgroups mode: 'soft' (default), 'full' and 'strict'"),
        sliceFlag("empty-ns", "create a namespace, but don't restore its properties"),
        boolFlag("auto-dedup", "enable auto deduplication of memory images"),
      ],
    };
  },
  get create(): CommandSpec {
    return {
      name: "create",
      usage: "create a container",
      argsUsage: ID_HELP,
      description: startsBundle("create"),
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        BUNDLE,
        CONSOLE_SOCKET,
        PIDFD_SOCKET,
        PID_FILE,
        NO_PIVOT,
        NO_NEW_KEYRING,
        PRESERVE_FDS,
      ],
    };
  },
  get delete(): CommandSpec {
    return {
      name: "delete",
      usage: "delete any resources held by the container often used with detached container",
      argsUsage: `${EXISTING_ID_HELP}

EXAMPLE:
For example, if the container id is "ubuntu01" and runts list currently shows the
status of "ubuntu01" as "stopped" the following will delete resources held for
"ubuntu01" removing "ubuntu01" from the runts list of containers:

       # runts delete ubuntu01`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [boolFlag("force", "Forcibly deletes the container if it is still running (uses SIGKILL)", ["f"])],
    };
  },
  get events(): CommandSpec {
    return {
      name: "events",
      usage: "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
      argsUsage: EXISTING_ID_HELP,
      description: `The events command displays information about the container. By default the
information is displayed once every 5 seconds.`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        { name: "interval", aliases: [], kind: "duration", default: "5s", usage: "set the stats collection interval" },
        boolFlag("stats", "display the container's stats then exit"),
      ],
    };
  },
  get exec(): CommandSpec {
    return {
      name: "exec",
      usage: "execute new process inside the container",
      argsUsage: `<container-id> <command> [command options]  || -p process.json <container-id>

Where "<container-id>" is the name for the instance of the container and
"<command>" is the command to be executed in the container.
"<command>" can't be empty unless a "-p" flag provided.

EXAMPLE:
For example, if the container is configured to run the linux ps command the
following will output a list of processes running in the container:

       # runts exec <container-id> ps`,
      args: { min: 1 },
      skipArgReorder: true,
      flags: [
        CONSOLE_SOCKET,
        PIDFD_SOCKET,
        stringFlag("cwd", "current working directory in the container"),
        sliceFlag("env", "set environment variables", ["e"]),
        boolFlag("tty", "allocate a pseudo-TTY", ["t"]),
        stringFlag("user", "UID (format: <uid>[:<gid>])", ["u"]),
        { name: "additional-gids", aliases: ["g"], kind: "int64Slice", default: [], usage: "additional gids" },
        stringFlag("process", "path to the process.json", ["p"]),
        DETACH,
        PID_FILE,
        stringFlag("process-label", "set the asm process label for the process commonly used with selinux"),
        stringFlag("apparmor", "set the apparmor profile for the process"),
        boolFlag("no-new-privs", "set the no new privileges value for the process"),
        sliceFlag("cap", "add a capability to the bounding set for the process", ["c"]),
        PRESERVE_FDS,
        sliceFlag("cgroup", "run the process in an (existing) sub-cgroup(s). Format is [<controller>:]<cgroup>."),
        boolFlag("ignore-paused", "allow exec in a paused container"),
      ],
    };
  },
  get kill(): CommandSpec {
    return {
      name: "kill",
      usage: "kill sends the specified signal (default: SIGTERM) to the container's init process",
      argsUsage: `<container-id> [signal]

Where "<container-id>" is the name for the instance of the container and
"[signal]" is the signal to be sent to the init process.

EXAMPLE:
For example, if the container id is "ubuntu01" the following will send a "KILL"
signal to the init process of the "ubuntu01" container:

       # runts kill ubuntu01 KILL`,
      args: { min: 1, max: 2 },
      skipArgReorder: false,
      flags: [boolFlag("all", "send the specified signal to all processes inside the container", ["a"])],
    };
  },
  get list(): CommandSpec {
    return {
      name: "list",
      usage: "lists containers started by runts with the given root",
      argsUsage: `

Where the given root is specified via the global option "--root"
(default: "/run/runts").

EXAMPLE 1:
To list containers created via the default "--root":
       # runts list

EXAMPLE 2:
To list containers created using a non-default value for "--root":
       # runts --root value list`,
      args: { exact: 0 },
      skipArgReorder: false,
      flags: [FORMAT, boolFlag("quiet", "display only container IDs", ["q"])],
    };
  },
  get pause(): CommandSpec {
    return {
      name: "pause",
      usage: "pause suspends all processes inside the container",
      argsUsage: idToBe("paused", " "),
      description: `The pause command suspends all processes in the instance of the container.

${SEE_LIST}`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [],
    };
  },
  get ps(): CommandSpec {
    return {
      name: "ps",
      usage: "ps displays the processes running inside a container",
      argsUsage: "<container-id> [ps options]",
      args: { min: 1 },
      skipArgReorder: true,
      flags: [FORMAT],
    };
  },
  get restore(): CommandSpec {
    return {
      name: "restore",
      usage: "restore a container from a previous checkpoint",
      argsUsage: idToBe("restored"),
      description: `Restores the saved state of the container instance that was previously saved
using the runts checkpoint command.`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        CONSOLE_SOCKET,
        stringFlag("image-path", "path to criu image files for restoring"),
        stringFlag("work-path", "path for saving work files and logs"),
        boolFlag("tcp-established", "allow open tcp connections"),
        boolFlag("ext-unix-sk", "allow external unix sockets"),
        boolFlag("shell-job", "allow shell jobs"),
        boolFlag("file-locks", "handle file locks, for safety"),
        stringFlag("manage-cgroups-mode", "cgroups mode: 'soft' (default), 'full' and 'strict'"),
        stringFlag("bundle", "path to the root of the bundle directory", ["b"]),
        DETACH,
        PID_FILE,
        NO_SUBREAPER,
        NO_PIVOT,
        sliceFlag("empty-ns", "create a namespace, but don't restore its properties"),
        boolFlag("auto-dedup", "enable auto deduplication of memory images"),
        boolFlag("lazy-pages", "use userfaultfd to lazily restore memory pages"),
        stringFlag("lsm-profile", "Specify an LSM profile to be used during restore in the form of TYPE:NAME."),
        stringFlag("lsm-mount-context", "Specify an LSM mount context to be used during restore."),
      ],
    };
  },
  get resume(): CommandSpec {
    return {
      name: "resume",
      usage: "resumes all processes that have been previously paused",
      argsUsage: idToBe("resumed"),
      description: `The resume command resumes all processes in the instance of the container.

${SEE_LIST}`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [],
    };
  },
  get run(): CommandSpec {
    return {
      name: "run",
      usage: "create and run a container",
      argsUsage: ID_HELP,
      description: startsBundle("run"),
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        BUNDLE,
        CONSOLE_SOCKET,
        PIDFD_SOCKET,
        DETACH,
        boolFlag("keep", "do not delete the container after it exits"),
        PID_FILE,
        NO_SUBREAPER,
        NO_PIVOT,
        NO_NEW_KEYRING,
        PRESERVE_FDS,
      ],
    };
  },
  get spec(): CommandSpec {
    return {
      name: "spec",
      usage: "create a new specification file",
      argsUsage: "",
      description: `The spec command creates the new specification file named "config.json" for
the bundle.

The spec generated is just a starter file. Editing of the spec is required to
achieve desired results. For example, the newly generated spec includes an args
parameter that is initially set to call the "sh" command when the container is
started. Calling "sh" may work for an ubuntu container or busybox, but will not
work for containers that do not include the "sh" program.

EXAMPLE:
  To run docker's hello-world container one needs to set the args parameter
in the spec to call hello. This can be done using the sed command or a text
editor. The following commands create a bundle for hello-world, change the
default args parameter in the spec from "sh" to "/hello", then run the hello
command in a new hello-world container named container1:

    mkdir hello
    cd hello
    docker pull hello-world
    docker export $(docker create hello-world) > hello-world.tar
    mkdir rootfs
    tar -C rootfs -xf hello-world.tar
    runts spec
    sed -i 's;"sh";"/hello";' config.json
    runts run container1

In the run command above, "container1" is the name for the instance of the
container that you are starting. The name you provide for the container instance
must be unique on your host.

An alternative for generating a customized spec config is to use "oci-runtime-tool", the
sub-command "oci-runtime-tool generate" has lots of options that can be used to do any
customizations as you want, see runtime-tools (https://github.com/opencontainers/runtime-tools)
to get more information.

When starting a container through runts, runts needs root privilege. If not
already running as root, you can use sudo to give runts root privilege. For
example: "sudo runts start container1" will give runts root privilege to start the
container on your host.

Alternatively, you can start a rootless container, which has the ability to run
without root privileges. For this to work, the specification file needs to be
adjusted accordingly. You can pass the parameter --rootless to this command to
generate a proper rootless spec file.

Note that --rootless is not needed when you execute runts as the root in a user namespace
created by an unprivileged user.
`,
      args: { exact: 0 },
      skipArgReorder: false,
      flags: [
        stringFlag("bundle", "path to the root of the bundle directory", ["b"]),
        boolFlag("rootless", "generate a configuration for a rootless container"),
      ],
    };
  },
  get start(): CommandSpec {
    return {
      name: "start",
      usage: "executes the user defined process in a created container",
      argsUsage: ID_HELP,
      description: "The start command executes the user defined process in a created container.",
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [],
    };
  },
  get state(): CommandSpec {
    return {
      name: "state",
      usage: "output the state of a container",
      argsUsage: `<container-id>

Where "<container-id>" is your name for the instance of the container.`,
      description: `The state command outputs current state information for the
instance of a container.`,
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [],
    };
  },
  get update(): CommandSpec {
    return {
      name: "update",
      usage: "update container resource constraints",
      argsUsage: "<container-id>",
      args: { exact: 1 },
      skipArgReorder: false,
      flags: [
        stringFlag(
          "resources",
          `path to the file containing the resources to update or '-' to read from the standard input

The accepted format is as follow (unchanged values can be omitted):

{
  "memory": {
    "limit": 0,
    "reservation": 0,
    "swap": 0
  },
  "cpu": {
    "shares": 0,
    "quota": 0,
    "period": 0,
    "realtimeRuntime": 0,
    "realtimePeriod": 0,
    "cpus": "",
    "mems": ""
  },
  "blockIO": {
    "weight": 0
  }
}

Note: if data is to be read from a file or the standard input, all
other options are ignored.`,
          ["r"],
        ),
        intFlag("blkio-weight", "Specifies per cgroup weight, range is from 10 to 1000"),
        stringFlag("cpu-period", "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"),
        stringFlag("cpu-quota", "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"),
        stringFlag("cpu-share", "CPU shares (relative weight vs. other containers)"),
        stringFlag("cpu-rt-period", "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"),
        stringFlag("cpu-rt-runtime", "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"),
        stringFlag("cpuset-cpus", "CPU(s) to use"),
        stringFlag("cpuset-mems", "Memory node(s) to use"),
        { ...stringFlag("kernel-memory", "Kernel memory limit (in bytes)"), hidden: true },
        { ...stringFlag("kernel-memory-tcp", "Kernel memory limit (in bytes) for tcp buffer"), hidden: true },
        stringFlag("memory", "Memory limit (in bytes)"),
        stringFlag("memory-reservation", "Memory reservation or soft_limit (in bytes)"),
        stringFlag("memory-swap", "Total memory usage (memory + swap); set '-1' to enable unlimited swap"),
        intFlag("pids-limit", "Maximum number of pids allowed in the container"),
        stringFlag("l3-cache-schema", "The string of Intel RDT/CAT L3 cache schema"),
        stringFlag("mem-bw-schema", "The string of Intel RDT/MBA memory bandwidth schema"),
      ],
    };
  },
  get features(): CommandSpec {
    return {
      name: "features",
      usage: "show the enabled features",
      argsUsage: "",
      description: `Show the enabled features.
   The result is parsable as a JSON.
   See https://github.com/opencontainers/runtime-spec/blob/main/features.md for the format.
   The types are experimental and subject to change.
`,
      args: { exact: 0 },
      skipArgReorder: false,
      flags: [],
    };
  },
};

export function isCommandName(s: string): s is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(s);
}

/** The spec for a command, or undefined. */
export function commandSpec(name: string): CommandSpec | undefined {
  return isCommandName(name) ? COMMANDS[name] : undefined;
}

// ---------------------------------------------------------------------------
// help text (urfave/cli v1 layout, "runts" instead of "runc")

function flagTitle(f: FlagSpec): string {
  const names = [f.name, ...f.aliases].map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
  const valued = f.kind !== "bool";
  return names.map((n) => (valued ? `${n} value` : n)).join(", ");
}

function flagUsage(f: FlagSpec): string {
  if (f.kind === "bool" || f.kind === "stringSlice" || f.kind === "int64Slice") return f.usage;
  if (f.kind === "string" && f.default === "") return f.usage;
  if (f.kind === "int" || f.kind === "duration") return `${f.usage} (default: ${String(f.default)})`;
  return `${f.usage} (default: ${JSON.stringify(f.default)})`;
}

/**
 * The option list as urfave/cli writes it: each flag as "   title\tusage",
 * through Go's tabwriter(minwidth 1, tabwidth 8, padding 2, ' '). A usage of
 * several lines (update's --resources) ends the aligned block, as in runc.
 */
function optionLines(flags: readonly FlagSpec[]): string {
  const text = flags
    .filter((f) => !f.hidden)
    .map((f) => `   ${flagTitle(f)}\t${flagUsage(f)}\n`)
    .join("");
  return tabwrite(text, { minwidth: 1, tabwidth: 8, padding: 2, padchar: " " });
}

/** `runts <command> --help` text (what runc prints to stdout). */
export function commandHelp(name: CommandName, program = "runts"): string {
  const c = COMMANDS[name];
  const argsUsage = c.argsUsage === "" && (name === "spec" || name === "features") ? "[arguments...]" : c.argsUsage;
  let out = `NAME:\n   ${program} ${c.name} - ${c.usage}\n\nUSAGE:\n   ${program} ${c.name}`;
  if (c.flags.length > 0) out += " [command options]";
  out += ` ${argsUsage}\n`;
  if (c.description !== undefined) out += `\nDESCRIPTION:\n   ${c.description}\n`;
  if (c.flags.length > 0) out += `\nOPTIONS:\n${optionLines(c.flags)}   \n`;
  return out;
}

/** What `runts --help` says of runts before its usage line (runc's text, for runts). */
const APP_DESCRIPTION = `runts is a command line client for running applications packaged according to
the Open Container Initiative (OCI) format and is a compliant implementation of the
Open Container Initiative specification.

runts integrates well with existing process supervisors to provide a production
container runtime environment for applications. It can be used with your
existing process monitoring tools and the container will be spawned as a
direct child of the process supervisor.

Containers are configured using bundles. A bundle for a container is a directory
that includes a specification file named "config.json" and a root filesystem.
The root filesystem contains the contents of the container.

To start a new instance of a container:

    # runts run [ -b bundle ] <container-id>

Where "<container-id>" is your name for the instance of the container that you
are starting. The name you provide for the container instance must be unique on
your host. Providing the bundle directory using "-b" is optional. The default
value for "bundle" is the current directory.`;

/** `runts --help` text; `version` is what `--version` prints after "runts version ". */
export function appHelp(program = "runts", version = VERSION_TEXT): string {
  // runc lists commands in declaration order (alphabetical, then features).
  const rows = [...COMMAND_NAMES.map((n) => [n, COMMANDS[n].usage] as const), ["help, h", "Shows a list of commands or help for one command"] as const];
  const w = Math.max(...rows.map(([n]) => n.length)) + 2;
  let out = `NAME:\n   ${program} - Open Container Initiative runtime\n\n${APP_DESCRIPTION}\n\nUSAGE:\n   ${program} [global options] command [command options] [arguments...]\n`;
  if (version) out += `\nVERSION:\n   ${version}\n`;
  out += `\nCOMMANDS:\n${rows.map(([n, u]) => `   ${n.padEnd(w)}${u}`).join("\n")}\n`;
  out += `\nGLOBAL OPTIONS:\n${optionLines(GLOBAL_FLAGS)}`;
  return out;
}
