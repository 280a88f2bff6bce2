"""The centrality suite against igraph and graph-tool, on the same graphs in the same run.

- exact betweenness on the ~16k-node / ~250k-edge sample organization (directed, unweighted):
  smorg at 1 and 2 threads, python-igraph (one thread), graph-tool (OpenMP, 2 threads);
- betweenness from 1024 source pivots on the ~65k-node / ~1M-edge graph, smorg vs graph-tool's pivots;
- sampled betweenness with epsilon = 0.01, delta = 0.1 on the ~16M-edge graph (undirected), and the
  agreement of its top 100 with the exact top 100 on the 250k-edge graph;
- closeness, harmonic and eigenvector centrality on the ~1M-edge graph, smorg vs igraph.

smorg runs through `smorg query` (the time is the engine's took_ms, view building included); peers
read the same integer edge list (parallel arcs merged, exactly smorg's view).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import PYTHON, Bench, measure, parse_args, peer, table  # noqa: E402

IGRAPH = """
import json, sys, time, igraph
g = igraph.Graph.Read_Edgelist(sys.argv[1], directed=sys.argv[3] == "directed")
n = int(sys.argv[4])
if g.vcount() < n:
    g.add_vertices(n - g.vcount())
what = sys.argv[2]
t = time.perf_counter()
if what == "betweenness":
    scores = g.betweenness(directed=True)
elif what == "closeness":
    scores = g.closeness(mode="in")
elif what == "harmonic":
    scores = g.harmonic_centrality(mode="in", normalized=False)
elif what == "eigenvector":
    scores = g.eigenvector_centrality(directed=False, scale=False)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "scores": [s if s == s else 0.0 for s in scores]}))
"""

GRAPH_TOOL = """
import json, sys, time
import graph_tool.all as gt
g = gt.load_graph_from_csv(sys.argv[1], directed=True, csv_options={"delimiter": " "}, hashed=False)
n = int(sys.argv[3])
if g.num_vertices() < n:
    g.add_vertex(n - g.num_vertices())
pivots = int(sys.argv[2])
t = time.perf_counter()
if pivots > 0:
    import numpy
    rng = numpy.random.default_rng(7)
    chosen = rng.choice(g.num_vertices(), size=pivots, replace=False)
    vb, eb = gt.betweenness(g, pivots=chosen, norm=False)
else:
    vb, eb = gt.betweenness(g, norm=False)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "threads": gt.openmp_get_num_threads()}))
