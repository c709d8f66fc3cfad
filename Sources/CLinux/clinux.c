#define _GNU_SOURCE
#include "clinux.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct tr_clone_args {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

pid_t tr_clone3(uint64_t flags, int cgroup_fd, int *pidfd) {
    struct tr_clone_args args;
    memset(&args, 0, sizeof(args));
    args.flags = flags;
    // With CLONE_PARENT the kernel takes the exit signal from the caller (and clone3 insists on 0 here).
    args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
    if (pidfd) {
        args.flags |= CLONE_PIDFD;
        args.pidfd = (uint64_t)(uintptr_t)pidfd;
    }
    if (cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)cgroup_fd;
    }
    long pid = syscall(__NR_clone3, &args, sizeof(args));
    if (pid < 0 && errno == ENOSYS && cgroup_fd < 0 && !pidfd)
        pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
    return (pid_t)pid;
}

int tr_unshare(int flags) { return unshare(flags); }
int tr_setns(int fd, int nstype) { return setns(fd, nstype); }
int tr_ns_get_type(int fd) { return ioctl(fd, _IO(0xb7, 0x3)); }
int tr_pivot_root(const char *new_root, const char *put_old) { return (int)syscall(SYS_pivot_root, new_root, put_old); }
int tr_pidfd_open(pid_t pid, unsigned int flags) { return (int)syscall(__NR_pidfd_open, pid, flags); }
int tr_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, NULL, 0); }
int tr_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(__NR_close_range, first, last, flags);
}
int tr_prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5) {
    return prctl(option, a2, a3, a4, a5);
}

struct tr_open_how { uint64_t flags, mode, resolve; };

int tr_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct tr_open_how how = { flags, mode, resolve };
    return (int)syscall(__NR_openat2, dirfd, path, &how, sizeof(how));
}
int tr_open(const char *path, int flags, unsigned int mode) { return open(path, flags, (mode_t)mode); }
int tr_openat(int dirfd, const char *path, int flags, unsigned int mode) { return openat(dirfd, path, flags, (mode_t)mode); }
int tr_fcntl_int(int fd, int cmd, int arg) { return fcntl(fd, cmd, arg); }
int tr_rename_exchange(const char *a, const char *b) {
    return (int)syscall(__NR_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
}
int tr_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int tr_mknod(const char *path, unsigned int mode, unsigned int major, unsigned int minor) {
    return mknod(path, (mode_t)mode, makedev(major, minor));
}

struct tr_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };

int tr_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set, uint64_t attr_clr,
                     uint64_t propagation) {
    struct tr_mount_attr attr = { attr_set, attr_clr, propagation, 0 };
    return (int)syscall(__NR_mount_setattr, dirfd, path, flags, &attr, sizeof(attr));
}

int tr_mount_setattr_idmap(int dirfd, const char *path, unsigned int flags, int userns_fd) {
    struct tr_mount_attr attr = { 0x00100000 /* MOUNT_ATTR_IDMAP */, 0, 0, (uint64_t)userns_fd };
    return (int)syscall(__NR_mount_setattr, dirfd, path, flags, &attr, sizeof(attr));
}
int tr_open_tree(int dirfd, const char *path, unsigned int flags) { return (int)syscall(__NR_open_tree, dirfd, path, flags); }
int tr_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path, unsigned int flags) {
    return (int)syscall(__NR_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

long tr_fstatfs_type(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) < 0) return -1;
    return (long)st.f_type;
}
int tr_fsopen(const char *fstype, unsigned int flags) { return (int)syscall(__NR_fsopen, fstype, flags); }
int tr_fsconfig(int fsfd, unsigned int cmd, const char *key, const void *value, int aux) {
    return (int)syscall(__NR_fsconfig, fsfd, cmd, key, value, aux);
}
int tr_fsmount(int fsfd, unsigned int flags, unsigned int attr_flags) {
    return (int)syscall(__NR_fsmount, fsfd, flags, attr_flags);
}
long tr_readlinkat(int dirfd, const char *path, char *buf, size_t len) { return (long)readlinkat(dirfd, path, buf, len); }

int tr_setresuid(uid_t r, uid_t e, uid_t s) { return (int)syscall(SYS_setresuid, r, e, s); }
int tr_setresgid(gid_t r, gid_t e, gid_t s) { return (int)syscall(SYS_setresgid, r, e, s); }
int tr_setgroups(size_t n, const gid_t *groups) { return (int)syscall(SYS_setgroups, n, groups); }
int tr_setrlimit(int resource, uint64_t soft, uint64_t hard) {
    struct rlimit rl = { (rlim_t)soft, (rlim_t)hard };
    return setrlimit(resource, &rl);
}
int tr_sethostname(const char *name, size_t len) { return sethostname(name, len); }
int tr_setdomainname(const char *name, size_t len) { return setdomainname(name, len); }
long tr_keyctl_join_session_keyring(const char *name) { return syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, name); }

