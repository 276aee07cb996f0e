#!/usr/bin/env python3
"""Vector set benchmark: 20,000 clustered 128-dim float32 vectors generated
deterministically, KNN-10 for 500 queries, M=16, EF_CONSTRUCTION=200,
EF=100, NOQUANT.

Reports build time (VADD pipelined 50 at a time), recall@10 against exact
brute force (numpy when installed, else the server's own VSIM TRUTH), and
queries/s with VSIM pipelined 50 at a time over one connection. If the
hnswlib package is importable, the same data through hnswlib single-threaded
(same M / ef_construction / ef) for comparison.

Usage: benches/vector.py [--port 6379] [--host 127.0.0.1] [--n 20000]
       [--quant NOQUANT|Q8|BIN] (the 0.95 recall gate and hnswlib: NOQUANT)
Point it at a running server (oxidis-server or a Redis 8 redis-server).
Timings mean something only on an idle machine (uptime load < 1).
"""

import argparse
import socket
import struct
import time

DIM = 128
CLUSTERS = 50


def xorshift(seed):
    s = seed
    while True:
        s ^= (s << 13) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 7
        s ^= (s << 17) & 0xFFFFFFFFFFFFFFFF
        yield (s % 1_000_000) / 1_000_000.0


def dataset(n, nq, seed=12345):
    r = xorshift(seed)
    centres = [[next(r) * 2 - 1 for _ in range(DIM)] for _ in range(CLUSTERS)]
    data = []
    for i in range(n):
        c = centres[(i * 7919) % CLUSTERS]
        data.append([x + (next(r) - 0.5) * 0.6 for x in c])
    queries = []
    for i in range(nq):
        c = centres[(i * 104729) % CLUSTERS]
        queries.append([x + (next(r) - 0.5) * 0.6 for x in c])
    return data, queries


def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(1 << 20)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b":"):
            return rest
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(1 << 20)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("unexpected reply %r" % line)

    def pipeline(self, cmds):
        self.s.sendall(b"".join(cmds))
        return [self.reply() for _ in cmds]


def blob(v):
    return struct.pack("<%df" % len(v), *v)


def brute_force(data, queries, k):
    try:
        import numpy as np
    except ImportError:
        return None
    d = np.asarray(data, dtype=np.float32)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    q = np.asarray(queries, dtype=np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    sims = q @ d.T
    return [set(row) for row in np.argsort(-sims, axis=1)[:, :k].tolist()]


def hnswlib_numbers(data, queries, truth, k):
    try:
        import hnswlib
        import numpy as np
    except ImportError:
        print("hnswlib: not installed (pip install hnswlib numpy), skipped")
        return
    d = np.asarray(data, dtype=np.float32)
    q = np.asarray(queries, dtype=np.float32)
    idx = hnswlib.Index(space="cosine", dim=DIM)
    idx.init_index(max_elements=len(data), M=16, ef_construction=200, random_seed=100)
    idx.set_num_threads(1)
    t0 = time.perf_counter()
    idx.add_items(d, np.arange(len(data)))
    build = time.perf_counter() - t0
    idx.set_ef(100)
    t0 = time.perf_counter()
    labels, _ = idx.knn_query(q, k=k)
    qt = time.perf_counter() - t0
    rec = sum(len(set(l.tolist()) & t) for l, t in zip(labels, truth)) / (k * len(queries))
    # One query at a time as well, closer to a server's per-request work.
    t0 = time.perf_counter()
    for row in q:
        idx.knn_query(row.reshape(1, -1), k=k)
    q1 = time.perf_counter() - t0
    print("hnswlib (1 thread): build %.2fs (%.0f inserts/s), recall@10 %.4f, "
          "%.0f queries/s batched, %.0f queries/s one by one"
          % (build, len(data) / build, rec, len(queries) / qt, len(queries) / q1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6379)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--quant", default="NOQUANT", choices=["NOQUANT", "Q8", "BIN"])
    args = ap.parse_args()
    k, batch = 10, 50
    data, queries = dataset(args.n, args.queries)
    c = Conn(args.host, args.port)
    key = "bench:vset"
    c.pipeline([enc("DEL", key)])
    t0 = time.perf_counter()
    for i in range(0, len(data), batch):
        cmds = [enc("VADD", key, "FP32", blob(v), str(i + j), args.quant, "EF", "200", "M", "16")
                for j, v in enumerate(data[i:i + batch])]
        c.pipeline(cmds)
    build = time.perf_counter() - t0
    print("oxidis/redis: %d x %d-dim %s, M=16 EF_CONSTRUCTION=200: build %.2fs (%.0f VADD/s)"
          % (len(data), DIM, args.quant, build, len(data) / build))
    qcmds = [enc("VSIM", key, "FP32", blob(q), "COUNT", str(k), "EF", "100", "NOTHREAD") for q in queries]
    t0 = time.perf_counter()
    results = []
    for i in range(0, len(qcmds), batch):
        results += c.pipeline(qcmds[i:i + batch])
    qt = time.perf_counter() - t0
    truth = brute_force(data, queries, k)
    how = "numpy brute force"
    if truth is None:
        how = "VSIM TRUTH (server-side linear scan)"
        truth = []
        for i in range(0, len(queries), batch):
            tc = [enc("VSIM", key, "FP32", blob(q), "COUNT", str(k), "TRUTH", "NOTHREAD")
                  for q in queries[i:i + batch]]
            truth += [set(int(x) for x in r) for r in c.pipeline(tc)]
    rec = sum(len(set(int(x) for x in r) & t) for r, t in zip(results, truth)) / (k * len(queries))
    print("VSIM COUNT 10 EF 100: recall@10 %.4f (vs %s), %.0f queries/s pipelined %d at a time"
          % (rec, how, len(queries) / qt, batch))
    info = c.pipeline([enc("MEMORY", "USAGE", key)])[0]
    print("MEMORY USAGE %s: %s bytes (%.0f per element)" % (key, info.decode(), int(info) / len(data)))
    if args.quant == "NOQUANT":
        hnswlib_numbers(data, queries, truth, k)
    if rec < 0.95 and args.quant == "NOQUANT":
        raise SystemExit("recall below 0.95")


if __name__ == "__main__":
    main()
