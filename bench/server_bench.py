"""`smorg serve` under load, and the same small queries as separate `smorg query` processes.

On the ~1M-edge sample organization:
- sustained load: CLIENTS concurrent clients (one HTTP/1.1 keep-alive connection each) send a mixed
  workload (stats, node, neighbors, path, PageRank top 10, CRV top 10) for SECONDS; throughput,
  p50/p95/p99 latency, errors (must be 0), and the server's resident memory after a 5 s round of the
  same load and at the end (growth must stay under 10%: what a leak would show);
- the peer in the same run: 200 small queries through the server against the same 200 as `smorg query`
  processes (each loads the snapshot); the ratio must exceed what 200 snapshot loads cost.
Talks to 127.0.0.1 only.
"""
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, parse_args, table  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
SMALL_QUERIES = 200


def rss(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def workload(ids):
    """The mixed requests, each with its share of the traffic."""
    a, b = ids[0], ids[-1]
    return [
        {"op": "stats"},
        {"op": "node", "id": random.choice(ids)},
        {"op": "neighbors", "id": random.choice(ids)},
        {"op": "path", "source": a, "target": b},
        {"op": "centrality", "algorithm": "pagerank", "top": 10},
        {"op": "crv", "top": 10},
    ]


class Client:
    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def ask(self, request):
        body = json.dumps(request)
        for attempt in range(2):
            try:
                self.connection.request("POST", "/v1/query", body=body, headers={"Content-Type": "application/json"})
                response = self.connection.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.RemoteDisconnected):
                # The server closes a connection idle past its keep-alive timeout: open a new one.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 1:
                    raise


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    k = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    scale = bench.scale("1m")
    db = bench.org_db(scale)
    smorg = str(bench.smorg)
    nodes_csv = db.parent / "nodes.csv"
    with open(nodes_csv) as f:
        next(f)
        ids = [line.split(",", 1)[0] for _, line in zip(range(2000), f)]

    server = subprocess.Popen([smorg, "--quiet", "serve", "--db", str(db), "--listen", "127.0.0.1:0",
                               "--max-concurrent", str(CLIENTS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"at http://[^:/]+:(\d+)/", line).group(1))
        warm = Client(port)
        for request in workload(ids):
            status, text = warm.ask(request)
            if status != 200:
                raise RuntimeError(f"{request}: {status} {text[:200]}")
        latencies, errors, lock = [], [0], threading.Lock()

        def load(seconds, record):
            deadline = time.perf_counter() + seconds

            def run_client(seed):
                rng = random.Random(seed)
                client = Client(port)
                mine = []
                while time.perf_counter() < deadline:
                    request = rng.choice(workload(ids))
                    started = time.perf_counter()
                    status, _ = client.ask(request)
                    mine.append(time.perf_counter() - started)
                    if status != 200:
                        with lock:
                            errors[0] += 1
                if record:
                    with lock:
                        latencies.extend(mine)

            threads = [threading.Thread(target=run_client, args=(i,)) for i in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        # A first round at full concurrency fills the allocator's per-thread arenas; growth after it
        # is what the server keeps.
        load(min(5.0, SECONDS), False)
        rss_start = rss(server.pid)
        started = time.perf_counter()
        load(SECONDS, True)
        elapsed = time.perf_counter() - started
        rss_end = rss(server.pid)
        latencies.sort()

        # The peer: the same small queries, through the server and as separate processes.
        small = [{"op": "node", "id": ids[i % len(ids)]} for i in range(SMALL_QUERIES)]
        t0 = time.perf_counter()
        for request in small:
            warm.ask(request)
        served = time.perf_counter() - t0
        t0 = time.perf_counter()
        for request in small:
            subprocess.run([smorg, "--quiet", "query", "--db", str(db), json.dumps(request), "--compact"], check=True,
                           stdout=subprocess.DEVNULL)
        processes = time.perf_counter() - t0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()

    row = bench.record("server", scale=scale, clients=CLIENTS, seconds=round(elapsed, 2), requests=len(latencies),
                       throughput=round(len(latencies) / elapsed, 1),
                       p50_ms=round(percentile(latencies, 50) * 1000, 2),
                       p95_ms=round(percentile(latencies, 95) * 1000, 2),
                       p99_ms=round(percentile(latencies, 99) * 1000, 2), errors=errors[0],
                       rss_start_mb=round(rss_start / 2**20, 1), rss_end_mb=round(rss_end / 2**20, 1),
                       rss_growth=round(rss_end / rss_start - 1, 3) if rss_start else None,
                       served_200_s=round(served, 3), processes_200_s=round(processes, 3),
                       ratio=round(processes / served, 1))
    table("smorg serve: sustained mixed load", [row],
          ["scale", "clients", "requests", "throughput", "p50_ms", "p95_ms", "p99_ms", "errors", "rss_start_mb",
           "rss_end_mb", "rss_growth"])
    table(f"{SMALL_QUERIES} node queries: one server vs one process each", [row],
          ["served_200_s", "processes_200_s", "ratio"])
    if errors[0] or (row["rss_growth"] is not None and row["rss_growth"] > 0.10):
        sys.exit(1)


if __name__ == "__main__":
    main()
