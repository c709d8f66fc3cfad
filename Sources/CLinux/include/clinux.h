// CLinux: the syscalls and macros Swift cannot reach through the Glibc module map (variadic calls, missing
// wrappers, CMSG/ioctl macros). One tr_-prefixed function per call, no logic, no libc state. Every function
// returns what the kernel returns (-1 with errno set on failure) so Swift maps errno in one place.
#ifndef TAURUN_CLINUX_H
#define TAURUN_CLINUX_H

#include <stdint.h>
#include <sys/types.h>

// Namespaces and process creation.
// clone3 with optional CLONE_INTO_CGROUP (cgroup_fd >= 0) and CLONE_PIDFD (pidfd != NULL); returns 0 in the child
// like fork. Falls back to clone(2) when clone3 is missing (ENOSYS) and no cgroup fd was asked for.
pid_t tr_clone3(uint64_t flags, int cgroup_fd, int *pidfd);
int tr_unshare(int flags);
int tr_setns(int fd, int nstype);
// ioctl(NS_GET_NSTYPE): the CLONE_NEW* type of a namespace fd, or -1 (ENOTTY: not a namespace).
int tr_ns_get_type(int fd);
int tr_pivot_root(const char *new_root, const char *put_old);
int tr_pidfd_open(pid_t pid, unsigned int flags);
int tr_pidfd_send_signal(int pidfd, int sig);
int tr_close_range(unsigned int first, unsigned int last, unsigned int flags);
int tr_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5);
// Starts a helper that writes "0" into procs_path (a cgroup.procs file of the cgroup the caller is in: a no-op
// migration) so the RCU grace period a cgroup attach waits for begins now. Returns the helper's pid (reap it with
// waitpid) or -1. The helper's stack is static: start no second one before the first is reaped.
pid_t tr_cgroup_attach_warmup(const char *procs_path);

// Files.
// O_PATH is hidden behind _GNU_SOURCE in the Glibc module map.
enum { TR_O_PATH = 010000000 };
// statfs(2) f_flags of the mount holding path (ST_RDONLY, ST_NOSUID, ...), or -1.
long tr_statfs_flags(const char *path);
// statfs(2) f_type (the filesystem's magic, e.g. CGROUP2_SUPER_MAGIC) of the filesystem holding path, or -1.
long tr_statfs_type(const char *path);
// openat2 with RESOLVE_* flags so lookups stay inside a root (CVE-2021-30465 class).
int tr_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
int tr_open(const char *path, int flags, unsigned int mode);
int tr_openat(int dirfd, const char *path, int flags, unsigned int mode);
/* renameat2(RENAME_EXCHANGE) of two paths (Linux 3.15; ENOSYS/EINVAL where the filesystem cannot). */
int tr_rename_exchange(const char *a, const char *b);
int tr_fcntl_int(int fd, int cmd, int arg);
int tr_pipe_cloexec(int fds[2]);
int tr_mknod(const char *path, unsigned int mode, unsigned int major, unsigned int minor);
int tr_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set, uint64_t attr_clr,
                     uint64_t propagation);
// fstatfs(2) f_type (the filesystem's magic, e.g. PROC_SUPER_MAGIC 0x9fa0) of the filesystem holding fd, or -1.
long tr_fstatfs_type(int fd);
// The new mount API (Linux 5.2): a filesystem context, its creation, and a detached mount of it.
int tr_fsopen(const char *fstype, unsigned int flags);
int tr_fsconfig(int fsfd, unsigned int cmd, const char *key, const void *value, int aux);
int tr_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags);
// open_tree(2), move_mount(2) (Linux 5.2): detached copies of mounts and their attachment elsewhere.
int tr_open_tree(int dirfd, const char *path, unsigned int flags);
int tr_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags);
// mount_setattr(2) with MOUNT_ATTR_IDMAP: the mount shows file owners through the user namespace userns_fd.
int tr_mount_setattr_idmap(int dirfd, const char *path, unsigned int flags, int userns_fd);
// readlinkat(2); with path "" and an O_PATH fd on a symlink, reads that symlink. Returns the length (no NUL added).
long tr_readlinkat(int dirfd, const char *path, char *buf, size_t len);

