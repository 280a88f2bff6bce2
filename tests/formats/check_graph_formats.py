#!/usr/bin/env python3
"""Graph files import as networkx reads them, and smorg's own exports import back unchanged.

For each graph below, networkx writes GraphML, GEXF, GML and Pajek (igraph writes GraphML, GML and
Pajek too); `smorg import` reads the file into a fresh database and `smorg query` exports it as
node-link JSON, which is compared with what networkx's reader makes of the same file: the same node
ids, the same attributes with the same values, the same edges (with their weights) as a multiset.
Then smorg's GraphML and GEXF exports of a database with every attribute type are imported again and
must give the same nodes, kinds, attributes and edges.

Usage: check_graph_formats.py --smorg build/release/cli/smorg --data ../shared/data
"""
import argparse
import collections
import json
import math
import os
import subprocess
import sys
import tempfile

import networkx as nx

try:
    import igraph
except ImportError:  # igraph is installed by scripts/setup.sh; without it its files are not checked
    igraph = None


def run(smorg, *args, expect_ok=True):
    proc = subprocess.run([smorg, *args], capture_output=True, text=True, timeout=300)
    if expect_ok and proc.returncode != 0:
        raise AssertionError(f"smorg {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def query(smorg, db, request):
    proc = run(smorg, "query", "--db", db, json.dumps(request))
    answer = json.loads(proc.stdout)
    assert answer["ok"], answer
    return answer["result"]


def import_file(smorg, db, path, *extra):
    proc = run(smorg, "import", "--db", db, "--edges", path, "--json", *extra)
    return json.loads(proc.stdout)["result"]


def exported(smorg, db):
    """Nodes {id: attributes} and edges [(source, target, weight, kind)] of the whole database."""
    graph = query(smorg, db, {"op": "export", "format": "node_link"})["graph"]
    nodes = {}
    for n in graph["nodes"]:
        attrs = dict(n)
        node_id = attrs.pop("id")
        nodes[node_id] = attrs
    edges = collections.Counter((l["source"], l["target"], float(l["weight"]), l["kind"]) for l in graph["links"])
    return nodes, edges


def same_value(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b) and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
    return a == b


def compare_with_networkx(label, nx_graph, nodes, edges, skip_attributes=(), rename=None):
    rename = rename or {}
    problems = []
    nx_ids = {str(n) for n in nx_graph.nodes}
    if nx_ids != set(nodes):
        problems.append(f"node ids differ: only networkx {sorted(nx_ids - set(nodes))[:5]}, "
                        f"only smorg {sorted(set(nodes) - nx_ids)[:5]}")
    for n, data in nx_graph.nodes(data=True):
        mine = nodes.get(str(n), {})
        for key, value in data.items():
            if key in skip_attributes:
                continue
            key = rename.get(key, key)
            if key not in mine:
                problems.append(f"node {n}: attribute {key} missing (networkx: {value!r})")
            elif not same_value(mine[key], value):
                problems.append(f"node {n}: {key} is {mine[key]!r}, networkx {value!r}")
    nx_edges = collections.Counter()
    for u, v, data in nx_graph.edges(data=True):
        nx_edges[(str(u), str(v), float(data.get("weight", 1.0)))] += 1
    mine_edges = collections.Counter()
    for (u, v, w, _), count in edges.items():
        mine_edges[(u, v, w)] += count
    if not nx_graph.is_directed():
        def undirected(counter):
            out = collections.Counter()
            for (u, v, w), c in counter.items():
                out[(min(u, v), max(u, v), w)] += c
            return out
        nx_edges, mine_edges = undirected(nx_edges), undirected(mine_edges)
    if nx_edges != mine_edges:
        problems.append(f"edges differ: only networkx {list((nx_edges - mine_edges).items())[:5]}, "
                        f"only smorg {list((mine_edges - nx_edges).items())[:5]}")
    if problems:
        raise AssertionError(f"{label}:\n  " + "\n  ".join(problems[:20]))
    print(f"ok: {label}: {len(nodes)} nodes, {sum(edges.values())} edges as networkx reads them")


def sample_graphs():
    karate = nx.karate_club_graph()  # undirected, 'club' (string) and 'weight' on edges
    for n in karate.nodes:
        karate.nodes[n]["age"] = 20 + n  # an integer attribute
        karate.nodes[n]["score"] = n / 7  # a float attribute
        karate.nodes[n]["member"] = n % 2 == 0  # a boolean attribute
    directed = nx.MultiDiGraph()
    directed.add_node("ann", department="Sales", clv=1200.5)
    directed.add_node("bob", department="R&D <lab>", clv=80.0)
    directed.add_node("cé \"quoted\"", department="Support", clv=7.25)
    directed.add_edge("ann", "bob", weight=2.5)
    directed.add_edge("ann", "bob", weight=1.0)  # a parallel edge
    directed.add_edge("bob", "bob", weight=3.0)  # a self-loop
    directed.add_edge("cé \"quoted\"", "ann", weight=0.5)
    return {"karate": karate, "directed multigraph": directed}


def check_networkx_files(smorg, scratch):
    for name, g in sample_graphs().items():
        writers = {
            "graphml": lambda p: nx.write_graphml(g, p),
            "gexf": lambda p: nx.write_gexf(g, p),
            "gml": lambda p: nx.write_gml(g, p),
            # Pajek has no escape for a quote inside a quoted label: labels keep none.
            "net": lambda p: nx.write_pajek(nx.relabel_nodes(g, lambda n: str(n).replace('"', "")), p),
        }
        readers = {
            "graphml": lambda p: nx.read_graphml(p, force_multigraph=g.is_multigraph()),
            "gexf": lambda p: nx.read_gexf(p),
            "gml": lambda p: nx.read_gml(p),
            "net": lambda p: nx.read_pajek(p),
        }
        for ext, write in writers.items():
            path = os.path.join(scratch, f"{name.replace(' ', '_')}.{ext}")
            write(path)
            db = path + ".db"
            report = import_file(smorg, db, path)
            nodes, edges = exported(smorg, db)
            theirs = readers[ext](path)
            if ext == "net":
                # networkx's Pajek reader keeps every edge's weight but no node attributes (neither
                # does the format); it always makes a multigraph.
                skip = {"id", "x", "y", "shape"}
                compare_with_networkx(f"networkx {name} .{ext}", theirs, nodes, edges, skip_attributes=skip)
            elif ext == "gexf":
                # networkx's GEXF reader keeps the label as an attribute; smorg keeps it as `name`
                # when it is not the id.
                skip = {"label"}
                compare_with_networkx(f"networkx {name} .{ext}", theirs, nodes, edges, skip_attributes=skip)
            else:
                compare_with_networkx(f"networkx {name} .{ext}", theirs, nodes, edges)
            assert report["undirected_edges"] == (0 if g.is_directed() else g.number_of_edges()), report


def check_igraph_files(smorg, scratch):
    if igraph is None:
        if os.environ.get("CI"):
            raise AssertionError("python3-igraph is not installed (scripts/setup.sh installs it)")
        print("skipped: igraph's files (python3-igraph is not installed)")
        return
    g = igraph.Graph.Famous("Zachary")
    g.vs["name"] = [f"m{i}" for i in range(g.vcount())]
    g.vs["age"] = [20 + i for i in range(g.vcount())]
    g.es["weight"] = [1 + (i % 3) for i in range(g.ecount())]
    for ext, fmt in [("graphml", "graphml"), ("gml", "gml"), ("net", "pajek")]:
        path = os.path.join(scratch, f"igraph.{ext}")
        g.save(path, format=fmt)
        db = path + ".db"
        import_file(smorg, db, path)
        nodes, edges = exported(smorg, db)
        if ext == "net":
            # igraph writes Pajek without vertex lines (the vertices are 1..n), which networkx cannot
            # read: igraph's own reader is the reference.
            back = igraph.Graph.Read_Pajek(path)
            theirs = nx.MultiGraph()
            theirs.add_nodes_from(str(v + 1) for v in range(back.vcount()))
            for e in back.es:
                theirs.add_edge(str(e.source + 1), str(e.target + 1), weight=e["weight"])
        else:
            theirs = {"graphml": nx.read_graphml, "gml": lambda p: nx.read_gml(p, label="id")}[ext](path)
        if ext == "gml":
            # igraph's GML has numeric ids and a `name` attribute, no labels: smorg names nodes by id.
            compare_with_networkx(f"igraph .{ext}", theirs, nodes, edges, skip_attributes={"label"})
        elif ext == "net":
            compare_with_networkx(f"igraph .{ext}", theirs, nodes, edges, skip_attributes={"id", "x", "y", "shape"})
        else:
            compare_with_networkx(f"igraph .{ext}", theirs, nodes, edges)


def check_karate(smorg, data, scratch):
    path = os.path.join(data, "karate", "karate.gml")
    if not os.path.exists(path):
        if os.environ.get("CI"):
            raise AssertionError(f"the data set {path} is missing")
        print("skipped: karate.gml (the data sets are not here)")
        return
    db = os.path.join(scratch, "karate.db")
    import_file(smorg, db, path, "--node-kind", "member")
    nodes, edges = exported(smorg, db)
    compare_with_networkx("karate.gml", nx.read_gml(path), nodes, edges)
    assert all(n["kind"] == "member" for n in nodes.values())


def check_own_exports(smorg, scratch):
    """smorg's GraphML and GEXF import back to the same nodes, kinds, attributes and edges."""
    db = os.path.join(scratch, "own.db")
    nodes_csv = os.path.join(scratch, "own_nodes.csv")
    edges_csv = os.path.join(scratch, "own_edges.csv")
    with open(nodes_csv, "w") as f:
        f.write("id,kind,name,department,clv,vip,note\n"
                "c1,customer,Ann <A&B>,Sales,100.5,true,\"line one\"\n"
                "c2,customer,,Support,7,false,\n"
                "e1,employee,\"Eve \"\"the\"\" 'boss'\",R&D,,true,ünïcode ☃\n"
                "p1,partner,,,,,\n")
    with open(edges_csv, "w") as f:
        f.write("source,target,kind,weight,timestamp,value\n"
                "c1,c2,referral,1,2025-01-02T03:04:05Z,250\n"
                "c1,c2,referral,2.5,,\n"
                "e1,c1,interaction,0.25,2024-12-31T23:59:59Z,\n"
                "e1,e1,communication,1,,\n")
    run(smorg, "import", "--db", db, "--nodes", nodes_csv, "--edges", edges_csv)
    original = exported(smorg, db)
    for fmt in ("graphml", "gexf"):
        out = os.path.join(scratch, f"own.{fmt}")
        run(smorg, "--output-dir", scratch, "query", "--db", db,
            json.dumps({"op": "export", "format": fmt, "out": f"own.{fmt}"}))
        # An independent reader takes the file too: well-formed, every person and edge there.
        theirs = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        assert theirs.number_of_nodes() == len(original[0]), (fmt, theirs.number_of_nodes())
        assert theirs.number_of_edges() == sum(original[1].values()), (fmt, theirs.number_of_edges())
        again = os.path.join(scratch, f"own_{fmt}.db")
        report = import_file(smorg, again, out)
        assert report["dropped"] == [], report["dropped"]
        back = exported(smorg, again)
        if back != original:
            raise AssertionError(f"smorg's {fmt} export does not import back the same:\n{original}\n{back}")
        # The timestamps and values, which node-link shows only on edges that have them, too.
        links = query(smorg, again, {"op": "export", "format": "node_link"})["graph"]["links"]
        def stamps(links):
            return sorted(json.dumps([l["source"], l["target"], l.get("timestamp"), l.get("value")]) for l in links)
        stamped = stamps(links)
        first = stamps(query(smorg, db, {"op": "export", "format": "node_link"})["graph"]["links"])
        assert stamped == first, (stamped, first)
        print(f"ok: smorg's {fmt} export imports back to the same {len(back[0])} nodes and {sum(back[1].values())} edges")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smorg", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        check_networkx_files(args.smorg, scratch)
        check_igraph_files(args.smorg, scratch)
        check_karate(args.smorg, args.data, scratch)
        check_own_exports(args.smorg, scratch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
