/*
 * Messages between runts and the shim over the sync socket. A message is a
 * 32-bit length followed by NUL-separated fields; the first field names it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

static char msgbuf[65536];

static void write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(st.sync_fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(120);
		p += w;
		n -= (size_t)w;
	}
}

static int read_all(char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(st.sync_fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

void send_msg(const char *const *fields, int n)
{
	uint32_t len = 0;
	for (int i = 0; i < n; i++) {
		size_t l = strnlen(fields[i], 4096);
		if (len + l + 1 > sizeof(msgbuf))
			break;
		memcpy(msgbuf + sizeof(len) + len, fields[i], l);
		len += (uint32_t)l;
		msgbuf[sizeof(len) + len++] = '\0';
	}
	memcpy(msgbuf, &len, sizeof(len));
	write_all(msgbuf, sizeof(len) + len);
}

/* Read one message into buf (NUL-terminated fields); returns its length or -1. */
int recv_msg(char *buf, size_t size)
{
	uint32_t len;
	if (read_all((char *)&len, sizeof(len)) < 0 || len >= size)
		return -1;
	if (read_all(buf, len) < 0)
		return -1;
	buf[len] = '\0';
	return (int)len;
}

/*
 * Tell runts we reached a stage and wait for "ack"; anything else ends us
 * quietly. An ack may carry state JSONs for the hooks to come, one per field.
 */
void sync_stage(const char *stage)
{
	const char *f[] = { "sync", stage };
	static char reply[sizeof(st.hook_state) + 8];
	send_msg(f, 2);
	int n = recv_msg(reply, sizeof(reply));
	if (n < 0 || strcmp(reply, "ack") != 0)
		_exit(121);
	const char *p = reply + 4, *end = reply + n;
	for (int i = 0; i < 2 && p < end; i++) {
		size_t len = strnlen(p, (size_t)(end - p));
		if (len >= sizeof(st.hook_state[i]))
			fail("sync", stage, E2BIG, "hook state too large");
		memcpy(st.hook_state[i], p, len);
		st.hook_state[i][len] = '\0';
		p += len + 1;
	}
}

/* Report a failed step to runts and exit; runts turns it into the error line. */
_Noreturn void fail(const char *step, const char *arg, int err, const char *detail)
{
	char errbuf[16];
	snprintf(errbuf, sizeof(errbuf), "%d", err);
	const char *f[] = { "error", step, arg ? arg : "", errbuf, detail ? detail : "" };
	if (st.sync_fd < 0) {
		/* After start nobody listens on the sync socket: tell the container's stderr. */
		dprintf(2, "runts: %s %s: %s%s%s\n", step, arg ? arg : "", err ? strerror(err) : "failed",
			detail ? ": " : "", detail ? detail : "");
		_exit(1);
	}
	send_msg(f, 5);
	_exit(1);
}

/* Signed decimal number from the plan. */
int64_t snum(const char *s, const char *step)
{
	if (s[0] == '-')
		return -(int64_t)num(s + 1, step);
	return (int64_t)num(s, step);
}

/* Decimal (or 0x hex, 0 octal) unsigned number from the plan. */
uint64_t num(const char *s, const char *step)
{
	uint64_t v = 0;
	int base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		base = 8;
		s++;
	}
	if (*s == '\0')
		fail(step, s, EINVAL, "bad number in plan");
	for (; *s; s++) {
		int d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			d = 99;
		if (d >= base)
			fail(step, s, EINVAL, "bad number in plan");
		v = v * (uint64_t)base + (uint64_t)d;
	}
	return v;
}
