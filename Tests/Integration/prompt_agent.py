#!/usr/bin/env python3
"""A prompt agent for tau-prompts.bats (the protocol of docs/prompts.md): listens on PATH, and for each question
(one JSON line) appends it to LOG and replies with ANSWER: one of the four answers, "silent" (never replies: the
monitor's time-out), "garbage" (a line that is no reply), or "wrong-id" (a reply to another question).

    prompt_agent.py PATH ANSWER LOG
"""
import json
import os
import socket
import sys

path, answer, log = sys.argv[1], sys.argv[2], sys.argv[3]
if os.path.exists(path):
    os.unlink(path)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(path)
server.listen(8)
with open(log + ".ready", "w") as ready:
    ready.write(str(os.getpid()))
held = []
while True:
    conn, _ = server.accept()
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    if not data:
        conn.close()  # hung up without a question (the monitor refused this agent)
        continue
    request = json.loads(data)
    with open(log, "a") as out:
        out.write(json.dumps(request, sort_keys=True) + "\n")
    if answer == "silent":
        held.append(conn)  # never answered; the monitor times out and closes
        continue
    if answer == "garbage":
        conn.sendall(b"yes please\n")
    elif answer == "wrong-id":
        conn.sendall((json.dumps({"id": "other/1", "answer": "allow-always"}) + "\n").encode())
    else:
        conn.sendall((json.dumps({"id": request["id"], "answer": answer}) + "\n").encode())
    conn.close()