struct tr_sock_fprog { unsigned short len; const void *filter; };

int tr_seccomp_set_mode_filter(unsigned int flags, const void *insns, unsigned short count) {
    struct tr_sock_fprog prog = { count, insns };
    return (int)syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, flags, &prog);
}

int tr_seccomp_notify_addfd_send(int listener, uint64_t id, int srcfd, unsigned int newfd_flags) {
    struct seccomp_notif_addfd addfd;
    memset(&addfd, 0, sizeof(addfd));
    addfd.id = id;
    addfd.flags = SECCOMP_ADDFD_FLAG_SEND;
    addfd.srcfd = (uint32_t)srcfd;
    addfd.newfd_flags = newfd_flags;
    return ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
}

long tr_process_vm_read(int pid, void *buf, size_t count, uint64_t address) {
    struct iovec local = { buf, count };
    struct iovec remote = { (void *)(uintptr_t)address, count };
    return (long)process_vm_readv((pid_t)pid, &local, 1, &remote, 1, 0);
}

int tr_send_fd(int sock, int fd, const char *payload, size_t payload_len) {
    char byte = 0;
    struct iovec iov = { (void *)(payload_len ? payload : &byte), payload_len ? payload_len : 1 };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof(control));
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof(control.buf);
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n < 0 ? -1 : 0;
}

int tr_unlockpt(int master) { return unlockpt(master); }
int tr_ptsname(int master, char *buf, size_t len) { return ptsname_r(master, buf, len) == 0 ? 0 : -1; }
int tr_ioctl_set_ctty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
int tr_ioctl_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize ws = { rows, cols, 0, 0 };
    return ioctl(fd, TIOCSWINSZ, &ws);
}
int tr_ioctl_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize ws;
    int r = ioctl(fd, TIOCGWINSZ, &ws);
    if (r == 0) { *rows = ws.ws_row; *cols = ws.ws_col; }
    return r;
}

static volatile sig_atomic_t tr_pending[65];

static void tr_record(int sig) { if (sig > 0 && sig < 65) tr_pending[sig] = 1; }

int tr_install_recording_handler(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = tr_record;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

int tr_take_pending_signal(void) {
    for (int s = 1; s < 65; s++)
        if (tr_pending[s]) { tr_pending[s] = 0; return s; }
    return 0;
}

long tr_statfs_flags(const char *path) {
    struct statfs st;
    if (statfs(path, &st) < 0) return -1;
    return (long)st.f_flags;
}

long tr_statfs_type(const char *path) {
    struct statfs st;
    if (statfs(path, &st) < 0) return -1;
    return (long)st.f_type;
}

long tr_recv_message(int sock, char *buf, size_t cap, int *fd) {
    struct iovec iov = { buf, cap };
    union { struct cmsghdr align; char cbuf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.cbuf;
    msg.msg_controllen = sizeof(control.cbuf);
    *fd = -1;
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS)
        memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
    return (long)n;
}

int tr_eventfd_cloexec(unsigned int initial) { return eventfd(initial, EFD_CLOEXEC); }

// --- bpf(2) for the cgroup v2 device controller ----------------------------------------------------------------
// union bpf_attr is filled here, by its field names, rather than packed byte by byte in Swift.
static long bpf_call(int cmd, union bpf_attr *attr) { return syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

int tr_bpf_load_cgroup_device(const void *insns, unsigned int insn_count, const char *license, char *log,
                              unsigned int log_size, const char *name) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insn_cnt = insn_count;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.license = (uint64_t)(uintptr_t)license;
    attr.log_level = log_size > 0 ? 1 : 0;
    attr.log_size = log_size;
    attr.log_buf = (uint64_t)(uintptr_t)log;
    strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
    attr.expected_attach_type = BPF_CGROUP_DEVICE;
    return (int)bpf_call(BPF_PROG_LOAD, &attr);
}

int tr_bpf_query_cgroup_device(int cgroup_fd, uint32_t *ids, uint32_t *count) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target_fd = (uint32_t)cgroup_fd;
    attr.query.attach_type = BPF_CGROUP_DEVICE;
    attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
    attr.query.prog_cnt = *count;
    long r = bpf_call(BPF_PROG_QUERY, &attr);
    if (r >= 0)
        *count = attr.query.prog_cnt;
    return (int)r;
}

int tr_bpf_attach_cgroup_device(int cgroup_fd, int prog_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    attr.attach_flags = BPF_F_ALLOW_MULTI;
    return (int)bpf_call(BPF_PROG_ATTACH, &attr);
}

int tr_bpf_detach_cgroup_device(int cgroup_fd, int prog_fd) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.target_fd = (uint32_t)cgroup_fd;
    attr.attach_bpf_fd = (uint32_t)prog_fd;
    attr.attach_type = BPF_CGROUP_DEVICE;
    return (int)bpf_call(BPF_PROG_DETACH, &attr);
}

