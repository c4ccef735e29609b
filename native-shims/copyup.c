/*
 * tmpcopyup: a tmpfs mounted over a directory of the rootfs starts with a
 * copy of what it covers (Podman uses it for /etc, /var/tmp, ...). COPYUP
 * keeps a descriptor of the directory before the mount; COPYUP_DONE copies
 * from it into the new tmpfs, descriptor to descriptor, never following a
 * symlink.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

#define COPY_DEPTH 32
static int covered_fd = -1;
static char linkbuf[4096];
static char iobuf[65536];
/* getdents64(2) records, the same with glibc and musl. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* One directory-listing buffer per level: no allocation after clone. */
static char dents[COPY_DEPTH + 1][8192];

void op_copyup(char **a)
{
	covered_fd = open_in_root(a[0], O_RDONLY | O_DIRECTORY, "tmpcopyup");
	if (covered_fd < 0)
		fail("tmpcopyup", a[0], errno, NULL);
}

static void copy_file(int from_dir, int to_dir, const char *name, const struct stat *sb, const char *shown)
{
	int in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, sb->st_mode & 07777);
	if (in < 0 || out < 0)
		fail("tmpcopyup", shown, errno, name);
	for (;;) {
		ssize_t n = read(in, iobuf, sizeof(iobuf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("tmpcopyup", shown, errno, name);
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, iobuf + off, (size_t)(n - off));
			if (w < 0)
				fail("tmpcopyup", shown, errno, name);
			off += w;
		}
	}
	close(in);
	close(out);
}

/* Copy one directory's entries; one listing buffer per depth level. */
static void copy_entry(int from_dir, int to_dir, const char *name, int depth, const char *shown);

static void copy_tree(int from_dir, int to_dir, int depth, const char *shown)
{
	if (depth > COPY_DEPTH)
		fail("tmpcopyup", shown, ELOOP, "directory tree too deep");
	ssize_t got;
	while ((got = syscall(SYS_getdents64, from_dir, dents[depth], sizeof(dents[depth]))) > 0) {
		for (ssize_t pos = 0; pos < got;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(dents[depth] + pos);
			pos += e->d_reclen;
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				copy_entry(from_dir, to_dir, e->d_name, depth, shown);
		}
	}
	if (got < 0)
		fail("tmpcopyup", shown, errno, "read directory");
}

static void copy_entry(int from_dir, int to_dir, const char *name, int depth, const char *shown)
{
	struct stat sb;
	if (fstatat(from_dir, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		fail("tmpcopyup", shown, errno, name);
	if (S_ISDIR(sb.st_mode)) {
		if (mkdirat(to_dir, name, sb.st_mode & 07777) < 0)
			fail("tmpcopyup", shown, errno, name);
		int sub_from = openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int sub_to = openat(to_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_from < 0 || sub_to < 0)
			fail("tmpcopyup", shown, errno, name);
		copy_tree(sub_from, sub_to, depth + 1, shown);
		close(sub_from);
		close(sub_to);
	} else if (S_ISLNK(sb.st_mode)) {
		ssize_t n = readlinkat(from_dir, name, linkbuf, sizeof(linkbuf) - 1);
		if (n < 0)
			fail("tmpcopyup", shown, errno, name);
		linkbuf[n] = '\0';
		if (symlinkat(linkbuf, to_dir, name) < 0)
			fail("tmpcopyup", shown, errno, name);
	} else if (S_ISREG(sb.st_mode)) {
		copy_file(from_dir, to_dir, name, &sb, shown);
	} else if (mknodat(to_dir, name, sb.st_mode, sb.st_rdev) < 0) {
		fail("tmpcopyup", shown, errno, name);
	}
	if (fchownat(to_dir, name, sb.st_uid, sb.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail("tmpcopyup", shown, errno, name);
}

void op_copyup_done(char **a)
{
	int to = open_in_root(a[0], O_RDONLY | O_DIRECTORY, "tmpcopyup");
	if (to < 0 || covered_fd < 0)
		fail("tmpcopyup", a[0], to < 0 ? errno : EBADF, NULL);
	copy_tree(covered_fd, to, 0, a[0]);
	close(to);
	close(covered_fd);
	covered_fd = -1;
}
