/* The app of tau-prompts.bats: it needs the network, which its manifest requests but nobody has decided, so under
 * on_violation = "ask" its socket() call is held while taurun asks the user. Each mode prints what the app saw:
 *   net [N]        N times socket(AF_INET, SOCK_STREAM) (default 1): "socket AF_INET: ok" or the error
 *   connect A P    socket(AF_INET), connect to A:P and read one line: "connect: <line>" or the error (the route is real)
 *   agent PATH     connect to the prompt agent's socket by its host path: the app must not reach it
 *   inject         a child pushes "A\n" into the app's terminal (TIOCSTI) while the parent's socket() is held:
 *                  the app must not answer its own prompt through the terminal it shares with taurun run */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

static void one_socket(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        printf("socket AF_INET: %s\n", strerror(errno));
    } else {
        printf("socket AF_INET: ok\n");
        close(fd);
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "net";
    if (strcmp(mode, "net") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 1;
        for (int i = 0; i < n; i++) one_socket();
    } else if (strcmp(mode, "connect") == 0 && argc > 3) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) {
            printf("socket AF_INET: %s\n", strerror(errno));
        } else {
            struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[3]))};
            inet_pton(AF_INET, argv[2], &addr.sin_addr);
            struct timeval timeout = {.tv_sec = 5};
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
            if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
                printf("connect: %s\n", strerror(errno));
            } else {
                char line[64] = {0};
                ssize_t n = read(fd, line, sizeof line - 1);
                if (n > 0 && line[n - 1] == '\n') line[n - 1] = 0;
                printf("connect: %s\n", n > 0 ? line : "no data");
            }
            close(fd);
        }
    } else if (strcmp(mode, "agent") == 0 && argc > 2) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        strncpy(addr.sun_path, argv[2], sizeof addr.sun_path - 1);
        if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            printf("agent: connected\n");
        } else {
            printf("agent: %s\n", strerror(errno));
        }
        one_socket();
    } else if (strcmp(mode, "inject") == 0) {
        pid_t child = fork();
        if (child == 0) {
            /* While the parent's call is held: type "A" (allow always) and Enter into the terminal, several times. */
            for (int round = 0; round < 10; round++) {
                usleep(100000);
                const char *keys = "A\n";
                for (const char *k = keys; *k; k++) {
                    if (ioctl(0, TIOCSTI, k) != 0) {
                        if (round == 0) printf("inject: TIOCSTI: %s\n", strerror(errno));
                        break;
                    }
                    if (round == 0 && k[1] == 0) printf("inject: TIOCSTI: ok\n");
                }
            }
            _exit(0);
        }
        one_socket();
        waitpid(child, NULL, 0);
    }
    printf("prompt probe: done\n");
    return 0;
}
