/* The app of tau-learn.bats: a real program that uses what its manifest does not ask for.
 *   learnprobe                      opens an AF_INET socket (network), says what it got, carries on
 *   learnprobe open PATH [rw]       opens PATH read-only (or O_WRONLY|O_CREAT): a device, a host file
 *   learnprobe connect PATH         connects to the UNIX socket PATH: a sound or display server
 * Under learn a refused call fails with EPERM, an absent path with ENOENT, and the app is not stopped, so "done" is
 * printed either way; each step prints what it got. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

static void report(const char *what, const char *arg, int rc) {
    printf("%s %s: %s\n", what, arg, rc < 0 ? strerror(errno) : "ok");
}

int main(int argc, char **argv) {
    printf("learn probe: start\n");
    if (argc == 1) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        report("socket", "AF_INET", fd);
        if (fd >= 0) close(fd);
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "open") == 0) {
            int rw = i + 2 < argc && strcmp(argv[i + 2], "rw") == 0;
            int fd = open(argv[i + 1], rw ? O_WRONLY | O_CREAT : O_RDONLY, 0600);
            report("open", argv[i + 1], fd);
            if (fd >= 0) close(fd);
            if (rw) i++;
        } else if (strcmp(argv[i], "connect") == 0) {
            struct sockaddr_un addr = {.sun_family = AF_UNIX};
            strncpy(addr.sun_path, argv[i + 1], sizeof addr.sun_path - 1);
            int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&addr, sizeof addr);
            report("connect", argv[i + 1], rc);
            if (fd >= 0) close(fd);
        }
    }
    printf("learn probe: done\n");
    return 0;
}