// Credentials and limits (glibc's setgroups/setresuid live behind feature macros the module map hides).
int tr_setresuid(uid_t r, uid_t e, uid_t s);
int tr_setresgid(gid_t r, gid_t e, gid_t s);
int tr_setgroups(size_t n, const gid_t *groups);
int tr_setrlimit(int resource, uint64_t soft, uint64_t hard);
int tr_sethostname(const char *name, size_t len);
int tr_setdomainname(const char *name, size_t len);
long tr_keyctl_join_session_keyring(const char *name);

// eventfd(2) with EFD_CLOEXEC (sys/eventfd.h is not in the Glibc module map).
int tr_eventfd_cloexec(unsigned int initial);
// bpf(2) for BPF_PROG_TYPE_CGROUP_DEVICE programs (the cgroup v2 device controller). Load: insn_count 8-byte
// instructions, the verifier's explanation of a rejection in log (log_size bytes, 0 for none); returns the program
// fd. Query: *count is the capacity of ids on entry, the number attached on return. Attach adds with
// BPF_F_ALLOW_MULTI; detach removes prog_fd's program; prog_fd_by_id opens an attached program by its id.
int tr_bpf_load_cgroup_device(const void *insns, unsigned int insn_count, const char *license, char *log,
                              unsigned int log_size, const char *name);
int tr_bpf_query_cgroup_device(int cgroup_fd, uint32_t *ids, uint32_t *count);
int tr_bpf_attach_cgroup_device(int cgroup_fd, int prog_fd);
int tr_bpf_detach_cgroup_device(int cgroup_fd, int prog_fd);
int tr_bpf_prog_fd_by_id(uint32_t id);

// Seccomp: load a prebuilt classic-BPF program (compiled in the parent); returns the notify fd when
// SECCOMP_FILTER_FLAG_NEW_LISTENER is in flags, else 0.
int tr_seccomp_set_mode_filter(unsigned int flags, const void *insns, unsigned short count);
// SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SEND (Linux 5.14): installs srcfd in the trapped caller with
// newfd_flags (O_CLOEXEC or 0) and answers the call with the new fd's number, in one step. Returns that number, or
// -1 with errno (EINVAL/ENOTTY on a kernel without the flag, ENOENT when the caller is gone).
int tr_seccomp_notify_addfd_send(int listener, uint64_t id, int srcfd, unsigned int newfd_flags);
// process_vm_readv of one range of another process into buf: the byte count, or -1 with errno.
long tr_process_vm_read(int pid, void *buf, size_t count, uint64_t address);

// Sockets: pass one fd with SCM_RIGHTS (the console-socket contract and the seccomp listener).
int tr_send_fd(int sock, int fd, const char *payload, size_t payload_len);
// recvmsg of one message that may carry one fd: returns the byte count (0 = EOF), *fd = the fd or -1.
long tr_recv_message(int sock, char *buf, size_t cap, int *fd);

// Terminals.
int tr_ioctl_set_ctty(int fd);
int tr_unlockpt(int master);
int tr_ptsname(int master, char *buf, size_t len);
int tr_ioctl_set_winsize(int fd, unsigned short rows, unsigned short cols);
int tr_ioctl_get_winsize(int fd, unsigned short *rows, unsigned short *cols);

// rt_sigaction(sig, SIG_DFL) through the raw system call: glibc's sigaction refuses 32 and 33 (its own), which a
// caller may still have ignored and execve would pass on.
int tr_signal_default(int sig);
// Signals: a handler that only records the signal number (async-signal-safe), for `run`'s forwarding loop.
int tr_install_recording_handler(int sig);
int tr_take_pending_signal(void);

// Entering a container: the exec trampoline (exec_trampoline.S), a tiny static ELF image that taurun execs from a
// sealed memfd so that no process in a container ever runs with the host's taurun behind /proc/self/exe.
// Returns the image's size and points *image at its bytes.
unsigned long tr_exec_trampoline(const unsigned char **image);
int tr_memfd_create(const char *name, unsigned int flags);
int tr_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags);
// ioctl(TIOCGPTPEER): opens the slave of a pty master without a path lookup (Linux 4.13+).
int tr_ioctl_get_pty_peer(int master, int flags);

// A program that outlives its starter (a Tau app's user-mode network, started by a createRuntime hook): posix_spawn
// in a new session, default signal dispositions and an empty mask, stdin /dev/null, stdout and stderr `output`, and
// `fds[i]` as fd 3+i; every other fd is closed. Returns 0 and sets *pid, or an errno value.
int tr_spawn_detached(const char *path, char *const argv[], char *const envp[], int output, const int *fds, int nfds,
                      pid_t *pid);

#endif
