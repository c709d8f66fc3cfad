/* The app of tau-prompt-devices.bats: it opens a camera its manifest requests but nobody has decided, so under
 * on_violation = "ask" taurun asks the user when it opens the node. Each mode prints what the app saw:
 *   open PATH ro|rw [cloexec]  open(PATH) with that access mode (and O_CLOEXEC): "open PATH: ok O_RDONLY cloexec
 *                              device 10:259 read some" (the fd's own flags, the device it is, whether a read gave
 *                              bytes) or the error
 *   stat PATH                  whether the node is there: "stat PATH: character device 10:259"
 *   reopen PATH                open(PATH, O_PATH), then open("/proc/self/fd/N", O_RDONLY): the app's own open of the
 *                              node, which the monitor does not take for an open of the camera
 *   race PATH DECOY ROUNDS     the attack on a monitor that checks a path and lets the call run
 *                              (SECCOMP_USER_NOTIF_FLAG_CONTINUE): a thread flips one path buffer between DECOY and
 *                              PATH while the main thread opens that buffer ROUNDS times; counts the descriptors
 *                              that are the device: "race: N of M opens got the device"
 *   opens PATH N               N times open+close of PATH (a file of its own), timed: "opens: N in U us, U/open"
 *   meanwhile PATH OTHER       while the main thread's open of PATH waits for an answer, a second thread opens
 *                              OTHER (a file of its own) again and again: "meanwhile: N opens of OTHER while PATH was
 *                              held" counts those that completed before the main thread's open returned
 *   twice PATH                 two threads open PATH at once: "twice: ok ok" (each thread's result) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static char path_buffer[4096];
static volatile int racing = 1;
static const char *race_paths[2];

static void *flipper(void *unused) {
    (void)unused;
    size_t length = strlen(race_paths[0]) > strlen(race_paths[1]) ? strlen(race_paths[0]) : strlen(race_paths[1]);
    for (unsigned long i = 0; racing; i++) {
        /* Whole buffer rewritten each time, NUL included: the path is always one of the two. */
        memset(path_buffer, 0, length + 1);
        strcpy(path_buffer, race_paths[i & 1]);
    }
    return NULL;
}

static volatile int main_done = 0;
static const char *other_path;
static int other_opens = 0;

static void *opener(void *unused) {
    (void)unused;
    usleep(200000); /* the main thread's open is held by now */
    while (!main_done) {
        int fd = open(other_path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
        if (fd >= 0 && !main_done) other_opens++;
        usleep(1000);
    }
    return NULL;
}

static const char *twice_path;
static int twice_result[2];

static void *twice_open(void *slot) {
    int fd = open(twice_path, O_RDONLY | O_CLOEXEC);
    *(int *)slot = fd >= 0 ? 0 : errno;
    if (fd >= 0) close(fd);
    return NULL;
}

static int is_device(int fd, dev_t device) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == device;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "open") == 0 && argc > 3) {
        int flags = strcmp(argv[3], "rw") == 0 ? O_RDWR : O_RDONLY;
        if (argc > 4 && strcmp(argv[4], "cloexec") == 0) flags |= O_CLOEXEC;
        int fd = open(argv[2], flags);
        if (fd < 0) {
            printf("open %s: %s\n", argv[2], strerror(errno));
            printf("device probe: done\n");
            return 0;
        }
        struct stat st;
        fstat(fd, &st);
        int fl = fcntl(fd, F_GETFL), fdflags = fcntl(fd, F_GETFD);
        const char *access = (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY";
        char buffer[8192];
        ssize_t n = read(fd, buffer, sizeof buffer);
        printf("open %s: ok %s%s device %u:%u read %s\n", argv[2], access, fdflags & FD_CLOEXEC ? " cloexec" : "",
               major(st.st_rdev), minor(st.st_rdev), n > 0 ? "some" : n == 0 ? "nothing" : strerror(errno));
        close(fd);
    } else if (strcmp(mode, "stat") == 0 && argc > 2) {
        struct stat st;
        if (stat(argv[2], &st) != 0) {
            printf("stat %s: %s\n", argv[2], strerror(errno));
        } else {
            printf("stat %s: %s %u:%u\n", argv[2], S_ISCHR(st.st_mode) ? "character device" : "not a device",
                   major(st.st_rdev), minor(st.st_rdev));
        }
    } else if (strcmp(mode, "reopen") == 0 && argc > 2) {
        int pathfd = open(argv[2], O_PATH);
        if (pathfd < 0) {
            printf("reopen %s: O_PATH: %s\n", argv[2], strerror(errno));
            printf("device probe: done\n");
            return 0;
        }
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", pathfd);
        int fd = open(proc, O_RDONLY);
        printf("reopen %s: %s\n", argv[2], fd >= 0 ? "ok" : strerror(errno));
        if (fd >= 0) close(fd);
        close(pathfd);
    } else if (strcmp(mode, "race") == 0 && argc > 4) {
        struct stat target;
        if (stat(argv[2], &target) != 0) {
            printf("race: stat %s: %s\n", argv[2], strerror(errno));
            return 0;
        }
        race_paths[0] = argv[3];
        race_paths[1] = argv[2];
        strcpy(path_buffer, argv[3]);
        pthread_t thread;
        pthread_create(&thread, NULL, flipper, NULL);
        int rounds = atoi(argv[4]), got = 0, opened = 0;
        for (int i = 0; i < rounds; i++) {
            int fd = open(path_buffer, O_RDONLY);
            if (fd < 0) continue;
            opened++;
            if (is_device(fd, target.st_rdev)) got++;
            close(fd);
        }
        racing = 0;
        pthread_join(thread, NULL);
        printf("race: %d of %d opens got the device (%d opened)\n", got, rounds, opened);
    } else if (strcmp(mode, "meanwhile") == 0 && argc > 3) {
        other_path = argv[3];
        pthread_t thread;
        pthread_create(&thread, NULL, opener, NULL);
        int fd = open(argv[2], O_RDONLY);
        int saved = errno;
        main_done = 1;
        pthread_join(thread, NULL);
        printf("meanwhile: %s %d opens of %s while %s was held\n", other_opens >= 10 ? "at least 10" : "fewer than 10",
               other_opens, argv[3], argv[2]);
        printf("open %s: %s\n", argv[2], fd >= 0 ? "ok" : strerror(saved));
        if (fd >= 0) close(fd);
    } else if (strcmp(mode, "twice") == 0 && argc > 2) {
        twice_path = argv[2];
        pthread_t threads[2];
        for (int i = 0; i < 2; i++) pthread_create(&threads[i], NULL, twice_open, &twice_result[i]);
        for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
        printf("twice: %s %s\n", twice_result[0] ? strerror(twice_result[0]) : "ok", twice_result[1] ? strerror(twice_result[1]) : "ok");
    } else if (strcmp(mode, "opens") == 0 && argc > 3) {
        int n = atoi(argv[3]);
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        for (int i = 0; i < n; i++) {
            int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                printf("opens %s: %s\n", argv[2], strerror(errno));
                return 0;
            }
            close(fd);
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        long us = (end.tv_sec - start.tv_sec) * 1000000L + (end.tv_nsec - start.tv_nsec) / 1000;
        printf("opens: %d in %ld us, %.2f us/open\n", n, us, (double)us / n);
    }
    printf("device probe: done\n");
    return 0;
}
