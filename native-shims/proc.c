/* Process steps: identity, capabilities, limits, terminal, descriptors, exec. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "shim.h"

#define MAX_GROUPS 65536
static gid_t groups[MAX_GROUPS];
static char exe_buf[4096];

void write_file(const char *path, const char *data, const char *step)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail(step, path, errno, NULL);
	size_t n = strlen(data);
	if (write(fd, data, n) != (ssize_t)n)
		fail(step, path, errno, data);
	close(fd);
}

/* uid gid [gid...]: keep capabilities across the switch; OP_CAPS sets them after. */
void op_set_ids(uint32_t argc, char **a)
{
	uid_t uid = (uid_t)num(a[0], "setuid");
	gid_t gid = (gid_t)num(a[1], "setgid");
	size_t n = 0;
	for (uint32_t i = 2; i < argc && n < MAX_GROUPS; i++)
		groups[n++] = (gid_t)num(a[i], "setgroups");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail("setuid", a[0], errno, "keep capabilities");
	if (setgroups(n, groups) < 0)
		fail("setgroups", a[1], errno, NULL);
	if (setresgid(gid, gid, gid) < 0)
		fail("setgid", a[1], errno, NULL);
	if (setresuid(uid, uid, uid) < 0)
		fail("setuid", a[0], errno, NULL);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		fail("setuid", a[0], errno, "clear keep capabilities");
}

static void capset_masks(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		fail("capabilities", "capset", errno, NULL);
}

/* bounding effective permitted inheritable ambient: masks of capability numbers. */
void op_caps(char **a)
{
	uint64_t bounding = num(a[0], "capabilities"), eff = num(a[1], "capabilities");
	uint64_t perm = num(a[2], "capabilities"), inh = num(a[3], "capabilities");
	uint64_t ambient = num(a[4], "capabilities");
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct cur[2];
	if (syscall(SYS_capget, &hdr, cur) < 0)
		fail("capabilities", "capget", errno, NULL);
	/* After setuid the effective set is empty: raise it to drop the bounding set. */
	uint64_t have = (uint64_t)cur[0].permitted | ((uint64_t)cur[1].permitted << 32);
	uint64_t inh_now = (uint64_t)cur[0].inheritable | ((uint64_t)cur[1].inheritable << 32);
	capset_masks(have, have, inh_now);
	for (int cap = 0; cap < 64; cap++) {
		if (bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			fail("capabilities", "bounding", errno, NULL);
	}
	capset_masks(eff, perm, inh);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail("capabilities", "ambient", errno, NULL);
	for (int cap = 0; cap < 64; cap++) {
		if ((ambient & (1ULL << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
			fail("capabilities", "ambient", errno, NULL);
	}
}

/* resource soft hard name */
void op_rlimit(char **a)
{
	struct rlimit rl = { .rlim_cur = num(a[1], "rlimit"), .rlim_max = num(a[2], "rlimit") };
	if (setrlimit((int)num(a[0], "rlimit"), &rl) < 0)
		fail("rlimit", a[3], errno, NULL);
}

/* The uapi struct sched_attr (linux/sched/types.h clashes with glibc's sched.h). */
struct runts_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};

/* policy flags nice priority runtime deadline period description(for errors) */
void op_scheduler(char **a)
{
	struct runts_sched_attr attr = {
		.size = sizeof(attr),
		.sched_policy = (uint32_t)num(a[0], "scheduler"),
		.sched_flags = num(a[1], "scheduler"),
		.sched_nice = (int32_t)snum(a[2], "scheduler"),
		.sched_priority = (uint32_t)num(a[3], "scheduler"),
		.sched_runtime = num(a[4], "scheduler"),
		.sched_deadline = num(a[5], "scheduler"),
		.sched_period = num(a[6], "scheduler"),
	};
	if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0)
		fail("scheduler", a[7], errno, "sched_setattr");
}

/* cpu...: the CPUs this process may run on */
void op_affinity(uint32_t argc, char **a)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	for (uint32_t i = 0; i < argc; i++) {
		uint64_t cpu = num(a[i], "cpu affinity");
		if (cpu >= CPU_SETSIZE)
			fail("cpu affinity", a[i], EINVAL, "cpu number too large");
		CPU_SET((int)cpu, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		fail("cpu affinity", "", errno, NULL);
}

/* Send a descriptor over a connected AF_UNIX socket with SCM_RIGHTS, `name` as the data (as runc). */
void send_fd(int sock, int fd, const char *name, const char *step)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	memset(cbuf, 0, sizeof(cbuf));
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) < 0)
		fail(step, name, errno, "sendmsg");
}

