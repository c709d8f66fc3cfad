#!/usr/bin/python3
"""Records the raw bytes a D-Bus client sends for one method call, as it wrote them (no bus daemon in
between to add a SENDER field): a fake bus that answers the SASL exchange and Hello, then writes the next
message to stdout as hex. Used to make the byte-exact fixtures of TaurunCgroupsTests/DBusMessageTests
from busctl (sd-bus, systemd's own client library):

  capture_raw.py /tmp/raw.sock & busctl --address=unix:path=/tmp/raw.sock call ... ; wait
"""
import os, socket, struct, sys


def read_message(conn, buffered):
    while len(buffered) < 16:
        buffered += conn.recv(65536)
    body_length, _serial, fields_length = struct.unpack("<III", buffered[4:16])
    total = ((16 + fields_length + 7) & ~7) + body_length
    while len(buffered) < total:
        buffered += conn.recv(65536)
    return buffered[:total], buffered[total:]


def hello_reply(serial):
    # method return, reply serial = Hello's, destination ":1.1", signature "s", body ":1.1"
    fields = b""
    fields += struct.pack("<BBBxI", 5, 1, ord("u"), serial)                     # REPLY_SERIAL u
    fields += struct.pack("<BBBxI", 6, 1, ord("s"), 4) + b":1.1\0" + b"\0" * 3  # DESTINATION s
    fields += struct.pack("<BBBxB", 8, 1, ord("g"), 1) + b"s\0"                 # SIGNATURE g
    body = struct.pack("<I", 4) + b":1.1\0"
    header = struct.pack("<cBBBIII", b"l", 2, 1, 1, len(body), 1, len(fields)) + fields
    header += b"\0" * ((8 - len(header) % 8) % 8)
    return header + body


path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(1)
conn, _ = server.accept()
data = b""
while b"BEGIN\r\n" not in data:
    chunk = conn.recv(4096)
    if not chunk:
        sys.exit("client closed during authentication")
    data += chunk
    if b"AUTH EXTERNAL\r\n" in chunk:
        # No initial response: an empty challenge first (sd-bus pipelines its empty DATA answer).
        conn.sendall(b"DATA\r\n")
    if b"AUTH" in chunk:
        conn.sendall(b"OK 0123456789abcdef0123456789abcdef\r\n")
    if b"NEGOTIATE_UNIX_FD" in chunk:
        conn.sendall(b"AGREE_UNIX_FD\r\n")
rest = data.split(b"BEGIN\r\n", 1)[1]
hello, rest = read_message(conn, rest)
print("hello", hello.hex())
conn.sendall(hello_reply(struct.unpack("<I", hello[8:12])[0]))
call, rest = read_message(conn, rest)
print("call", call.hex())
sys.stdout.flush()
conn.close()
