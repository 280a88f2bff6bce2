"""The Python module against its alternatives, in one run.

- 200 small queries (node, neighbors) through one open `smorg.Database` against the same 200 as
  `smorg query` processes (each loads the snapshot): the ratio is what holding the engine open buys.
- import_frames of the 1M-edge organization read into pandas DataFrames, against `smorg import` of
  the same CSV files (both into a new database, the DataFrames' own reading not counted).
- A full PageRank vector of the generated organization: to a NumPy array (`Database.scores`) and to a
  DataFrame (`Database.pagerank(top=0)`), time and peak memory, each in a fresh interpreter; against
  networkx's `pagerank` on the same graph (loaded from the same edge list, the load not counted).
  networkx holds ~1 KB per edge, so its side runs on the 1M-edge organization (BENCH_NX_SCALE); smorg
  also runs on the ~1M-node one (BENCH_PY_SCALE, default 16m) to show the vector at that size.
"""
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PYTHON, Bench, measure, parse_args, table  # noqa: E402

SMALL_QUERIES = 200


def module_env(bench):
    return {"PYTHONPATH": str(bench.build / "python")}


def in_python(bench, code, *args):
    """Runs a snippet in a fresh interpreter with the module; returns (its last JSON line, seconds, peak RSS)."""
    out, seconds, peak = measure([PYTHON, "-c", code] + [str(a) for a in args], env=module_env(bench))
    return json.loads(out.strip().splitlines()[-1]), seconds, peak


SMALL = r"""
import json, sys, time
import smorg
db = smorg.open(sys.argv[1])
requests = json.loads(sys.argv[2])
started = time.perf_counter()
for r in requests:
    a = db.query(r)
    assert a["ok"], a
print(json.dumps({"seconds": time.perf_counter() - started}))
"""

VECTOR = r"""
import json, sys, time
import pandas  # imported before the clock starts: a one-time cost of the interpreter, not of smorg
import smorg
smorg.set_threads(2)
db = smorg.open(sys.argv[1])
started = time.perf_counter()
if sys.argv[2] == "numpy":
    v = db.scores("pagerank", tolerance=1e-9)
    n = len(v)
else:
    frame = db.pagerank(top=0, tolerance=1e-9)
    n = len(frame)
print(json.dumps({"seconds": time.perf_counter() - started, "n": n}))
"""

FRAMES = r"""
import json, sys, time
import pandas as pd
import smorg
smorg.set_threads(2)
nodes = pd.read_csv(sys.argv[1])
edges = pd.read_csv(sys.argv[2])
db = smorg.open(sys.argv[3], create=True)
started = time.perf_counter()
report = db.import_frames(nodes=nodes, edges=edges)
print(json.dumps({"seconds": time.perf_counter() - started, "edges": report["edges_added"]}))
"""

NETWORKX = r"""
import json, sys, time
import networkx as nx
g = nx.read_edgelist(sys.argv[1], create_using=nx.DiGraph, nodetype=int)
started = time.perf_counter()
pr = nx.pagerank(g, tol=1e-9)
print(json.dumps({"seconds": time.perf_counter() - started, "n": len(pr)}))
"""


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    rows = []

    # 200 small queries: one open database against one process each.
    scale = bench.scale("1m")
    db = bench.org_db(scale)
    with open(db.parent / "nodes.csv") as f:
        next(f)
        ids = [line.split(",", 1)[0] for line in f]
    rng = random.Random(7)
    requests = []
    for i in range(SMALL_QUERIES):
        person = rng.choice(ids)
        requests.append({"op": "node", "id": person} if i % 2 == 0 else {"op": "neighbors", "id": person, "limit": 10})
    inside, _, inside_peak = in_python(bench, SMALL, db, json.dumps(requests))
    started = time.perf_counter()
    peak = 0
    for r in requests:
        _, _, p = measure([bench.smorg, "--quiet", "query", "--db", db, json.dumps(r), "--compact"])
        peak = max(peak, p)
    outside = time.perf_counter() - started
    rows.append(bench.record("python_small_queries", scale=scale, queries=SMALL_QUERIES,
                             module_s=round(inside["seconds"], 3), processes_s=round(outside, 2),
                             ratio=round(outside / inside["seconds"], 1), module_peak_mb=round(inside_peak / 2**20)))
    table("200 small queries: the module against smorg query processes", rows,
          ["scale", "queries", "module_s", "processes_s", "ratio", "module_peak_mb"])

    # import_frames against smorg import of the same files.
    folder = db.parent
    frames_db, csv_db = bench.data / "frames.db", bench.data / "csv.db"
    for path in (frames_db, csv_db):
        for extra in ("", "-wal", "-shm", ".snapshot"):
            if os.path.exists(str(path) + extra):
                os.remove(str(path) + extra)
    framed, _, framed_peak = in_python(bench, FRAMES, folder / "nodes.csv", folder / "edges.csv", frames_db)
    _, csv_seconds, csv_peak = measure([bench.smorg, "--threads", 2, "--quiet", "import", "--db", csv_db, "--nodes",
                                        folder / "nodes.csv", "--edges", folder / "edges.csv"])
    imports = [bench.record("python_import_frames", scale=scale, edges=framed["edges"],
                            frames_s=round(framed["seconds"], 2), frames_peak_mb=round(framed_peak / 2**20),
                            csv_s=round(csv_seconds, 2), csv_peak_mb=round(csv_peak / 2**20),
                            ratio=round(framed["seconds"] / csv_seconds, 1))]
    table("import_frames against smorg import of the same CSV (ratio: frames' time / CSV's)", imports,
          ["scale", "edges", "frames_s", "frames_peak_mb", "csv_s", "csv_peak_mb", "ratio"])

    # A full PageRank vector: NumPy and DataFrame, against networkx on the same graph.
    vectors = []
    nx_scale = bench.scale(os.environ.get("BENCH_NX_SCALE", "1m"))
    nx_db = bench.org_db(nx_scale)
    edges = bench.edgelist(nx_scale)
    theirs, _, their_peak = measure([PYTHON, "-c", NETWORKX, edges])
    theirs = json.loads(theirs.strip().splitlines()[-1])
    for form in ("numpy", "frame"):
        ours, _, our_peak = in_python(bench, VECTOR, nx_db, form)
        vectors.append(bench.record("python_pagerank_vector", scale=nx_scale, form=form, nodes=ours["n"],
                                    smorg_s=round(ours["seconds"], 3), smorg_peak_mb=round(our_peak / 2**20),
                                    networkx_s=round(theirs["seconds"], 3), networkx_peak_mb=round(their_peak / 2**20),
                                    ratio=round(theirs["seconds"] / ours["seconds"], 1)))
    big = bench.scale(os.environ.get("BENCH_PY_SCALE", "16m"))
    if big != nx_scale:
        big_db = bench.org_db(big)
        for form in ("numpy", "frame"):
            ours, _, our_peak = in_python(bench, VECTOR, big_db, form)
            vectors.append(bench.record("python_pagerank_vector", scale=big, form=form, nodes=ours["n"],
                                        smorg_s=round(ours["seconds"], 3), smorg_peak_mb=round(our_peak / 2**20)))
    table("PageRank of every node from Python (ratio: networkx's time / smorg's, same graph, same run)", vectors,
          ["scale", "form", "nodes", "smorg_s", "smorg_peak_mb", "networkx_s", "networkx_peak_mb", "ratio"])


if __name__ == "__main__":
    main()
