/* The isolation matrix probe (Tests/Integration/isolation.bats), built static by the test.
 *
 *   isolation_probe serve DIR      app B: leaves a file in DIR, listens on a UNIX socket at DIR/sock, on the abstract
 *                                  socket @tau-isolation-b and on TCP 127.0.0.1:47011, creates SysV shm key 0x7a7a0b
 *                                  and POSIX mqueue /tau-isolation-b, writes DIR/ready, then sleeps.
 *   isolation_probe ATTEMPT ARG    app A: one attempt to reach B (ARG: B's host pid or B's DIR on the host); prints
 *                                  "ATTEMPT: blocked (<errno text>)" or "ATTEMPT: REACHED" and exits 0 either way.
 *                                  unix-abstract NAME and tcp-loopback PORT take another listener's name or port
 *                                  ("-": B's); tcp-connect ADDR:PORT connects to any IPv4 address.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <stddef.h>

#define ABSTRACT "tau-isolation-b"
#define TCP_PORT 47011
#define SHM_KEY 0x7a7a0b
#define MQ_NAME "/tau-isolation-b"

static int result(const char *attempt, int ok, int err) {
    if (ok) printf("%s: REACHED\n", attempt);
    else printf("%s: blocked (%s)\n", attempt, strerror(err));
    return 0;
}

static int unix_socket(const char *path, int abstract, int listen_too) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    socklen_t len;
    if (abstract) {
        a.sun_path[0] = 0;
        memcpy(a.sun_path + 1, path, strlen(path));
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
    } else {
        snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
        len = sizeof a;
    }
    int r = listen_too ? bind(fd, (struct sockaddr *)&a, len) : connect(fd, (struct sockaddr *)&a, len);
    if (r < 0) { int e = errno; close(fd); errno = e; return -1; }
    if (listen_too && listen(fd, 8) < 0) return -1;
    return fd;
}

static int serve(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/secret", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "b-secret\n", 9) != 9) { perror("secret"); return 1; }
    close(fd);
    snprintf(path, sizeof path, "%s/sock", dir);
    unlink(path);
    if (unix_socket(path, 0, 1) < 0) { perror("unix socket"); return 1; }
    if (unix_socket(ABSTRACT, 1, 1) < 0) { perror("abstract socket"); return 1; }
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(TCP_PORT) };
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (tcp < 0 || bind(tcp, (struct sockaddr *)&in, sizeof in) < 0 || listen(tcp, 8) < 0) { perror("tcp"); return 1; }
    if (shmget(SHM_KEY, 4096, IPC_CREAT | 0666) < 0) { perror("shmget"); return 1; }
    struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 16 };
    if (mq_open(MQ_NAME, O_CREAT | O_RDWR, 0666, &attr) == (mqd_t)-1) perror("mq_open (no /dev/mqueue?)");
    snprintf(path, sizeof path, "%s/ready", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) close(fd);
    for (;;) pause();
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: isolation_probe serve DIR | ATTEMPT ARG\n"); return 2; }
    const char *what = argv[1], *arg = argv[2];
    char path[512];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(what, "serve")) return serve(arg);
    if (!strcmp(what, "read-home")) {
        snprintf(path, sizeof path, "%s/secret", arg);
        int fd = open(path, O_RDONLY);
        return result(what, fd >= 0, errno);
    }
    if (!strcmp(what, "write-home")) {
        snprintf(path, sizeof path, "%s/planted", arg);
        int fd = open(path, O_WRONLY | O_CREAT, 0644);
        return result(what, fd >= 0, errno);
    }
    if (!strcmp(what, "list-home")) {
        DIR *d = opendir(arg);
        return result(what, d != NULL, errno);
    }
    if (!strcmp(what, "see-process")) {
        snprintf(path, sizeof path, "/proc/%s", arg);
        struct stat st;
        int r = stat(path, &st);
        return result(what, r == 0, errno);
    }
    if (!strcmp(what, "signal")) {
        int r = kill(atoi(arg), 0);
        return result(what, r == 0, errno);
    }
    if (!strcmp(what, "ptrace")) {
        long r = ptrace(PTRACE_ATTACH, atoi(arg), 0, 0);
        return result(what, r == 0, errno);
    }
    if (!strcmp(what, "proc-environ")) {
        snprintf(path, sizeof path, "/proc/%s/environ", arg);
        int fd = open(path, O_RDONLY);
        return result(what, fd >= 0, errno);
    }
    if (!strcmp(what, "unix-path")) {
        snprintf(path, sizeof path, "%s/sock", arg);
        int fd = unix_socket(path, 0, 0);
        return result(what, fd >= 0, errno);
    }
    if (!strcmp(what, "unix-abstract")) {
        int fd = unix_socket(strcmp(arg, "-") ? arg : ABSTRACT, 1, 0);
        return result(what, fd >= 0, errno);
    }
    if (!strcmp(what, "tcp-loopback")) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(strcmp(arg, "-") ? atoi(arg) : TCP_PORT) };
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&in, sizeof in);
        return result(what, r == 0, errno);
    }
    if (!strcmp(what, "tcp-connect")) {
        /* ARG: ADDR:PORT. Reached only when the listener answers (a route that accepts and drops is not reached). */
        char addr[64];
        snprintf(addr, sizeof addr, "%s", arg);
        char *colon = strchr(addr, ':');
        if (!colon) { fprintf(stderr, "tcp-connect needs ADDR:PORT\n"); return 2; }
        *colon = 0;
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
        if (inet_pton(AF_INET, addr, &in.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", addr); return 2; }
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct timeval limit = { .tv_sec = 5 };
        if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        int r = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&in, sizeof in);
        char reply[16] = { 0 };
        if (r == 0 && read(fd, reply, sizeof reply - 1) <= 0) { r = -1; if (!errno) errno = ECONNRESET; }
        return result(what, r == 0 && !strncmp(reply, "hello", 5), errno);
    }
    if (!strcmp(what, "sysv-shm")) {
        int r = shmget(SHM_KEY, 0, 0);
        return result(what, r >= 0, errno);
    }
    if (!strcmp(what, "posix-mqueue")) {
        mqd_t q = mq_open(MQ_NAME, O_RDONLY);
        return result(what, q != (mqd_t)-1, errno);
    }
    if (!strcmp(what, "cgroup-limit")) {
        /* ARG: B's memory cgroup directory on the host. */
        snprintf(path, sizeof path, "/sys/fs/cgroup/memory%s/memory.limit_in_bytes", arg);
        int fd = open(path, O_WRONLY);
        if (fd < 0) {
            snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.max", arg);
            fd = open(path, O_WRONLY);
        }
        return result(what, fd >= 0, errno);
    }
    fprintf(stderr, "unknown attempt %s\n", what);
    return 2;
}