"""


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    small_db = bench.org_db(bench.scale("250k"))
    small_edges = bench.edgelist(bench.scale("250k"))
    mid_db = bench.org_db(bench.scale("1m"))
    mid_edges = bench.edgelist(bench.scale("1m"))
    undirected_mid = bench.edgelist(bench.scale("1m"), undirected=True)

    # ---- exact betweenness, 250k edges ----
    request = {"op": "centrality", "algorithm": "betweenness", "weighted": False, "normalized": False, "top": 100}
    rows = []
    ours = {}
    for threads in (1, 2):
        result, seconds, peak = bench.query(small_db, request, threads)
        ours[threads] = seconds
        rows.append({"who": f"smorg, {threads} thread(s)", "seconds": seconds, "peak MB": peak / 1e6})
    nodes = result["nodes"]
    exact_top = [row["id"] for row in result["rows"]]
    ig, _, ig_peak = peer(IGRAPH, small_edges, "betweenness", "directed", nodes)
    gt_out, _, gt_peak = measure([PYTHON, "-c", GRAPH_TOOL, small_edges, 0, nodes], env={"OMP_NUM_THREADS": "2"})
    gt = json.loads(gt_out.strip().splitlines()[-1])
    rows.append({"who": "igraph (1 thread)", "seconds": ig["seconds"], "peak MB": ig_peak / 1e6,
                 "smorg 2 threads faster by": ig["seconds"] / ours[2]})
    rows.append({"who": f"graph-tool ({gt['threads']} threads)", "seconds": gt["seconds"], "peak MB": gt_peak / 1e6,
                 "smorg 2 threads faster by": gt["seconds"] / ours[2]})
    table(f"exact betweenness, {nodes:,} nodes (goal: faster than both peers at 2 threads)", rows,
          ["who", "seconds", "peak MB", "smorg 2 threads faster by"])
    bench.record("betweenness_exact", nodes=nodes, smorg_1=ours[1], smorg_2=ours[2], igraph=ig["seconds"],
                 graph_tool=gt["seconds"])

    # ---- 1024 source pivots, 1M edges ----
    request = {"op": "centrality", "algorithm": "betweenness", "weighted": False, "normalized": False, "pivots": 1024,
               "top": 10}
    result, seconds, peak = bench.query(mid_db, request, 2)
    mid_nodes = result["nodes"]
    gt_out, _, gt_peak = measure([PYTHON, "-c", GRAPH_TOOL, mid_edges, 1024, mid_nodes], env={"OMP_NUM_THREADS": "2"})
    gt = json.loads(gt_out.strip().splitlines()[-1])
    table(f"betweenness from 1024 source pivots, {mid_nodes:,} nodes",
          [{"who": "smorg, 2 threads", "seconds": seconds, "peak MB": peak / 1e6, "ratio": gt["seconds"] / seconds},
           {"who": f"graph-tool pivots ({gt['threads']} threads)", "seconds": gt["seconds"], "peak MB": gt_peak / 1e6}],
          ["who", "seconds", "peak MB", "ratio"])
    bench.record("betweenness_pivots", nodes=mid_nodes, smorg_2=seconds, graph_tool=gt["seconds"])

    # ---- sampled betweenness: epsilon 0.01, delta 0.1 ----
    sampled = {"op": "centrality", "algorithm": "betweenness", "weighted": False, "directed": False, "epsilon": 0.01,
               "delta": 0.1, "seed": 7, "top": 100}
    small_sampled, small_seconds, _ = bench.query(small_db, sampled, 2)
    exact_undirected, exact_seconds, _ = bench.query(
        small_db, {"op": "centrality", "algorithm": "betweenness", "weighted": False, "directed": False, "top": 100}, 2)
    agreement = len(set(r["id"] for r in small_sampled["rows"]) & set(r["id"] for r in exact_undirected["rows"]))
    big_db = bench.org_db(bench.scale("16m"))
    big, big_seconds, big_peak = bench.query(big_db, sampled, 2)
    table("sampled betweenness, epsilon 0.01, delta 0.1 (undirected), 2 threads",
          [{"graph": f"{small_sampled['nodes']:,} nodes (250k edges)", "seconds": small_seconds,
            "samples": small_sampled["samples"], "error bound": small_sampled["error_bound"],
            "top-100 overlap with exact": f"{agreement}/100", "exact seconds": exact_seconds},
           {"graph": f"{big['nodes']:,} nodes (16M edges)", "seconds": big_seconds, "samples": big["samples"],
            "error bound": big["error_bound"], "peak MB": big_peak / 1e6}],
          ["graph", "seconds", "samples", "error bound", "top-100 overlap with exact", "exact seconds", "peak MB"])
    bench.record("betweenness_sampled", top100_overlap=agreement, small_seconds=small_seconds, big_seconds=big_seconds,
                 big_samples=big["samples"], big_nodes=big["nodes"])

    # ---- closeness, harmonic, eigenvector on 1M edges vs igraph ----
    rows = []
    for algorithm, extra, graph, mode in (("closeness", {}, mid_edges, "directed"),
                                          ("harmonic", {}, mid_edges, "directed"),
                                          ("eigenvector", {"directed": False, "tolerance": 1e-10}, undirected_mid, "undirected")):
        request = {"op": "centrality", "algorithm": algorithm, "weighted": False, "top": 10, **extra}
        _, seconds, peak = bench.query(mid_db, request, 2)
        ig, _, ig_peak = peer(IGRAPH, graph, algorithm, mode, mid_nodes)
        rows.append({"algorithm": algorithm, "smorg 2 threads s": seconds, "igraph s": ig["seconds"],
                     "ratio": ig["seconds"] / seconds, "smorg peak MB": peak / 1e6, "igraph peak MB": ig_peak / 1e6})
        bench.record(algorithm, nodes=mid_nodes, smorg_2=seconds, igraph=ig["seconds"])
    table(f"closeness, harmonic, eigenvector, {mid_nodes:,} nodes (ratio = igraph / smorg)", rows,
          ["algorithm", "smorg 2 threads s", "igraph s", "ratio", "smorg peak MB", "igraph peak MB"])


if __name__ == "__main__":
    main()
