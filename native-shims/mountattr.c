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

/*
 * src dest userns_path recursive: clone the source tree, shift its ids
 * through the user namespace runts prepared with the mount's mappings
 * (MOUNT_ATTR_IDMAP), and attach it at dest inside the root.
 */
void op_idmap_mount(char **a)
{
	int recursive = num(a[3], "idmap mount") != 0;
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, a[0], OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (tree < 0)
		fail("idmap mount", a[0], errno, "open_tree");
	int userns = open(a[2], O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		fail("idmap mount", a[2], errno, "open user namespace");
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
		fail("idmap mount", a[1], errno, "mount_setattr");
	int target = open_in_root(a[1], O_PATH, "idmap mount");
	if (target < 0)
		fail("idmap mount", a[1], errno, "resolve destination");
	if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail("idmap mount", a[1], errno, "move_mount");
	close(target);
	close(userns);
	close(tree);
}
