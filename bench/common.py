"""Shared plumbing for smorg's benchmarks: the standard graphs, timing with peak memory, peers.

Every benchmark measures smorg and a peer (igraph, networkx, graph-tool) on the same graph in the
same run and prints the ratio, because this machine is shared and absolute times drift.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

# The standard generated graphs: sample organizations at three scales (see `smorg generate`).
# Keys are the names benchmarks use; values are generator arguments.
SCALES = {
    # ~16k nodes, ~250k edges
    "250k": ["--employees", "500", "--customers", "12800", "--influencers", "80", "--interactions-per-customer", "15"],
    # ~65k nodes, ~1M edges
    "1m": ["--employees", "2000", "--customers", "52000", "--influencers", "300", "--interactions-per-customer", "15"],
    # ~1M nodes, ~16M edges
    "16m": ["--employees", "20000", "--customers", "820000", "--influencers", "2000", "--interactions-per-customer", "15"],
}
SMALL = {"250k": "250k", "1m": "250k", "16m": "250k"}


def parse_args(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--build", required=True, help="build directory (e.g. build/release)")
    args = parser.parse_args()
    args.build = Path(args.build).resolve()
    return args


class Bench:
    def __init__(self, build):
        self.build = Path(build)
        self.smorg = self.build / "cli" / "smorg"
        self.data = self.build / "bench-data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.results = self.build / "bench" / "results.jsonl"
        self.results.parent.mkdir(parents=True, exist_ok=True)
        self.small = os.environ.get("BENCH_SCALE") == "small"

    def program(self, name):
        return str(self.build / "bench" / f"smorg_bench_{name}")

    def scale(self, name):
        return SMALL[name] if self.small else name

    def org(self, scale):
        """Generates (once) the sample organization at `scale`; returns its folder."""
        scale = self.scale(scale)
        folder = self.data / f"org-{scale}"
        if not (folder / "edges.csv").exists():
            run([str(self.smorg), "generate", "--out", str(folder), "--seed", "7"] + SCALES[scale])
        return folder

    def org_db(self, scale):
        """The sample organization at `scale` imported into a database (once); returns its path."""
        folder = self.org(scale)
        db = folder / "org.db"
        if not db.exists():
            run([str(self.smorg), "import", "--db", str(db), "--nodes", str(folder / "nodes.csv"),
                 "--edges", str(folder / "edges.csv")])
        return db

    def edgelist(self, scale, weighted=False, undirected=False):
        """The same graph as a plain integer edge list ("u v [w]" by smorg's node index), for peers.
        Undirected lists hold each tie once (both directions merged, weights summed)."""
        db = self.org_db(scale)
        name = "edges" + ("-undirected" if undirected else "") + ("-weighted" if weighted else "") + ".txt"
        path = db.parent / name
        if not path.exists():
            args = [self.program("export_edgelist"), "--db", str(db), "--out", str(path)]
            if weighted:
                args.append("--weighted")
            if undirected:
                args.append("--undirected")
            run(args)
        return path

    def query(self, db, request, threads=2):
        """Runs one request through `smorg query`; returns (result, engine seconds (took_ms), peak RSS)."""
        out, _, peak = measure([self.smorg, "--threads", threads, "--quiet", "query", "--db", db, json.dumps(request),
                                "--compact"])
        response = json.loads(out)
        if not response.get("ok"):
            raise RuntimeError(response)
        return response["result"], response["took_ms"] / 1000, peak

    def record(self, benchmark, **fields):
        row = {"benchmark": benchmark, "time": time.strftime("%Y-%m-%dT%H:%M:%S"), "small": self.small, **fields}
        with open(self.results, "a") as out:
            out.write(json.dumps(row) + "\n")
        return row


def measure(args, env=None, echo_stderr=False):
    """Runs a command; returns (stdout, seconds, peak RSS of that process in bytes). Raises on failure."""
    import tempfile
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen([str(a) for a in args], stdout=out, stderr=None if echo_stderr else err,
                                env={**os.environ, **(env or {})}, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"command failed ({proc.returncode}): {shlex.join(map(str, args))}\n{err.read()}")
        return out.read(), seconds, usage.ru_maxrss * 1024


run = measure


def peer(code, *args):
    """Runs a Python snippet in the Debian interpreter (which has igraph/networkx/graph-tool).
    The snippet prints one JSON object on its last line; returns (that object, seconds, peak RSS)."""
    out, seconds, peak = measure([PYTHON, "-c", code] + [str(a) for a in args])
    return json.loads(out.strip().splitlines()[-1]), seconds, peak


def table(title, rows, columns):
    """Prints rows (dicts) as an aligned table."""
    print(f"\n{title}")
    widths = [max(len(c), *(len(fmt(r.get(c))) for r in rows)) for c in columns]
    print("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  " + "  ".join(fmt(r.get(c)).ljust(w) for c, w in zip(columns, widths)))
    sys.stdout.flush()


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
