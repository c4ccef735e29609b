/*
 * Hooks run by the container process itself (createContainer before the
 * pivot, startContainer after start): fork, give the hook the state JSON on
 * stdin, collect what it prints, kill it when its timeout passes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define HOOK_ARGS 4096
static char *hook_argv[HOOK_ARGS + 1], *hook_envp[HOOK_ARGS + 1];
static char output[2048];

static void hook_child(int in, int out, const char *path)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	execve(path, hook_argv, hook_envp);
	dprintf(2, "exec %s: %s", path, strerror(errno));
	_exit(127);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* state(0 creating, 1 created) timeout(seconds, 0 = none) path argc argv... env... */
void op_hook(uint32_t argc, char **a)
{
	const char *state = st.hook_state[num(a[0], "hook") ? 1 : 0];
	uint64_t timeout = num(a[1], "hook");
	const char *path = a[2];
	uint32_t n = (uint32_t)num(a[3], "hook"), i, k = 0;
	for (i = 0; i < n && 4 + i < argc && i < HOOK_ARGS; i++)
		hook_argv[i] = a[4 + i];
	hook_argv[i] = NULL;
	for (i = 4 + n; i < argc && k < HOOK_ARGS; i++)
		hook_envp[k++] = a[i];
	hook_envp[k] = NULL;

	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		fail("hook", path, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		fail("hook", path, errno, "fork");
	if (pid == 0)
		hook_child(in[0], out[1], path);
	close(in[0]);
	close(out[1]);
	/* The state is small; a hook that does not read it must not block us. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (write(in[1], state, strlen(state)) < 0 && errno != EAGAIN && errno != EPIPE)
		fail("hook", path, errno, "write state");
	close(in[1]);

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		fail("hook", path, errno, "pidfd_open");
	size_t used = 0;
	int status = 0, out_open = 1;
	/* One deadline for the whole run: output must not restart the clock. */
	int64_t deadline = timeout ? now_ms() + (int64_t)timeout * 1000 : -1;
	for (;;) {
		struct pollfd fds[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = out[0], .events = POLLIN } };
		int64_t left = deadline < 0 ? -1 : deadline - now_ms();
		int r = left == 0 || (deadline >= 0 && left < 0) ? 0 : poll(fds, out_open ? 2 : 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail("hook", path, ETIMEDOUT, "killed after its timeout");
		}
		if (out_open && (fds[1].revents & (POLLIN | POLLHUP))) {
			char buf[512];
			ssize_t got = read(out[0], buf, sizeof(buf));
			if (got <= 0) {
				out_open = 0;
			} else if (used < sizeof(output) - 1) {
				size_t take = (size_t)got < sizeof(output) - 1 - used ? (size_t)got : sizeof(output) - 1 - used;
				memcpy(output + used, buf, take);
				used += take;
			}
		}
		if (fds[0].revents & POLLIN)
			break;
	}
	if (waitpid(pid, &status, 0) < 0)
		fail("hook", path, errno, "wait");
	close(pidfd);
	close(out[0]);
	output[used] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	char detail[sizeof(output) + 64];
	if (WIFSIGNALED(status))
		snprintf(detail, sizeof(detail), "killed by signal %d: %s", WTERMSIG(status), output);
	else
		snprintf(detail, sizeof(detail), "exit status %d: %s", WEXITSTATUS(status), output);
	fail("hook", path, 0, detail);
}
