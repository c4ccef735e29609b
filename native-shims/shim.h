/* Shared declarations of the runts-init executor. */
#ifndef RUNTS_SHIM_H
#define RUNTS_SHIM_H

#include <stdint.h>
#include <stddef.h>

struct step {
	uint32_t op;
	uint32_t argc;
	char **argv;
};

/* Descriptors the steps share; -1 when not open. */
struct shim_state {
	int sync_fd;     /* socket to runts: messages both ways */
	int root_fd;     /* O_PATH of the bind-mounted rootfs */
	int console_fd;  /* connected --console-socket */
	int pidfd_fd;    /* connected --pidfd-socket */
	int fifo_fd;     /* exec fifo, O_RDWR: WAIT_START reads one byte from it */
	const char *exe; /* executable found by LOOKUP */
	char hook_state[2][32768]; /* state JSON (creating, created) runts sent with the ready ack */
	char home[4096];           /* "HOME=..." for EXEC when the plan asked for it, else "" */
};

extern struct shim_state st;

/* sync.c */
void send_msg(const char *const *fields, int n);
int recv_msg(char *buf, size_t size);
void sync_stage(const char *stage);
_Noreturn void fail(const char *step, const char *arg, int err, const char *detail);
uint64_t num(const char *s, const char *step);
int64_t snum(const char *s, const char *step);

/* fs.c: paths inside the container root */
int open_in_root(const char *path, int flags, const char *step);
void op_mkdir(char **a);
void op_mkfile(char **a);
void op_mknod(char **a);
void op_symlink(char **a);
void op_mount(char **a);
void op_mount_host(char **a);
void op_pivot_root(void);
void op_move_root(void);
void op_remount(char **a);
void op_mask(char **a);
void op_readonly(char **a);

/* proc.c: process attributes and exec */
void send_fd(int sock, int fd, const char *name, const char *step);
int connect_unix(const char *path, const char *step);
void op_set_ids(uint32_t argc, char **a);
void op_caps(char **a);
void op_rlimit(char **a);
void op_tty(char **a);
void op_preserve_fds(char **a);
void op_lookup(char **a);
void op_wait_start(void);
_Noreturn void op_exec(uint32_t argc, char **a);
void write_file(const char *path, const char *data, const char *step);
void op_scheduler(char **a);
void op_affinity(uint32_t argc, char **a);
void op_hook(uint32_t argc, char **a);
void op_home(char **a);

/* mountattr.c */
void op_mount_setattr(char **a);
void op_idmap_mount(char **a);

/* copyup.c */
void op_copyup(char **a);
void op_copyup_done(char **a);

#endif