/* rows cols: a pty from the container's devpts becomes its controlling terminal and stdio. */
void op_tty(char **a)
{
	char slave_path[64], fdno[16];
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		fail("console", "/dev/ptmx", errno, NULL);
	int unlock = 0, ptn = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &ptn) < 0)
		fail("console", "/dev/ptmx", errno, "unlock pty");
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		fail("console", "/dev/ptmx", errno, "open pty slave");
	snprintf(slave_path, sizeof(slave_path), "/dev/pts/%d", ptn);
	struct winsize ws = { .ws_row = (unsigned short)num(a[0], "console"), .ws_col = (unsigned short)num(a[1], "console") };
	if (ws.ws_row && ws.ws_col && ioctl(slave, TIOCSWINSZ, &ws) < 0)
		fail("console", slave_path, errno, "set window size");
	if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0 && errno != ENOENT)
		fail("console", "/dev/console", errno, NULL);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
		fail("console", slave_path, errno, "make controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			fail("console", slave_path, errno, "dup to stdio");
	if (slave > 2)
		close(slave);
	if (st.console_fd >= 0) {
		send_fd(st.console_fd, master, slave_path, "console");
		close(st.console_fd);
		st.console_fd = -1;
	} else {
		/* runts copies the master out of us with pidfd_getfd, then acks. */
		snprintf(fdno, sizeof(fdno), "%d", master);
		const char *f[] = { "pty", fdno };
		char reply[64];
		send_msg(f, 2);
		if (recv_msg(reply, sizeof(reply)) < 0 || strcmp(reply, "ack") != 0)
			_exit(121);
	}
	close(master);
}

/* count: fds 3..3+count-1 are passed on; every other descriptor above 2 closes on exec. */
void op_preserve_fds(char **a)
{
	unsigned int count = (unsigned int)num(a[0], "preserve fds");
	for (unsigned int fd = 3; fd < 3 + count; fd++) {
		int fl = fcntl((int)fd, F_GETFD);
		if (fl >= 0 && fcntl((int)fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
			fail("preserve fds", "", errno, NULL);
	}
	if (syscall(SYS_close_range, 3 + count, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		fail("close fds", "", errno, NULL);
}

static int is_executable(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, X_OK) == 0;
}

/* file PATH: find the executable as execvp would, so a missing one fails create, not start. */
void op_lookup(char **a)
{
	const char *file = a[0], *path = a[1];
	char detail[256];
	if (strchr(file, '/')) {
		struct stat sb;
		if (stat(file, &sb) < 0)
			fail("exec", file, errno, "stat");
		if (!S_ISREG(sb.st_mode) || access(file, X_OK) < 0)
			fail("exec", file, EACCES, "not an executable file");
		st.exe = file;
		return;
	}
	for (const char *p = path; *p;) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);
		if (dlen == 0) {
			dlen = 1;
			p = ".";
		}
		if (dlen + strlen(file) + 2 < sizeof(exe_buf)) {
			memcpy(exe_buf, p, dlen);
			exe_buf[dlen] = '/';
			strcpy(exe_buf + dlen + 1, file);
			if (is_executable(exe_buf)) {
				st.exe = exe_buf;
				return;
			}
		}
		p = *end ? end + 1 : end;
	}
	snprintf(detail, sizeof(detail), "executable file not found in $PATH");
	fail("exec", file, 0, detail);
}

/* Report "created" and block on the exec fifo until runts start writes to it. */
void op_wait_start(void)
{
	const char *f[] = { "created" };
	char b;
	send_msg(f, 1);
	close(st.sync_fd);
	st.sync_fd = -1;
	ssize_t r;
	do
		r = read(st.fifo_fd, &b, 1);
	while (r < 0 && errno == EINTR);
	if (r != 1)
		_exit(122);
	close(st.fifo_fd);
	st.fifo_fd = -1;
}

/*
 * uid: HOME for a process whose environment has none, from the container's
 * /etc/passwd (read after the pivot), "/" when the uid is not listed (runc).
 */
void op_home(char **a)
{
	static char passwd[65536];
	const char *uid = a[0], *home = "/";
	size_t uid_len = strlen(uid);
	int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, passwd, sizeof(passwd) - 1);
	if (fd >= 0)
		close(fd);
	passwd[n > 0 ? n : 0] = '\0';
	for (char *line = passwd; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* name:password:uid:gid:gecos:home:shell */
		char *f[7] = { line };
		int k = 1;
		for (char *p = line; *p && k < 7; p++)
			if (*p == ':') {
				*p = '\0';
				f[k++] = p + 1;
			}
		if (k == 7 && strlen(f[2]) == uid_len && !strcmp(f[2], uid) && f[5][0]) {
			home = f[5];
			break;
		}
		line = next;
	}
	snprintf(st.home, sizeof(st.home), "HOME=%s", home);
}

/* argc argv... env...: the user process replaces us. */
_Noreturn void op_exec(uint32_t argc, char **a)
{
	uint32_t n = (uint32_t)num(a[0], "exec");
	static char *argv[65536], *envp[65536];
	uint32_t i, k = 0;
	for (i = 0; i < n && i + 1 < argc && i < 65535; i++)
		argv[i] = a[1 + i];
	argv[i] = NULL;
	for (i = 1 + n; i < argc && k < 65534; i++)
		envp[k++] = a[i];
	if (st.home[0])
		envp[k++] = st.home;
	envp[k] = NULL;
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(st.exe ? st.exe : argv[0], argv, envp);
	if (st.sync_fd >= 0)
		fail("exec", st.exe ? st.exe : argv[0], errno, NULL);
	dprintf(2, "runts: exec %s: %s\n", st.exe ? st.exe : argv[0], strerror(errno));
	_exit(127);
}
