/*
 * runts-init: the single-threaded executor of a launch plan.
 *
 * runts (TypeScript) decides everything and sends a plan of steps over the
 * sync socket whose number is argv[1]. This program runs the steps in order:
 * the ones before CLONE in the host namespaces, the rest in the container
 * process that CLONE creates as a sibling (CLONE_PARENT), so the container's
 * init is a child of runts, as with runc. No JavaScript runs in between.
 *
 * It first re-executes itself from a sealed memfd, so a container process can
 * never reach the runtime's binary through /proc/<pid>/exe (CVE-2019-5736).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "ops.h"
#include "shim.h"

#define PLAN_MAX (16u << 20)
#define STEPS_MAX 8192
#define ARGS_MAX (1u << 18)
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

struct shim_state st = { .sync_fd = -1, .root_fd = -1, .console_fd = -1, .pidfd_fd = -1, .fifo_fd = -1, .exe = NULL };

static char plan[PLAN_MAX];
static struct step steps[STEPS_MAX];
static char *args[ARGS_MAX];
static uint32_t nsteps;

extern char **environ;

/* Run from a sealed, anonymous copy of ourselves. */
static void ensure_sealed(char **argv)
{
	int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		/* Without the sealed copy a container could reach this binary: refuse. */
		dprintf(2, "runts-init: open /proc/self/exe: %s\n", strerror(errno));
		_exit(1);
	}
	if (fcntl(self, F_GET_SEALS) == SEALS) {
		close(self);
		return;
	}
	int mfd = memfd_create("runts-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	struct stat sb;
	if (mfd < 0 || fstat(self, &sb) < 0) {
		dprintf(2, "runts-init: memfd: %s\n", strerror(errno));
		_exit(1);
	}
	for (off_t off = 0; off < sb.st_size;) {
		ssize_t n = sendfile(mfd, self, &off, (size_t)(sb.st_size - off));
		if (n <= 0) {
			dprintf(2, "runts-init: copy to memfd: %s\n", strerror(errno));
			_exit(1);
		}
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0) {
		dprintf(2, "runts-init: seal memfd: %s\n", strerror(errno));
		_exit(1);
	}
	close(self);
	fexecve(mfd, argv, environ);
	dprintf(2, "runts-init: exec sealed copy: %s\n", strerror(errno));
	_exit(1);
}

static void reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL); /* fails harmlessly for SIGKILL/SIGSTOP and reserved ones */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The next NUL-terminated field of the plan. */
static char *take_field(uint32_t *pos, uint32_t len)
{
	char *f = plan + *pos;
	char *end = *pos < len ? memchr(f, '\0', len - *pos) : NULL;
	if (!end)
		fail("plan", "", EINVAL, "truncated plan");
	*pos = (uint32_t)(end - plan) + 1;
	return f;
}

/* A field holding a decimal number (digits only). */
static uint32_t take_number(uint32_t *pos, uint32_t len)
{
	char *f = take_field(pos, len), *e;
	if (*f < '0' || *f > '9')
		fail("plan", "", EINVAL, "bad number in plan");
	errno = 0;
	unsigned long v = strtoul(f, &e, 10);
	if (*e != '\0' || errno || v > UINT32_MAX)
		fail("plan", "", EINVAL, "bad number in plan");
	return (uint32_t)v;
}

/*
 * Plan: u32 length, then NUL-terminated text fields: for each step its op
 * and its argc (decimal), then its argc arguments.
 */
