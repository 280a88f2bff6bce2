"""Import throughput, snapshot memory and reopen time on the ~16M-edge sample organization.

smorg: `smorg import` of nodes.csv + edges.csv into a fresh database (parse, check, SQLite store in one
transaction, snapshot build and its cache). Peer, same run: python-igraph reading the same edges
(`Read_Ncol` on "source target weight" with the same string ids, and `Read_Edgelist` on the integer
edge list, igraph's plain fastest read). Goals: smorg's import, store included, takes less time than
igraph's plain read; snapshot <= 24 bytes per edge; reopening the database < 1 s.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, measure, parse_args, peer, table  # noqa: E402

IGRAPH_NCOL = """
import json, sys, time, igraph
t = time.perf_counter()
g = igraph.Graph.Read_Ncol(sys.argv[1], weights=True, directed=True)
print(json.dumps({"seconds": time.perf_counter() - t, "nodes": g.vcount(), "edges": g.ecount()}))
"""
IGRAPH_EDGELIST = """
import json, sys, time, igraph
t = time.perf_counter()
g = igraph.Graph.Read_Edgelist(sys.argv[1], directed=True)
print(json.dumps({"seconds": time.perf_counter() - t, "nodes": g.vcount(), "edges": g.ecount()}))
"""


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    scale = bench.scale("16m")
    folder = bench.org(scale)
    nodes_csv, edges_csv = folder / "nodes.csv", folder / "edges.csv"
    csv_bytes = nodes_csv.stat().st_size + edges_csv.stat().st_size

    # The same edges for igraph: "source target weight" with the same ids (not timed).
    ncol = folder / "edges.ncol"
    if not ncol.exists():
        with open(edges_csv) as src, open(ncol, "w") as out:
            next(src)
            for line in src:
                f = line.split(",", 4)
                out.write(f"{f[0]} {f[1]} {f[3]}\n")

    db = folder / "import-bench.db"
    for suffix in ("", "-wal", "-shm", ".snapshot"):
        if os.path.exists(str(db) + suffix):
            os.remove(str(db) + suffix)
    out, seconds, peak = measure([bench.smorg, "import", "--db", db, "--nodes", nodes_csv, "--edges", edges_csv,
                                  "--json", "--quiet"])
    report = json.loads(out)["result"]
    edges = report["edges_added"]

    # igraph's own read time (interpreter start-up excluded) against smorg's whole process: the
    # comparison leans towards the peer.
    ig_ncol, _, ncol_peak = peer(IGRAPH_NCOL, ncol)
    ncol_wall = ig_ncol["seconds"]
    integer_list = bench.edgelist(scale)  # exported from the imported database: the same graph
    ig_el, _, el_peak = peer(IGRAPH_EDGELIST, integer_list)
    el_wall = ig_el["seconds"]

    snap, reopen_wall, reopen_peak = measure([bench.program("snapshot"), "--db", db])
    snap = json.loads(snap)

    rows = [
        {"what": "smorg import (CSV -> store + snapshot)", "seconds": seconds, "MB/s": csv_bytes / seconds / 1e6,
         "edges/s": edges / seconds, "peak MB": peak / 1e6},
        {"what": "igraph Read_Ncol (same ids, weights)", "seconds": ncol_wall, "edges/s": edges / ncol_wall,
         "peak MB": ncol_peak / 1e6, "ratio": ncol_wall / seconds},
        {"what": "igraph Read_Edgelist (integers only)", "seconds": el_wall, "edges/s": edges / el_wall,
         "peak MB": el_peak / 1e6, "ratio": el_wall / seconds},
    ]
    table(f"import of {edges:,} edges, {csv_bytes / 1e6:.0f} MB of CSV (ratio = igraph time / smorg time; goal > 1)",
          rows, ["what", "seconds", "MB/s", "edges/s", "peak MB", "ratio"])
    table("snapshot", [{"bytes/edge": snap["bytes_per_edge"], "goal": "<= 24", "memory MB": snap["memory_bytes"] / 1e6,
                        "reopen s": snap["open_seconds"], "reopen process s": reopen_wall,
                        "reopen peak MB": reopen_peak / 1e6}],
          ["bytes/edge", "goal", "memory MB", "reopen s", "reopen process s", "reopen peak MB"])
    bench.record("import", edges=edges, csv_bytes=csv_bytes, seconds=seconds, peak_bytes=peak,
                 igraph_ncol_seconds=ncol_wall, igraph_edgelist_seconds=el_wall,
                 bytes_per_edge=snap["bytes_per_edge"], reopen_seconds=snap["open_seconds"])


if __name__ == "__main__":
    main()
