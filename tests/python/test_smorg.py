"""The Python module as a data scientist meets it: every typed method against the same request
through query(), DataFrames and NumPy vectors, errors, imports from memory, networkx both ways, two
threads at once, and Ctrl-C during a long run."""

import json
import os
import signal
import threading
import time

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import smorg

DATA = os.environ.get("SMORG_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))


def data_file(*parts):
    path = os.path.join(DATA, *parts)
    if not os.path.exists(path):
        if os.environ.get("CI"):
            pytest.fail(f"data set missing under CI: {path}")
        pytest.skip(f"data set missing: {path}")
    return path


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """The sample organization in a database file, opened once for the module."""
    folder = tmp_path_factory.mktemp("org")
    nodes, edges = smorg.generate(folder / "org")
    db = smorg.open(folder / "org.db", create=True, output_dir=folder)
    db.import_files(nodes=[nodes], edges=[edges])
    yield db
    db.close()


def without_timing(answer):
    answer = dict(answer)
    answer.pop("took_ms", None)
    return answer


def frame_rows(frame):
    """A DataFrame's rows as the protocol's row objects (NaN: absent)."""
    rows = []
    for record in frame.to_dict(orient="records"):
        row = {}
        for key, value in record.items():
            if isinstance(value, float) and np.isnan(value):
                continue
            row[key] = value.item() if hasattr(value, "item") else value
        rows.append(row)
    return rows


TYPED = [
    ("pagerank", {"edge_kinds": ["referral", "interaction"], "top": 10}, {"op": "centrality", "algorithm": "pagerank"}),
    ("betweenness", {"top": 5}, {"op": "centrality", "algorithm": "betweenness"}),
    ("closeness", {"top": 5, "directed": False}, {"op": "centrality", "algorithm": "closeness"}),
    ("degree", {"top": 5}, {"op": "centrality", "algorithm": "degree"}),
    ("crv", {"top": 5}, {"op": "crv"}),
    ("seeds", {"k": 3, "seed": 7}, {"op": "seeds"}),
    ("advocates", {"top": 5}, {"op": "advocates"}),
    ("communities", {"seed": 3}, {"op": "communities"}),
    ("spread", {"seeds": ["c000001"], "simulations": 200, "seed": 5}, {"op": "spread"}),
    ("silos", {}, {"op": "silos"}),
]


@pytest.mark.parametrize("method,fields,request_base", TYPED, ids=[t[0] for t in TYPED])
def test_typed_method_answers_as_query(org, method, fields, request_base):
    request = dict(request_base, **fields)
    answer = org.query(request)
    assert answer["ok"], answer
    expected = answer["result"]
    got = getattr(org, method)(**fields)
    if isinstance(got, pd.DataFrame):
        rest = dict(expected)
        rows = rest.pop("rows")
        assert got.attrs["result"] == rest
        assert frame_rows(got) == rows
    else:
        assert got == expected


def test_pagerank_frame_columns_and_dtypes(org):
    frame = org.pagerank(top=10)
    assert list(frame.columns[:3]) == ["id", "kind", "name"]
    assert set(frame.columns) == {"id", "kind", "name", "score", "rank"}
    assert frame["score"].dtype == np.float64
    assert frame["rank"].dtype == np.int64
    assert frame["id"].dtype == object
    assert list(frame["rank"]) == list(range(1, 11))
    # The population of the answer is visible.
    assert frame.attrs["result"]["nodes"] > 0
    assert "isolated" in frame.attrs["result"]


def test_scores_vector_equals_the_json_scores(org):
    vector = org.scores("pagerank", edge_kinds=["referral"])
    ids = org.ids()
    assert isinstance(vector, np.ndarray) and vector.dtype == np.float64 and len(vector) == len(ids)
    answer = org.query({"op": "centrality", "algorithm": "pagerank", "edge_kinds": ["referral"], "top": 0})
    rows = answer["result"]["rows"]
    position = {node: i for i, node in enumerate(ids)}
    for row in rows:
        assert vector[position[row["id"]]] == row["score"]
    # Nodes outside the view (isolated under the referral filter) are NaN, and counted.
    assert int(np.isnan(vector).sum()) == len(ids) - len(rows)
    assert answer["result"]["isolated"] == len(ids) - len(rows)


def test_scores_with_ids_and_shaping_fields(org):
    ids, vector = org.scores("degree", with_ids=True)
    assert ids == org.ids() and len(vector) == len(ids)
    frame = org.degree(top=0)
    position = {node: i for i, node in enumerate(ids)}
    assert all(vector[position[i]] == s for i, s in zip(frame["id"], frame["score"]))
    for shaping in ("top", "summary", "explain"):
        with pytest.raises(smorg.QueryError) as error:
            org.scores("pagerank", **{shaping: 1})
        assert error.value.at == "/" + shaping
    with pytest.raises(smorg.QueryError) as error:
        org.scores("pagerank", damping=3)
    assert error.value.at == "/damping"


def test_errors_carry_code_message_and_pointer(org):
    with pytest.raises(smorg.QueryError) as error:
        org.pagerank(top=-1)
    assert error.value.code == "invalid_argument" and error.value.at == "/top"
    with pytest.raises(smorg.QueryError) as error:
        org.pagerank(edge_kinds=["no such kind"])
    assert error.value.code == "not_found" and error.value.at == "/edge_kinds/0"
    with pytest.raises(smorg.QueryError) as error:
        org.crv(no_such_field=1)
    assert error.value.at == "/no_such_field"
    # query() answers instead of raising, as the command line does.
    answer = org.query({"op": "centrality", "algorithm": "pagerank", "top": -1})
    assert answer["ok"] is False and answer["error"]["at"] == "/top"
    assert org.query('{"op": ')["error"]["code"] == "invalid_argument"
    with pytest.raises(smorg.QueryError) as error:
        smorg.open("/nonexistent-folder/missing.db")
    assert error.value.code == "not_found"


def test_batch_query_answers_in_order(org):
    answers = org.query([{"op": "stats"}, {"op": "centrality", "algorithm": "degree", "top": -2}])
    assert answers[0]["ok"] and not answers[1]["ok"]
    assert answers[1]["error"]["at"] == "/1/top"


def test_import_frames_good_and_bad():
    db = smorg.open(":memory:")
    nodes = pd.DataFrame({"id": ["ana", "ben", "cai"], "kind": ["customer", "customer", "employee"],
                          "clv": [120.5, np.nan, 30.0], "vip": [True, False, True]})
    edges = pd.DataFrame({"source": ["ana", "ben"], "target": ["ben", "cai"], "kind": ["referral", "interaction"],
                          "weight": [1.0, 2.5]})
    report = db.import_frames(nodes=nodes, edges=edges)
    assert report["nodes_added"] == 3 and report["edges_added"] == 2
    stats = db.stats()
    assert stats["nodes"] == 3 and stats["edges"] == 2
    assert stats["batches"][0]["source"] == "node_rows, edge_rows"
    ana = db.node("ana")
    assert ana["attributes"] == {"clv": 120.5, "vip": True}
    assert "clv" not in db.node("ben")["attributes"]  # NaN is a missing value

    # A bad row anywhere refuses the whole batch, naming the table, the row and the column.
    bad_nodes = pd.DataFrame({"id": ["dee", "eve"], "kind": ["customer", "customer"], "clv": [1.0, 2.0]})
    bad_edges = pd.DataFrame({"source": ["dee", "eve"], "target": ["ana", "nobody"], "weight": [1.0, -3.0]})
    with pytest.raises(smorg.QueryError) as error:
        db.import_frames(nodes=bad_nodes, edges=bad_edges)
    assert error.value.code == "data_loss"
    places = {(e["table"], e["row"], e["field"]) for e in error.value.errors}
    assert ("edge_rows", 1, "weight") in places
    assert all(e["at"].startswith("/edge_rows/1/") for e in error.value.errors)
    assert db.stats()["nodes"] == 3  # nothing landed

    # Iterables of dicts work too; a wrong attribute type is named by row and column.
    with pytest.raises(smorg.QueryError) as error:
        db.import_frames(nodes=[{"id": "fay", "kind": "customer", "clv": "lots"}])
    assert error.value.errors[0]["row"] == 0 and error.value.errors[0]["field"] == "clv"
    assert db.import_frames(nodes=[{"id": "fay", "kind": "customer", "clv": np.float64(7)}])["nodes_added"] == 1
    with pytest.raises(TypeError):
        db.import_frames(nodes="not rows")


def test_import_files_respects_input_dirs(tmp_path):
    nodes, edges = smorg.generate(tmp_path / "org", customers=50, employees=12)
    db = smorg.open(":memory:", input_dirs=[])
    with pytest.raises(smorg.QueryError) as error:
        db.import_files(nodes=nodes)
    assert error.value.code == "permission_denied" and error.value.at == "/nodes"
    db = smorg.open(":memory:", input_dirs=[tmp_path])
    assert db.import_files(nodes=[nodes], edges=[edges])["edges_added"] > 0


def karate_graph():
    graph = nx.read_gml(data_file("karate", "karate.gml"), label="id")
    return nx.relabel_nodes(graph, {n: str(n) for n in graph.nodes})


def test_networkx_round_trip_karate():
    graph = karate_graph()
    db = smorg.from_networkx(graph, node_kind="member", edge_kind="friendship")
    stats = db.stats()
    assert stats["nodes"] == graph.number_of_nodes() and stats["edges"] == graph.number_of_edges()
    back = db.to_networkx(directed=False)
    assert isinstance(back, nx.Graph) and not back.is_directed()
    assert set(back.nodes) == set(graph.nodes)
    assert {frozenset(e) for e in back.edges} == {frozenset(e) for e in graph.edges}
    assert all(back.nodes[n]["kind"] == "member" for n in back.nodes)
    # The same PageRank as networkx on the same graph.
    ours = db.pagerank(directed=False, top=0, tolerance=1e-12)
    theirs = nx.pagerank(graph, tol=1e-12)
    for node, score in zip(ours["id"], ours["score"]):
        assert score == pytest.approx(theirs[node], abs=1e-9)


def test_networkx_round_trip_email_eu_core():
    graph = nx.read_edgelist(data_file("email-Eu-core", "email-Eu-core.txt"), create_using=nx.DiGraph, nodetype=str)
    labels = {}
    with open(data_file("email-Eu-core", "email-Eu-core-department-labels.txt")) as f:
        for line in f:
            node, department = line.split()
            labels[node] = department
    nx.set_node_attributes(graph, labels, "department")
    db = smorg.from_networkx(graph, node_kind="employee", edge_kind="communication")
    back = db.to_networkx()
    assert back.is_directed()
    assert back.number_of_nodes() == graph.number_of_nodes() - sum(1 for n in graph if graph.degree(n) == 0)
    assert set(back.edges) == set(graph.edges)
    assert all(back.nodes[n]["department"] == labels[n] for n in back.nodes)
    # Kept with their stored parallel edges: a self-loop edge list has none, so the two agree.
    multi = db.to_networkx(multigraph=True)
    assert multi.number_of_edges() == graph.number_of_edges()


def test_to_networkx_merges_parallel_edges_by_weight():
    db = smorg.open(":memory:")
    db.import_frames(nodes=[{"id": "a", "kind": "x"}, {"id": "b", "kind": "x"}],
                     edges=[{"source": "a", "target": "b", "weight": 2}, {"source": "a", "target": "b", "weight": 3}])
    assert db.to_networkx()["a"]["b"]["weight"] == 5
    assert db.to_networkx(multigraph=True).number_of_edges("a", "b") == 2


def test_two_threads_query_one_database_at_once(org):
    expected = without_timing(org.query({"op": "centrality", "algorithm": "closeness", "top": 20}))
    results, errors = [], []

    def worker():
        try:
            for _ in range(5):
                results.append(without_timing(org.query({"op": "centrality", "algorithm": "closeness", "top": 20})))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 10 and all(r == expected for r in results)


def test_keyboard_interrupt_cancels_a_long_betweenness():
    db = smorg.open(":memory:")
    side = 200  # exact betweenness on this grid takes far longer than the test waits
    edges = [{"source": f"{r}_{c}", "target": f"{r}_{c + 1}"} for r in range(side) for c in range(side - 1)]
    edges += [{"source": f"{r}_{c}", "target": f"{r + 1}_{c}"} for r in range(side - 1) for c in range(side)]
    db.import_frames(edges=edges, create_missing=True)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        db.betweenness(top=3)
    raised_after = time.monotonic() - started
    timer.join()
    assert raised_after < 0.3 + 1.0
    # The database is still usable.
    assert db.stats()["edges"] == len(edges)


def test_export_writes_only_inside_output_dir(org, tmp_path):
    with pytest.raises(smorg.QueryError) as error:
        org.export(format="graphml", out="/tmp/elsewhere.graphml")
    assert error.value.code == "permission_denied" and error.value.at == "/out"
    written = org.export(format="node_link", out="org.json", edge_kinds=["communication"])
    assert written["nodes"] > 0


def test_generate_refuses_bad_sizes(tmp_path):
    with pytest.raises(ValueError):
        smorg.generate(tmp_path, customers=1)


def test_version_and_closed_database():
    assert smorg.__version__.count(".") == 2
    db = smorg.open(":memory:")
    db.close()
    with pytest.raises(RuntimeError):
        db.stats()