static void read_plan(void)
{
	uint32_t len, pos = 0, nargs = 0;
	if (read(st.sync_fd, &len, 4) != 4 || len >= PLAN_MAX)
		fail("plan", "", EINVAL, "bad plan length");
	for (uint32_t got = 0; got < len;) {
		ssize_t r = read(st.sync_fd, plan + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			fail("plan", "", errno ? errno : EPIPE, "short plan");
		got += (uint32_t)r;
	}
	while (pos < len) {
		if (nsteps >= STEPS_MAX)
			fail("plan", "", E2BIG, "too many steps");
		struct step *s = &steps[nsteps++];
		s->op = take_number(&pos, len);
		s->argc = take_number(&pos, len);
		if (s->argc > ARGS_MAX - nargs)
			fail("plan", "", E2BIG, "too many arguments");
		s->argv = &args[nargs];
		for (uint32_t i = 0; i < s->argc; i++)
			args[nargs++] = take_field(&pos, len);
	}
}

static void need_args(const struct step *s, uint32_t n, const char *name)
{
	if (s->argc < n)
		fail(name, "", EINVAL, "missing step arguments");
}

int connect_unix(const char *path, const char *step)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path))
		fail(step, path, ENAMETOOLONG, NULL);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fail(step, path, errno, "connect");
	return fd;
}

static void op_setns(const char *type, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("setns", path, errno, type);
	if (setns(fd, (int)num(type, "setns")) < 0)
		fail("setns", path, errno, type);
	close(fd);
}

/* flags: the container process starts here; this process reports its pid and leaves. */
static void op_clone(const char *flags)
{
	/* With CLONE_PARENT the kernel wants exit_signal 0: the child inherits ours (SIGCHLD). */
	struct clone_args ca = { .flags = CLONE_PARENT | num(flags, "clone"), .exit_signal = 0 };
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		fail("clone", flags, errno, NULL);
	if (pid == 0)
		return;
	char buf[24];
	snprintf(buf, sizeof(buf), "%ld", pid);
	/* The pid first: whatever fails after this, runts knows which process to kill and reap. */
	const char *f[] = { "pid", buf };
	send_msg(f, 2);
	if (st.pidfd_fd >= 0) {
		int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (pidfd < 0)
			fail("pidfd-socket", buf, errno, "pidfd_open");
		send_fd(st.pidfd_fd, pidfd, "pidfd", "pidfd-socket");
	}
	_exit(0);
}

