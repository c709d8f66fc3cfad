/* The client of scripts/app-network-bench.sh, built static so the same binary runs on the host and inside a Tau app.
 *
 *   app-network-client get ADDR PORT PATH N    N HTTP/1.0 GETs of PATH, one after another: prints the median MB/s
 *   app-network-client rr  ADDR PORT PATH N    N connect + request + whole response: prints the median and p90 in µs
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* One request; returns the bytes of the response, or -1. */
static long fetch(struct sockaddr_in *a, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)a, sizeof *a) < 0) { perror("connect"); return -1; }
    char request[512];
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: bench\r\n\r\n", path);
    if (write(fd, request, n) != n) { perror("write"); close(fd); return -1; }
    static char buffer[1 << 16];
    long total = 0;
    ssize_t r;
    while ((r = read(fd, buffer, sizeof buffer)) > 0) total += r;
    close(fd);
    return r < 0 ? -1 : total;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: app-network-client get|rr ADDR PORT PATH N\n"); return 2; }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[3])) };
    if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", argv[2]); return 2; }
    int count = atoi(argv[5]);
    if (count < 1) count = 1;
    double *samples = calloc(count, sizeof *samples);
    long bytes = 0;
    for (int i = 0; i < count; i++) {
        double start = now();
        bytes = fetch(&a, argv[4]);
        if (bytes < 0) return 1;
        double seconds = now() - start;
        samples[i] = strcmp(argv[1], "get") ? seconds * 1e6 : bytes / seconds / 1e6;
    }
    qsort(samples, count, sizeof *samples, compare);
    if (!strcmp(argv[1], "get")) printf("%.0f MB/s median of %d (%ld bytes each)\n", samples[count / 2], count, bytes);
    else printf("%.0f us median, %.0f us p90 of %d\n", samples[count / 2], samples[count * 9 / 10], count);
    return 0;
}
