/**
 * Step opcodes of a launch plan. They mirror native-shims/ops.h; a unit test
 * parses that header and checks both lists agree.
 */
export const OPS = {
  CONSOLE_SOCKET: 1,
  OPEN_FIFO: 2,
  SETNS: 3,
  UNSHARE: 4,
  WRITE_FILE: 5,
  CLONE: 6,
  OPEN_ROOT: 7,
  SYNC: 20,
  SET_IDS: 21,
  MOUNT: 22,
  MOUNT_HOST: 23,
  MKDIR: 24,
  MKFILE: 25,
  MKNOD: 26,
  SYMLINK: 27,
  PIVOT_ROOT: 28,
  MOVE_ROOT: 29,
  REMOUNT: 30,
  MASK: 31,
  READONLY: 32,
  HOSTNAME: 33,
  DOMAINNAME: 34,
  RLIMIT: 35,
  OOM_SCORE_ADJ: 36,
  UMASK: 37,
  CHDIR: 38,
  NO_NEW_PRIVS: 39,
  CAPS: 40,
  TTY: 41,
  PRESERVE_FDS: 42,
  LOOKUP: 43,
  WAIT_START: 44,
  EXEC: 45,
  SETSID: 46,
  SYSCTL: 47,
} as const;

export type OpName = keyof typeof OPS;
