"""Independent computations for the silo-map tests (networkx and igraph).

Reads one JSON request on stdin and prints one JSON object:
  {"task": "silos", "edges": F, "labels": F}
      E-I per department, the department mixing counts and the departments' modularity on the
      undirected simple graph of ties (self-loops left out), as networkx computes them;
  {"task": "spanners", "edges": F, "attributes": F, "group": "DEPT"}
      per person: ties into other groups, groups reached, cross-group betweenness by enumerating
      every shortest path between people of different groups, Burt's constraint and effective size;
  {"task": "multilevel", "edges": F, "runs": 5}
      the best modularity igraph's community_multilevel and community_leiden reach on the undirected
      unweighted graph, scored with networkx's modularity (the convention smorg uses).
"""
import csv
import itertools
import json
import random
import sys

import networkx as nx


def read_pairs(path, with_tie=False):
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or line.startswith("#"):
                continue
            if with_tie and float(fields[2]) == 0:
                continue
            yield fields[0], fields[1]


def ties_graph(path, with_tie=False):
    g = nx.Graph()
    for u, v in read_pairs(path, with_tie):
        g.add_node(u)
        g.add_node(v)
        if u != v:
            g.add_edge(u, v)
    return g


def silos(request):
    g = ties_graph(request["edges"])
    dept = {}
    with open(request["labels"]) as f:
        for line in f:
            node, d = line.split()
            dept[node] = d
            g.add_node(node)
    nx.set_node_attributes(g, dept, "department")
    groups = {}
    for d in set(dept.values()):
        members = {u for u in g if dept[u] == d}
        internal = sum(1 for u, v in g.edges() if dept[u] == d and dept[v] == d)
        external = sum(1 for u, v in g.edges() if (dept[u] == d) != (dept[v] == d))
        groups[d] = {"size": len(members), "internal": internal, "external": external,
                     "ei": (external - internal) / (external + internal) if external + internal else 0.0}
    mixing = nx.attribute_mixing_dict(g, "department")
    partition = [{u for u in g if dept[u] == d} for d in set(dept.values())]
    return {"groups": groups, "mixing": {a: dict(b) for a, b in mixing.items()},
            "modularity": nx.algorithms.community.modularity(g, partition)}


def spanners(request):
    g = ties_graph(request["edges"], with_tie=True)
    group = {}
    with open(request["attributes"]) as f:
        for row in csv.DictReader(f):
            group[row["ID"]] = row[request["group"]]
            g.add_node(row["ID"])
    n = g.number_of_nodes()
    between = dict.fromkeys(g, 0.0)
    for s, t in itertools.combinations(g.nodes(), 2):
        if group[s] == group[t] or not nx.has_path(g, s, t):
            continue
        paths = list(nx.all_shortest_paths(g, s, t))
        for p in paths:
            for v in p[1:-1]:
                between[v] += 2.0 / len(paths)  # both orders of the pair, as Brandes counts them
    scale = 1.0 / ((n - 1) * (n - 2))
    constraint = nx.constraint(g)
    size = nx.effective_size(g)
    out = {}
    for u in g:
        others = [v for v in g[u] if group[v] != group[u]]
        out[u] = {"ties_out": len(others), "groups_reached": len({group[v] for v in others}),
                  "betweenness": between[u] * scale, "constraint": constraint[u], "effective_size": size[u]}
    return out


def burt(request):
    """Burt's constraint and effective size (networkx's definitions) and the modularity of the formal
    groups, on a weighted edge list read as smorg reads it: directed arcs, or undirected ties whose
    weight is the sum of both directions; no self-loops."""
    directed = request["directed"]
    weighted = request["weighted"]
    g = nx.DiGraph() if directed else nx.Graph()
    group = {}
    with open(request["attributes"]) as f:
        for row in csv.DictReader(f):
            group[row["ID"]] = row[request["group"]]
            g.add_node(row["ID"])
    with open(request["edges"]) as f:
        for line in f:
            a, b, w = line.split()
            if a == b:
                continue
            w = float(w) if weighted else 1.0
            if g.has_edge(a, b) and weighted:
                g[a][b]["weight"] += w
            else:
                g.add_edge(a, b, weight=w)
    weight = "weight"
    constraint = nx.constraint(g, weight=weight)
    size = nx.effective_size(g, weight=weight)
    partition = [{u for u in g if group[u] == d} for d in set(group.values())]
    return {"constraint": constraint, "effective_size": size,
            "modularity": nx.algorithms.community.modularity(g, partition, weight=weight)}


def partition(request):
    """networkx's modularity of a given membership (directed: Leicht & Newman) on an edge list read as
    smorg reads it (parallel arcs merged, self-loops kept)."""
    g = nx.DiGraph() if request["directed"] else nx.Graph()
    with open(request["edges"]) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or line.startswith("#"):
                continue
            g.add_edge(fields[0], fields[1])
    parts = {}
    for node, community in request["membership"].items():
        parts.setdefault(community, set()).add(node)
    return {"modularity": nx.algorithms.community.modularity(g, list(parts.values()))}


def components(request):
    """Sizes of the weakly and strongly connected components (largest first) and, per node, which
    nodes share its component (as the sorted smallest member), on an edge list read as smorg reads it."""
    g = nx.DiGraph()
    with open(request["edges"]) as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2 or line.startswith("#"):
                continue
            g.add_edge(fields[0], fields[1])
    out = {}
    for name, parts in (("weak", nx.weakly_connected_components(g)), ("strong", nx.strongly_connected_components(g))):
        parts = [sorted(p) for p in parts]
        out[name] = {"sizes": sorted((len(p) for p in parts), reverse=True),
                     "representative": {u: min(p) for p in parts for u in p}}
    return out


def multilevel(request):
    import igraph
    g = igraph.Graph.Read_Edgelist(request["edges"], directed=False)
    g.simplify(multiple=True, loops=False)
    h = nx.Graph()
    h.add_nodes_from(range(g.vcount()))
    h.add_edges_from(g.get_edgelist())
    best = {"multilevel": -1.0, "leiden": -1.0}
    for run in range(request.get("runs", 5)):
        random.seed(run)
        igraph.set_random_number_generator(random)
        for name, clustering in (("multilevel", g.community_multilevel()),
                                 ("leiden", g.community_leiden(objective_function="modularity", n_iterations=-1))):
            parts = {}
            for v, c in enumerate(clustering.membership):
                parts.setdefault(c, set()).add(v)
            best[name] = max(best[name], nx.algorithms.community.modularity(h, list(parts.values())))
    return best


if __name__ == "__main__":
    request = json.load(sys.stdin)
    print(json.dumps({"silos": silos, "spanners": spanners, "burt": burt, "partition": partition, "components": components, "multilevel": multilevel}[request["task"]](request)))