int tr_bpf_prog_fd_by_id(uint32_t id) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_id = id;
    return (int)bpf_call(BPF_PROG_GET_FD_BY_ID, &attr);
}

// --- cgroup attach warm-up -------------------------------------------------------------------------------------
// The first write to a cgroup.procs file after a quiet period waits for an RCU grace period (the kernel's
// cgroup_threadgroup_rwsem switching to its writer mode; ~10-16 ms on this host). tr_cgroup_attach_warmup starts
// that grace period early from a helper that shares our memory (CLONE_VM, so the clone costs no page-table copy)
// and moves itself into the cgroup it is already in: a migration that changes nothing. A later attach of the
// container process that falls inside the same grace period, or right after it, does not wait again. The helper
// runs on its own static stack with every signal blocked and makes raw system calls only: it shares our TLS, so it
// must not touch errno or anything else of libc.
static long tr_raw_syscall3(long n, long a, long b, long c) {
#if defined(__x86_64__)
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
#elif defined(__aarch64__)
    register long x8 __asm__("x8") = n;
    register long x0 __asm__("x0") = a;
    register long x1 __asm__("x1") = b;
    register long x2 __asm__("x2") = c;
    __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
    return x0;
#else
    (void)n; (void)a; (void)b; (void)c;
    return -ENOSYS;
#endif
}

static char tr_warmup_stack[16384] __attribute__((aligned(64)));
static char tr_warmup_path[4096];

static int tr_warmup_main(void *unused) {
    (void)unused;
    // Our copy of the fd table holds the caller's pipes: drop them so nobody waits on an EOF for our sake.
    tr_raw_syscall3(__NR_close_range, 0, ~0L, 0);
    long fd = tr_raw_syscall3(SYS_openat, AT_FDCWD, (long)tr_warmup_path, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        tr_raw_syscall3(SYS_write, fd, (long)"0", 1);  // "0": the writing process itself
        tr_raw_syscall3(SYS_close, fd, 0, 0);
    }
    return 0;  // glibc's clone makes the exit system call with this value; nothing else runs in the helper
}

pid_t tr_cgroup_attach_warmup(const char *procs_path) {
#if defined(__x86_64__) || defined(__aarch64__)
    size_t n = strlen(procs_path);
    if (n >= sizeof(tr_warmup_path)) { errno = ENAMETOOLONG; return -1; }
    memcpy(tr_warmup_path, procs_path, n + 1);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pid = clone(tr_warmup_main, tr_warmup_stack + sizeof(tr_warmup_stack), CLONE_VM | SIGCHLD, NULL);
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return pid;
#else
    (void)procs_path;
    errno = ENOSYS;
    return -1;
#endif
}

extern const unsigned char tr_exec_trampoline_image[];
extern const unsigned char tr_exec_trampoline_end[];

unsigned long tr_exec_trampoline(const unsigned char **image) {
#if defined(__x86_64__) || defined(__aarch64__)
    *image = tr_exec_trampoline_image;
    return (unsigned long)(tr_exec_trampoline_end - tr_exec_trampoline_image);
#else
    *image = 0;
    return 0;
#endif
}

int tr_memfd_create(const char *name, unsigned int flags) { return (int)syscall(SYS_memfd_create, name, flags); }

int tr_execveat(int dirfd, const char *path, char *const argv[], char *const envp[], int flags) {
    return (int)syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

int tr_ioctl_get_pty_peer(int master, int flags) { return ioctl(master, TIOCGPTPEER, flags); }

int tr_signal_default(int sig) {
    // The kernel's struct sigaction: handler, flags, restorer, mask (_NSIG / 8 bytes).
    struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } action = { SIG_DFL, 0, 0, 0 };
    return (int)syscall(SYS_rt_sigaction, sig, &action, 0, sizeof(action.mask));
}

int tr_spawn_detached(const char *path, char *const argv[], char *const envp[], int output, const int *fds, int nfds,
                      pid_t *pid) {
    // The fds move to 3, 4, ... through copies above every target, so no source is overwritten before it is used.
    int copies[8];
    if (nfds < 0 || nfds > 8) return EINVAL;
    for (int i = 0; i < nfds; i++) {
        copies[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + nfds);
        if (copies[i] < 0) {
            int e = errno;
            for (int j = 0; j < i; j++) close(copies[j]);
            return e;
        }
    }
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, output, 1);
    posix_spawn_file_actions_adddup2(&actions, output, 2);
    for (int i = 0; i < nfds; i++) posix_spawn_file_actions_adddup2(&actions, copies[i], 3 + i);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3 + nfds);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < nfds; i++) close(copies[i]);
    return rc;
}
