/*
 * Filesystem steps. Every path inside the container root is resolved with
 * openat2(RESOLVE_IN_ROOT) from the rootfs descriptor, so a symlink placed in
 * the rootfs can never lead out of it; mounts target /proc/self/fd/N of the
 * resolved descriptor, never a joined string.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim.h"

#define PATH_BUF 4096

int open_in_root(const char *path, int flags, const char *step)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	if (st.root_fd < 0)
		fail(step, path, EBADF, "no root opened");
	int fd;
	do
		fd = (int)syscall(SYS_openat2, st.root_fd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN);
	return fd;
}

static void fd_path(char *buf, int fd)
{
	snprintf(buf, 64, "/proc/self/fd/%d", fd);
}

/*
 * Split "/a/b/c" into the parent "/a/b" (resolved in root, created when
 * missing) and the last name "c". Returns the parent's descriptor.
 */
static int open_parent(const char *path, char *name, const char *step)
{
	char parent[PATH_BUF];
	const char *slash = strrchr(path, '/');
	if (!slash || strlen(path) >= PATH_BUF || slash[1] == '\0')
		fail(step, path, EINVAL, "path has no last component");
	size_t plen = (size_t)(slash - path);
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	if (plen == 0)
		strcpy(parent, "/");
	strcpy(name, slash + 1);
	char *mk[] = { parent, "0755" };
	op_mkdir(mk);
	int fd = open_in_root(parent, O_PATH | O_DIRECTORY, step);
	if (fd < 0)
		fail(step, parent, errno, NULL);
	return fd;
}

/* mkdir -p inside the root: each missing component is made in its resolved parent. */
void op_mkdir(char **a)
{
	const char *path = a[0];
	mode_t mode = (mode_t)num(a[1], "mkdir");
	char prefix[PATH_BUF];
	size_t len = strlen(path);
	if (len >= PATH_BUF)
		fail("mkdir", path, ENAMETOOLONG, NULL);
	int parent = open_in_root("/", O_PATH | O_DIRECTORY, "mkdir");
	if (parent < 0)
		fail("mkdir", "/", errno, NULL);
	size_t i = 0;
	while (i < len) {
		while (i < len && path[i] == '/')
			i++;
		size_t start = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == start)
			break;
		memcpy(prefix, path, i);
		prefix[i] = '\0';
		int fd = open_in_root(prefix, O_PATH | O_DIRECTORY, "mkdir");
		if (fd < 0 && errno == ENOENT) {
			char name[256];
			size_t nlen = i - start;
			if (nlen >= sizeof(name))
				fail("mkdir", prefix, ENAMETOOLONG, NULL);
			memcpy(name, path + start, nlen);
			name[nlen] = '\0';
			if (mkdirat(parent, name, mode) < 0 && errno != EEXIST)
				fail("mkdir", prefix, errno, NULL);
			fd = open_in_root(prefix, O_PATH | O_DIRECTORY, "mkdir");
		}
		if (fd < 0)
			fail("mkdir", prefix, errno, NULL);
		close(parent);
		parent = fd;
	}
	close(parent);
}

/* An empty file to bind a file onto; an existing entry (followed within the root) is kept. */
void op_mkfile(char **a)
{
	int fd = open_in_root(a[0], O_PATH, "mkfile");
	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno != ENOENT)
		fail("mkfile", a[0], errno, NULL);
	char name[256];
	int dir = open_parent(a[0], name, "mkfile");
	fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, (mode_t)num(a[1], "mkfile"));
	if (fd < 0)
		fail("mkfile", a[0], errno, NULL);
	close(fd);
	close(dir);
}

void op_mknod(char **a)
{
	char name[256];
	mode_t mode = (mode_t)num(a[1], "mknod");
	dev_t dev = (dev_t)num(a[2], "mknod");
	uid_t uid = (uid_t)num(a[3], "mknod");
	gid_t gid = (gid_t)num(a[4], "mknod");
	int dir = open_parent(a[0], name, "mknod");
	struct stat sb;
	if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(sb.st_mode))
			fail("mknod", a[0], EISDIR, NULL);
		if (unlinkat(dir, name, 0) < 0)
			fail("mknod", a[0], errno, NULL);
	}
	if (mknodat(dir, name, mode, dev) < 0)
		fail("mknod", a[0], errno, NULL);
	if (fchmodat(dir, name, mode & 07777, 0) < 0 ||
	    fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		fail("mknod", a[0], errno, NULL);
	close(dir);
}

void op_symlink(char **a)
{
	char name[256];
	int dir = open_parent(a[1], name, "symlink");
	if (symlinkat(a[0], dir, name) < 0 && errno != EEXIST)
		fail("symlink", a[1], errno, NULL);
	close(dir);
}

