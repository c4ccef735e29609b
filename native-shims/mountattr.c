/*
 * mount_setattr(2) for recursive mount options (rro, rnosuid, ...) and
 * recursive propagation. Kept apart: <linux/mount.h> clashes with <sys/mount.h>.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

void op_mount_setattr(char **a)
{
	struct mount_attr attr = {
		.attr_set = num(a[1], "mount_setattr"),
		.attr_clr = num(a[2], "mount_setattr"),
		.propagation = num(a[3], "mount_setattr"),
	};
	int fd = open_in_root(a[0], O_PATH, "mount_setattr");
	if (fd < 0)
		fail("mount_setattr", a[0], errno, "resolve");
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0)
		fail("mount_setattr", a[0], errno, NULL);
	close(fd);
}
