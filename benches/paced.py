#!/usr/bin/env python3
"""One client sending a GET every PERIOD_US microseconds (make bench's paced
load): prints "<requests/s> <server CPU %> <server CPU µs per request>".

    paced.py PORT SERVER_PID PERIOD_US SECONDS

The next request is due PERIOD_US after the previous one was due (not after
its reply), so the rate stays fixed while the server keeps up. Server CPU is
utime+stime from /proc/PID/stat over the paced run (after 1000 warm-up
requests). The client's timer slack is set to 1 ns so its sleeps end on time.
"""
import ctypes
import os
import socket
import sys
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    port, pid, period_us, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    try:
        ctypes.CDLL(None).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 ns
    except (OSError, AttributeError):
        pass
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = b"*2\r\n$3\r\nGET\r\n$9\r\npaced:key\r\n"

    def roundtrip():
        s.sendall(req)
        if not s.recv(64):
            sys.exit("paced.py: server closed the connection")

    for _ in range(1000):
        roundtrip()
    period = period_us / 1e6
    c0, t0 = cpu_seconds(pid), time.monotonic()
    due, n = t0, 0
    while True:
        roundtrip()
        n += 1
        due += period
        now = time.monotonic()
        if now - t0 >= secs:
            break
        if due > now:
            time.sleep(due - now)
    c1, t1 = cpu_seconds(pid), time.monotonic()
    print(f"{n / (t1 - t0):.0f} {100 * (c1 - c0) / (t1 - t0):.1f} {1e6 * (c1 - c0) / n:.2f}")


if __name__ == "__main__":
    main()