/* Flags a bind remount must keep because the kernel locks them on the mount. */
static unsigned long locked_flags(const char *target)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(target, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

static void remount_target(const char *step, const char *shown, const char *target, unsigned long flags)
{
	unsigned long base = MS_REMOUNT | MS_BIND | flags;
	if (mount(NULL, target, NULL, base, NULL) == 0)
		return;
	if (errno != EPERM || mount(NULL, target, NULL, base | locked_flags(target), NULL) < 0)
		fail(step, shown, errno, "remount");
}

/* Resolve a destination inside the root; target becomes its /proc/self/fd path. */
static int resolve_target(const char *dest, char *target, const char *why)
{
	int fd = open_in_root(dest, O_PATH, "mount");
	if (fd < 0)
		fail("mount", dest, errno, why);
	fd_path(target, fd);
	return fd;
}

/*
 * src dest fstype flags data remount_flags propagation_flags; dest is inside
 * the root. An empty source and type with no flags mounts nothing: only the
 * remount and propagation flags are applied to what is there (idmapped mounts).
 */
void op_mount(char **a)
{
	char target[64];
	unsigned long flags = (unsigned long)num(a[3], "mount");
	unsigned long rflags = (unsigned long)num(a[5], "mount");
	unsigned long pflags = (unsigned long)num(a[6], "mount");
	int fd;
	if (a[0][0] || a[2][0] || flags) {
		fd = resolve_target(a[1], target, "resolve destination");
		if (mount(a[0], target, a[2][0] ? a[2] : NULL, flags, a[4][0] ? a[4] : NULL) < 0)
			fail("mount", a[1], errno, a[2]);
		close(fd);
	}
	if (!rflags && !pflags)
		return;
	/* A new mount hides what fd pointed at: resolve again to reach it. */
	fd = resolve_target(a[1], target, "resolve mounted destination");
	if (rflags)
		remount_target("mount", a[1], target, rflags);
	if (pflags && mount(NULL, target, NULL, pflags, NULL) < 0)
		fail("mount", a[1], errno, "propagation");
	close(fd);
}

/* src target fstype flags data on a host path (root propagation, the rootfs bind). */
void op_mount_host(char **a)
{
	if (mount(a[0][0] ? a[0] : NULL, a[1], a[2][0] ? a[2] : NULL, (unsigned long)num(a[3], "mount"),
		  a[4][0] ? a[4] : NULL) < 0)
		fail("mount", a[1], errno, NULL);
}

void op_pivot_root(void)
{
	int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old_root < 0 || fchdir(st.root_fd) < 0)
		fail("pivot_root", "", errno, "chdir to rootfs");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		fail("pivot_root", "", errno, NULL);
	/*
	 * The old root is now stacked on the new one. Work on it through its own
	 * descriptor (what "." means here is not promised by the kernel), and make
	 * it rslave so that detaching it does not reach the host.
	 */
	if (fchdir(old_root) < 0)
		fail("pivot_root", "", errno, "chdir to the old root");
	close(old_root);
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		fail("pivot_root", "", errno, "make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		fail("pivot_root", "", errno, "detach old root");
	if (chdir("/") < 0)
		fail("pivot_root", "/", errno, NULL);
	close(st.root_fd);
	st.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void op_move_root(void)
{
	if (fchdir(st.root_fd) < 0)
		fail("move root", "", errno, "chdir to rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		fail("move root", "/", errno, NULL);
	if (chroot(".") < 0 || chdir("/") < 0)
		fail("chroot", "/", errno, NULL);
	close(st.root_fd);
	st.root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* path flags: remount a mount inside the root (before or after the pivot) with flags. */
void op_remount(char **a)
{
	char target[64];
	int fd = open_in_root(a[0], O_PATH, "remount");
	if (fd < 0)
		fail("remount", a[0], errno, "resolve");
	fd_path(target, fd);
	remount_target("remount", a[0], target, (unsigned long)num(a[1], "remount"));
	close(fd);
}

/*
 * Hide a path of the new root: /dev/null over a file, an empty read-only
 * tmpfs over a directory; a missing path is skipped. The path itself must not
 * be a symlink (it would hide something else), and /dev/null must be the real
 * null device, not a file the rootfs placed there.
 */
void op_mask(char **a)
{
	struct stat sb, null_sb;
	if (lstat(a[0], &sb) < 0) {
		if (errno == ENOENT)
			return;
		fail("mask", a[0], errno, NULL);
	}
	if (S_ISLNK(sb.st_mode))
		fail("mask", a[0], ELOOP, "masked path is a symlink");
	if (S_ISDIR(sb.st_mode)) {
		if (mount("tmpfs", a[0], "tmpfs", MS_RDONLY, "size=0k,mode=0555") < 0)
			fail("mask", a[0], errno, NULL);
		return;
	}
	if (lstat("/dev/null", &null_sb) < 0 || !S_ISCHR(null_sb.st_mode) || null_sb.st_rdev != makedev(1, 3))
		fail("mask", "/dev/null", ENODEV, "not the null device");
	if (mount("/dev/null", a[0], NULL, MS_BIND, NULL) < 0)
		fail("mask", a[0], errno, NULL);
}

void op_readonly(char **a)
{
	if (mount(a[0], a[0], NULL, MS_BIND | MS_REC, NULL) < 0) {
		if (errno == ENOENT)
			return;
		fail("readonly", a[0], errno, NULL);
	}
	remount_target("readonly", a[0], a[0], MS_RDONLY);
}