static void run_step(const struct step *s)
{
	char **a = s->argv;
	switch (s->op) {
	case OP_CONSOLE_SOCKET: need_args(s, 1, "console-socket"); st.console_fd = connect_unix(a[0], "console-socket"); break;
	case OP_PIDFD_SOCKET: need_args(s, 1, "pidfd-socket"); st.pidfd_fd = connect_unix(a[0], "pidfd-socket"); break;
	case OP_OPEN_FIFO:
		need_args(s, 1, "exec fifo");
		st.fifo_fd = open(a[0], O_RDWR | O_CLOEXEC);
		if (st.fifo_fd < 0)
			fail("exec fifo", a[0], errno, NULL);
		break;
	case OP_SETNS: need_args(s, 2, "setns"); op_setns(a[0], a[1]); break;
	case OP_UNSHARE:
		need_args(s, 1, "unshare");
		if (unshare((int)num(a[0], "unshare")) < 0)
			fail("unshare", a[0], errno, NULL);
		break;
	case OP_WRITE_FILE: need_args(s, 2, "write"); write_file(a[0], a[1], "write"); break;
	case OP_CLONE: need_args(s, 1, "clone"); op_clone(a[0]); break;
	case OP_OPEN_ROOT:
		need_args(s, 1, "rootfs");
		st.root_fd = open(a[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (st.root_fd < 0)
			fail("rootfs", a[0], errno, NULL);
		break;
	case OP_SYNC: need_args(s, 1, "sync"); sync_stage(a[0]); break;
	case OP_SET_IDS: need_args(s, 2, "setuid"); op_set_ids(s->argc, a); break;
	case OP_MOUNT: need_args(s, 7, "mount"); op_mount(a); break;
	case OP_MOUNT_HOST: need_args(s, 5, "mount"); op_mount_host(a); break;
	case OP_MKDIR: need_args(s, 2, "mkdir"); op_mkdir(a); break;
	case OP_MKFILE: need_args(s, 2, "mkfile"); op_mkfile(a); break;
	case OP_MKNOD: need_args(s, 5, "mknod"); op_mknod(a); break;
	case OP_SYMLINK: need_args(s, 2, "symlink"); op_symlink(a); break;
	case OP_PIVOT_ROOT: op_pivot_root(); break;
	case OP_MOVE_ROOT: op_move_root(); break;
	case OP_REMOUNT: need_args(s, 2, "remount"); op_remount(a); break;
	case OP_MASK: need_args(s, 1, "mask"); op_mask(a); break;
	case OP_READONLY: need_args(s, 1, "readonly"); op_readonly(a); break;
	case OP_HOSTNAME:
		need_args(s, 1, "hostname");
		if (sethostname(a[0], strlen(a[0])) < 0)
			fail("hostname", a[0], errno, NULL);
		break;
	case OP_DOMAINNAME:
		need_args(s, 1, "domainname");
		if (setdomainname(a[0], strlen(a[0])) < 0)
			fail("domainname", a[0], errno, NULL);
		break;
	case OP_RLIMIT: need_args(s, 4, "rlimit"); op_rlimit(a); break;
	case OP_UMASK: need_args(s, 1, "umask"); umask((mode_t)num(a[0], "umask")); break;
	case OP_CHDIR:
		need_args(s, 1, "cwd");
		if (chdir(a[0]) < 0)
			fail("cwd", a[0], errno, NULL);
		break;
	case OP_NO_NEW_PRIVS:
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			fail("no_new_privs", "", errno, NULL);
		break;
	case OP_CAPS: need_args(s, 5, "capabilities"); op_caps(a); break;
	case OP_TTY: need_args(s, 2, "console"); op_tty(a); break;
	case OP_PRESERVE_FDS: need_args(s, 1, "preserve fds"); op_preserve_fds(a); break;
	case OP_LOOKUP: need_args(s, 2, "exec"); op_lookup(a); break;
	case OP_WAIT_START: op_wait_start(); break;
	case OP_EXEC: need_args(s, 1, "exec"); op_exec(s->argc, a); break;
	case OP_SYSCTL: need_args(s, 2, "sysctl"); write_file(a[0], a[1], "sysctl"); break;
	case OP_PERSONALITY:
		need_args(s, 1, "personality");
		if (personality((unsigned long)num(a[0], "personality")) < 0)
			fail("personality", a[0], errno, NULL);
		break;
	case OP_SCHEDULER: need_args(s, 8, "scheduler"); op_scheduler(a); break;
	case OP_IOPRIO:
		need_args(s, 1, "io priority");
		if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)num(a[0], "io priority")) < 0)
			fail("io priority", a[0], errno, NULL);
		break;
	case OP_AFFINITY: op_affinity(s->argc, a); break;
	case OP_HOOK: need_args(s, 4, "hook"); op_hook(s->argc, a); break;
	case OP_MOUNT_SETATTR: need_args(s, 4, "mount_setattr"); op_mount_setattr(a); break;
	case OP_COPYUP: need_args(s, 1, "tmpcopyup"); op_copyup(a); break;
	case OP_COPYUP_DONE: need_args(s, 1, "tmpcopyup"); op_copyup_done(a); break;
	case OP_IDMAP_MOUNT: need_args(s, 4, "idmap mount"); op_idmap_mount(a); break;
	case OP_HOME: need_args(s, 1, "home"); op_home(a); break;
	case OP_KEYRING:
		need_args(s, 1, "keyring");
		if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, a[0]) < 0 && errno != ENOSYS)
			fail("keyring", a[0], errno, "join session keyring");
		break;
	default: {
		char op[16];
		snprintf(op, sizeof(op), "%u", s->op);
		fail("plan", op, EINVAL, "unknown step");
	}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		dprintf(2, "runts-init is started by runts, not by hand\n");
		return 2;
	}
	ensure_sealed(argv);
	st.sync_fd = atoi(argv[1]);
	if (fcntl(st.sync_fd, F_SETFD, FD_CLOEXEC) < 0) {
		dprintf(2, "runts-init: sync fd %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	reset_signals();
	umask(0);
	read_plan();
	for (uint32_t i = 0; i < nsteps; i++)
		run_step(&steps[i]);
	fail("plan", "", EINVAL, "plan ended without exec");
}
