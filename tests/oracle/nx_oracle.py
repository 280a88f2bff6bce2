"""networkx as an independent oracle for smorg's algorithms.

Reads one JSON request on stdin:
  {"edges": "<edge list>", "columns": ["source", "target", ...], "directed": true, "weighted": false,
   "algorithm": "pagerank", "params": {...}}
builds the graph exactly as a smorg view sees the data -- parallel arcs merged with their weights
summed (or weight 1 when unweighted), undirected ties merged the same way, self-loops kept -- runs the
networkx algorithm and prints {"scores": {"<node id>": value, ...}}.
"""
import gzip
import json
import sys

import networkx as nx


def read_edges(path, columns):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#%":
                continue
            fields = line.replace(",", " ").split()
            row = dict(zip(columns, fields))
            weight = float(row.get("weight", 1))
            if weight == 0:
                continue  # smorg skips 0-weight lines of edge lists
            yield row["source"], row["target"], weight


def build(request):
    directed = request.get("directed", True)
    weighted = request.get("weighted", True)
    graph = nx.DiGraph() if directed else nx.Graph()
    for u, v, w in read_edges(request["edges"], request.get("columns", ["source", "target"])):
        graph.add_node(u)
        graph.add_node(v)
        if not weighted:
            graph.add_edge(u, v, weight=1.0)
        elif graph.has_edge(u, v):
            graph[u][v]["weight"] += w
        else:
            graph.add_edge(u, v, weight=w)
    return graph


def path_weight(graph, request, params):
    """The edge attribute networkx should add up along paths: smorg's weight is tie strength, so a
    path's length is the sum of 1 / weight unless weight_as is "length"."""
    if not request.get("weighted", True):
        return None
    if params.get("weight_as", "strength") == "length":
        return "weight"
    for _, _, data in graph.edges(data=True):
        data["length"] = 1.0 / data["weight"]
    return "length"


def run(request):
    graph = build(request)
    algorithm = request["algorithm"]
    params = request.get("params", {})
    weight = "weight" if request.get("weighted", True) else None
    if algorithm == "betweenness":
        return nx.betweenness_centrality(graph, normalized=params.get("normalized", True),
                                         endpoints=params.get("endpoints", False),
                                         weight=path_weight(graph, request, params))
    if algorithm in ("closeness", "harmonic"):
        distance = path_weight(graph, request, params)
        # networkx measures distances to a node (incoming); "out" is the same on the reversed graph.
        g = graph.reverse() if graph.is_directed() and params.get("direction", "in") == "out" else graph
        if algorithm == "closeness":
            return nx.closeness_centrality(g, distance=distance, wf_improved=params.get("wf_improved", True))
        scores = nx.harmonic_centrality(g, distance=distance)
        if params.get("normalized"):
            scores = {k: v / (g.number_of_nodes() - 1) for k, v in scores.items()}
        return scores
    if algorithm == "eigenvector":
        return nx.eigenvector_centrality(graph, max_iter=params.get("max_iterations", 100),
                                         tol=params.get("tolerance", 1e-6), weight=weight)
    if algorithm == "katz":
        return nx.katz_centrality(graph, alpha=params.get("alpha", 0.1), beta=params.get("beta", 1.0),
                                  max_iter=params.get("max_iterations", 1000), tol=params.get("tolerance", 1e-6),
                                  normalized=params.get("normalized", True), weight=weight)
    if algorithm == "largest_eigenvalue":
        # The spectral radius of the adjacency by ARPACK (scipy), independent of smorg's power iteration.
        import numpy
        import scipy.sparse.linalg
        matrix = nx.to_scipy_sparse_array(graph, weight=weight, dtype=float)
        values = scipy.sparse.linalg.eigs(matrix, k=1, which="LM", return_eigenvectors=False, tol=1e-12)
        return {"lambda": float(numpy.abs(values[0]))}
    if algorithm == "pagerank":
        return nx.pagerank(graph, alpha=params.get("damping", 0.85), tol=params.get("tolerance", 1e-6),
                           max_iter=params.get("max_iterations", 100), weight=weight,
                           personalization=params.get("sources"), dangling=params.get("dangling"))
    if algorithm == "degree":
        direction = params.get("direction", "total")
        if graph.is_directed() and direction == "in":
            degrees = graph.in_degree(weight=weight)
        elif graph.is_directed() and direction == "out":
            degrees = graph.out_degree(weight=weight)
        else:
            degrees = graph.degree(weight=weight)
        scale = 1.0 / (graph.number_of_nodes() - 1) if params.get("normalized") else 1.0
        return {n: d * scale for n, d in degrees}
    raise SystemExit(f"unknown algorithm {algorithm}")


if __name__ == "__main__":
    request = json.load(sys.stdin)
    scores = run(request)
    print(json.dumps({"scores": {str(k): float(v) for k, v in scores.items()}}))
