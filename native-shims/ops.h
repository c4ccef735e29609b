/*
 * Plan step opcodes shared with src/plan/ops.ts (a unit test checks the two
 * lists agree). A plan is a sequence of steps; each step is an opcode and a
 * list of string arguments. The executor runs them in order and decides
 * nothing: ordering and policy live in TypeScript.
 */
#ifndef RUNTS_OPS_H
#define RUNTS_OPS_H

enum runts_op {
	/* Before clone, in the spawned shim (host namespaces). */
	OP_CONSOLE_SOCKET = 1, /* path: connect to the engine's console socket */
	OP_OPEN_FIFO = 2,      /* path: open the exec fifo O_PATH for WAIT_START */
	OP_SETNS = 3,          /* nstype path: join an existing namespace */
	OP_UNSHARE = 4,        /* flags: unshare(2) */
	OP_WRITE_FILE = 5,     /* path data: write a host file (timens_offsets) */
	OP_CLONE = 6,          /* flags: clone3(CLONE_PARENT|flags); parent reports pid and exits */
	OP_OPEN_ROOT = 7,      /* path: the rootfs directory all *_IN_ROOT steps resolve under */

	/* In the container process. */
	OP_SYNC = 20,          /* stage: tell runts, wait for its go-ahead */
	OP_SET_IDS = 21,       /* uid gid [gid...]: setgroups, setresgid, setresuid (keeps caps) */
	OP_MOUNT = 22,         /* src dest fstype flags data remount_flags propagation_flags; dest "/..." in root, or host path with HOST flag */
	OP_MOUNT_HOST = 23,    /* src target fstype flags data: plain mount(2) on a host path */
	OP_MKDIR = 24,         /* path mode: create directories inside the root */
	OP_MKFILE = 25,        /* path mode: create an empty file (and parents) inside the root */
	OP_MKNOD = 26,         /* path mode dev uid gid: device node inside the root */
	OP_SYMLINK = 27,       /* target path: symlink inside the root */
	OP_PIVOT_ROOT = 28,    /* (none): pivot_root into the root, detach the old one */
	OP_MOVE_ROOT = 29,     /* (none): MS_MOVE the root onto / and chroot (--no-pivot) */
	OP_REMOUNT = 30,       /* path flags: remount a path of the (new) root with flags, keeping locked ones */
	OP_MASK = 31,          /* path: hide a path of the new root (/dev/null or ro tmpfs) */
	OP_READONLY = 32,      /* path: bind a path of the new root onto itself read-only */
	OP_HOSTNAME = 33,      /* name */
	OP_DOMAINNAME = 34,    /* name */
	OP_RLIMIT = 35,        /* resource soft hard */
	OP_UMASK = 37,         /* mask (octal) */
	OP_CHDIR = 38,         /* path */
	OP_NO_NEW_PRIVS = 39,  /* (none) */
	OP_CAPS = 40,          /* bounding effective permitted inheritable ambient, 64-bit masks */
	OP_TTY = 41,           /* rows cols: new pty in the container's devpts, slave on stdio and /dev/console */
	OP_PRESERVE_FDS = 42,  /* count: fds 3..3+count-1 stay open, the rest close on exec */
	OP_LOOKUP = 43,        /* file PATH: resolve the executable like execvp, before start */
	OP_WAIT_START = 44,    /* (none): report "created", block on the exec fifo until start */
	OP_EXEC = 45,          /* argc argv... env...: execve the looked-up executable */
	OP_SYSCTL = 47,        /* path value: write a /proc/sys file of the container */
	OP_PERSONALITY = 48,   /* persona: personality(2) */
	OP_SCHEDULER = 49,     /* policy flags nice priority runtime deadline period: sched_setattr(2) */
	OP_IOPRIO = 50,        /* value: ioprio_set(2) for this process */
	OP_AFFINITY = 51,      /* cpu...: sched_setaffinity(2) */
	OP_HOOK = 52,          /* timeout path argc argv... env...: run a hook, state JSON from the last sync on stdin */
	OP_MOUNT_SETATTR = 53, /* path attr_set attr_clr propagation: mount_setattr(AT_RECURSIVE) inside the root */
	OP_COPYUP = 54,        /* dest: remember what is under dest before a tmpfs covers it ... */
	OP_COPYUP_DONE = 55,   /* dest: ... and copy it into the tmpfs now mounted there (tmpcopyup) */
	OP_IDMAP_MOUNT = 56,   /* src dest userns_path recursive: idmapped bind mount inside the root */
	OP_HOME = 57,          /* uid: add HOME from the container's /etc/passwd to the exec environment */
	OP_KEYRING = 58,       /* name: join a new session keyring, so the host's keys stay out of reach */
	OP_PIDFD_SOCKET = 59,  /* path: connect; CLONE sends a pidfd of the new process over it */
};

#endif
