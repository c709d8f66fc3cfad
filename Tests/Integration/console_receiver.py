#!/usr/bin/env python3
"""Console-socket receiver for the integration suite.

Listens on a Unix socket the way conmon does, accepts one connection from the runtime, receives exactly one file
descriptor (the pty master) with SCM_RIGHTS, then copies everything the container writes to its terminal into an output
file until the terminal closes (EIO once the last slave fd is gone). Optionally writes INPUT to the master first.

usage: console_receiver.py SOCKET OUTPUT [--ready FILE] [--input TEXT] [--timeout SECONDS]
Exit status: 0 after the terminal closed; 2 if no fd arrived; 3 on timeout.
"""

import argparse
import errno
import os
import select
import socket
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("output")
    parser.add_argument("--ready", help="file created once the socket is listening")
    parser.add_argument("--input", help="text written to the pty master once received")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(args.socket)
    server.listen(1)
    if args.ready:
        with open(args.ready, "w") as ready:
            ready.write("listening\n")

    server.settimeout(args.timeout)
    try:
        conn, _ = server.accept()
    except socket.timeout:
        print("console_receiver: no connection", file=sys.stderr)
        return 3
    with conn:
        _, fds, _, _ = socket.recv_fds(conn, 1024, 4)
    server.close()
    if len(fds) != 1:
        print(f"console_receiver: expected 1 fd, got {len(fds)}", file=sys.stderr)
        for fd in fds:
            os.close(fd)
        return 2
    master = fds[0]
    # Record what the runtime sent: the fd must be a pty master (/dev/ptmx or /dev/pts/ptmx).
    with open(args.output + ".fdinfo", "w") as info:
        info.write(os.readlink(f"/proc/self/fd/{master}") + "\n")

    if args.input:
        os.write(master, args.input.encode())

    with open(args.output, "wb") as out:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print("console_receiver: timed out reading the terminal", file=sys.stderr)
                return 3
            ready, _, _ = select.select([master], [], [], remaining)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError as err:
                if err.errno == errno.EIO:
                    break
                raise
            if not chunk:
                break
            out.write(chunk)
            out.flush()
    os.close(master)
    return 0


if __name__ == "__main__":
    sys.exit(main())
