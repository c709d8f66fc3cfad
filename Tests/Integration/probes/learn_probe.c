/* The app of tau-learn.bats: a real program that uses the network without asking for it in its manifest. It opens
 * an AF_INET socket (what `taurun learn` must name, with the call as evidence), says what it got, and carries on:
 * under learn the call fails with EPERM and the app is not stopped, so "done" is printed either way. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

int main(void) {
    printf("learn probe: start\n");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        printf("socket AF_INET: %s\n", strerror(errno));
    } else {
        printf("socket AF_INET: ok\n");
        close(fd);
    }
    printf("learn probe: done\n");
    return 0;
}
