#!/usr/bin/env python3
"""smorg-mpi against smorg on one process (docs/scale.md), at 1, 2, 3 and 4 ranks on this machine.

On the built-in sample organization, email-Eu-core and wiki-Vote (from --data; under CI a missing
data set fails), and with --large on a generated organization of about a million edges:
- integer answers (component ids, label-propagation labels, degree, sampled betweenness, spread,
  IMM seeds) equal single-process smorg's exactly at every rank count;
- floating answers (PageRank, exact betweenness) within 1e-12 relative of it, and the same bits on a
  repeated run at the same rank count;
- a PageRank superstep sends ghosts x 8 bytes in all (never a message per arc), and one rank sends
  nothing;
- ops and forms with no distributed form are refused at their field, and nothing is written;
- a rank killed mid-run makes mpirun fail, and the database is as it was.
Every mpirun runs under a hard timeout, one thread per rank.
"""

import argparse
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 300  # seconds, per mpirun

p = argparse.ArgumentParser()
p.add_argument("--smorg", required=True)
p.add_argument("--smorg-mpi", required=True)
p.add_argument("--mpirun", required=True)
p.add_argument("--data", required=True)
p.add_argument("--large", action="store_true", help="also a generated organization of about a million edges")
p.add_argument("--only-large", action="store_true", help="with --large: that organization alone")
args = p.parse_args()

ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=TIMEOUT, **kw)


def single(db, request):
    r = run([args.smorg, "-q", "--threads", "2", "query", "--db", db, "--compact", json.dumps(request)])
    return json.loads(r.stdout)


def over_ranks(db, request, ranks):
    r = run([args.mpirun, "-np", str(ranks), args.smorg_mpi, "--threads", "1", "query", "--db", db, "--compact",
             json.dumps(request)])
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        fail(f"{ranks} ranks gave no JSON for {request}: exit {r.returncode}, stderr {r.stderr[-2000:]}")
        return {}


def close(a, b, where, tolerance):
    """The first place where a and b differ (numbers by more than `tolerance` relative), or None."""
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        if type(a) is not type(b):
            return where
        if isinstance(a, dict):
            if a.keys() != b.keys():
                return where + " (keys)"
            for k in a:
                bad = close(a[k], b[k], f"{where}/{k}", tolerance)
                if bad:
                    return bad
            return None
        if isinstance(a, list):
            if len(a) != len(b):
                return where + " (length)"
            for i, (x, y) in enumerate(zip(a, b)):
                bad = close(x, y, f"{where}/{i}", tolerance)
                if bad:
                    return bad
            return None
        return None if a == b else where
    if tolerance == 0:
        return None if a == b and type(a) is type(b) else f"{where}: {a!r} != {b!r}"
    scale = max(abs(a), abs(b))
    return None if abs(a - b) <= tolerance * scale or (math.isnan(a) and math.isnan(b)) else f"{where}: {a!r} != {b!r}"


# (request, tolerance): 0 = the same numbers exactly.
def requests_for(graph):
    influence = {"seeds": [graph["seed_person"]], "simulations": 3000, "seed": 7}
    return [
        ({"op": "centrality", "algorithm": "pagerank", "top": 0}, 1e-12),
        ({"op": "centrality", "algorithm": "pagerank", "directed": False, "top": 0}, 1e-12),
        ({"op": "centrality", "algorithm": "degree", "top": 0}, 0),
        ({"op": "centrality", "algorithm": "betweenness", "epsilon": 0.05, "delta": 0.1, "seed": 3, "top": 0}, 0)
        if graph["sampled_betweenness"] else
        ({"op": "centrality", "algorithm": "betweenness", "top": 0}, 1e-12),
        ({"op": "components", "top": 0}, 0),
        ({"op": "communities", "algorithm": "label_propagation", "seed": 5, "top": 0}, 0),
        (dict(influence, op="spread"), 0),
        ({"op": "seeds", "k": 5, "epsilon": 0.3, "seed": 1}, 0),
    ]


def strip(answer, by_id=False):
    """The answer without what depends on the run: timings and the rank traffic. by_id: rows keyed by
    id without their rank (floating scores that tie up to rounding may swap places)."""
    out = {k: v for k, v in answer.items() if k not in ("took_ms", "took", "ranks")}
    if by_id and isinstance(out.get("result", {}).get("rows"), list):
        out["result"] = dict(out["result"], rows={r["id"]: {k: v for k, v in r.items() if k != "rank"}
                                                  for r in out["result"]["rows"]})
    return out


def check_graph(graph):
    db = graph["db"]
    for request, tolerance in requests_for(graph):
        name = f"{graph['name']}: {json.dumps(request)}"
        expected = single(db, request)
        if not expected.get("ok"):
            fail(f"{name}: smorg refused it: {expected}")
            continue
        for ranks in graph.get("ranks", (1, 2, 3, 4)):
            got = over_ranks(db, request, ranks)
            if not got.get("ok"):
                fail(f"{name} at {ranks} ranks: {got}")
                continue
            if got.get("ranks") != ranks:
                fail(f"{name} at {ranks} ranks: the answer says ranks {got.get('ranks')}")
            bad = close(strip(expected, tolerance > 0), strip(got, tolerance > 0), "", tolerance)
            if bad:
                fail(f"{name} at {ranks} ranks differs from one process at {bad}")
            if request["algorithm" if "algorithm" in request else "op"] == "pagerank":
                took = got["took"]
                if ranks > 1 and took["supersteps"] != got["result"]["iterations"]:
                    fail(f"{name} at {ranks} ranks: {took['supersteps']} supersteps for {got['result']['iterations']} sweeps")
                if took["bytes_per_superstep"] != 8 * took["ghosts"] or took["exchanged_bytes"] != 8 * took["ghosts"] * took["supersteps"]:
                    fail(f"{name} at {ranks} ranks: a superstep moved {took['bytes_per_superstep']} bytes for {took['ghosts']} ghosts")
                if ranks == 1 and took["exchanged_bytes"] != 0:
                    fail(f"{name}: one rank exchanged {took['exchanged_bytes']} bytes")
                if ranks > 1 and not 0 < took["ghosts"] < graph["edges"] * 2:
                    fail(f"{name} at {ranks} ranks: {took['ghosts']} ghosts for {graph['edges']} edges")
            if tolerance and ranks in (3, 4):
                again = over_ranks(db, request, ranks)
                bad = close(strip(got), strip(again), "", 0)
                if bad:
                    fail(f"{name}: two runs at {ranks} ranks differ at {bad}")
        print(f"ok  {name}", flush=True)


def check_refusals(db):
    for request, at in [
        ({"op": "stats"}, "/op"),
        ({"op": "communities"}, "/algorithm"),
        ({"op": "communities", "algorithm": "leiden"}, "/algorithm"),
        ({"op": "centrality", "algorithm": "closeness"}, "/algorithm"),
        ({"op": "centrality", "algorithm": "betweenness", "explain": True}, "/explain"),
        ({"op": "components", "connectivity": "strong"}, "/connectivity"),
        ({"op": "centrality", "algorithm": "pagerank", "write": {"attribute": "pr"}}, "/write"),
        ({"op": "import", "edges": [{"source": "a", "target": "b"}]}, "/op"),
    ]:
        got = over_ranks(db, request, 2)
        if got.get("ok") or got.get("error", {}).get("at") != at:
            fail(f"{json.dumps(request)} at 2 ranks: expected a refusal at {at}, got {got}")
        elif "over ranks smorg runs" not in got["error"]["message"] and at != "/connectivity":
            fail(f"{json.dumps(request)}: the refusal does not name the distributed ops: {got['error']['message']}")
    batch = over_ranks(db, [{"op": "centrality", "algorithm": "degree", "top": 1}, {"op": "stats"}], 3)
    if not (isinstance(batch, list) and batch[0].get("ok") and batch[1].get("error", {}).get("at") == "/1/op"):
        fail(f"a batch at 3 ranks: {batch}")
    print("ok  refusals", flush=True)


def digest(paths):
    h = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def check_killed_rank(db):
    # The store and its snapshot cache (SQLite's -wal and -shm files are a reader's scratch).
    files = [f for f in (db, db + ".snapshot") if os.path.exists(f)]
    before = digest(files)
    # Three million cascades (tens of seconds): a rank is killed while they run.
    request = {"op": "spread", "seeds": ["i0001", "i0002", "e00001"], "simulations": 3000000}
    proc = subprocess.Popen([args.mpirun, "-np", "3", args.smorg_mpi, "--threads", "1", "query", "--db", db,
                             json.dumps(request)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)
    try:
        victims = []
        deadline = time.time() + 60
        while len(victims) < 3 and time.time() < deadline:
            time.sleep(0.5)
            out = subprocess.run(["pgrep", "-s", str(proc.pid), "-x", "smorg-mpi"], capture_output=True, text=True).stdout
            victims = [int(x) for x in out.split() if int(x) != proc.pid]
        if len(victims) < 3:
            fail(f"the three ranks did not start: {victims}")
            return
        time.sleep(1.5)
        os.kill(sorted(victims)[1], signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        fail("mpirun did not end after a rank was killed")
        return
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    if proc.returncode == 0:
        fail("mpirun succeeded although a rank was killed")
    if "signal 9" not in err and "Killed" not in err:
        fail(f"mpirun's error does not say a rank was killed: {err[-1500:]}")
    if digest(files) != before:
        fail("the database changed after a rank was killed")
    print("ok  a killed rank fails the job and leaves the store as it was", flush=True)


def import_edges(db, path, *extra):
    r = run([args.smorg, "-q", "import", "--db", db, "--edges", path, "--format", "edgelist", "--create-missing", *extra])
    if r.returncode != 0:
        raise SystemExit(f"cannot import {path}: {r.stderr}")


def main():
    work = tempfile.mkdtemp(prefix="smorg-mpi-test-")
    try:
        graphs = []
        org = os.path.join(work, "org")
        run([args.smorg, "generate", "--out", org]).check_returncode()
        db = os.path.join(work, "org.db")
        run([args.smorg, "-q", "import", "--db", db, "--nodes", os.path.join(org, "nodes.csv"), "--edges",
             os.path.join(org, "edges.csv")]).check_returncode()
        graphs.append({"name": "sample org", "db": db, "edges": 13284, "seed_person": "c000001",
                       "sampled_betweenness": False})
        for name, file, edges in [] if args.only_large else [("email-Eu-core", "email-Eu-core.txt", 25571),
                                                              ("wiki-Vote", "wiki-Vote.txt", 103689)]:
            path = os.path.join(args.data, name, file)
            if not os.path.exists(path):
                if os.environ.get("CI"):
                    fail(f"{name} is missing from {args.data}")
                else:
                    print(f"skip {name}: not in {args.data}")
                continue
            db = os.path.join(work, name + ".db")
            import_edges(db, path)
            first = open(path).read().split("\n")
            person = next(line.split()[0] for line in first if line and not line.startswith("#"))
            graphs.append({"name": name, "db": db, "edges": edges, "seed_person": person,
                           "sampled_betweenness": name == "wiki-Vote"})
        if args.large:
            big = os.path.join(work, "big")
            run([args.smorg, "generate", "--out", big, "--customers", "120000", "--employees", "2000"]).check_returncode()
            db = os.path.join(work, "big.db")
            run([args.smorg, "-q", "import", "--db", db, "--nodes", os.path.join(big, "nodes.csv"), "--edges",
                 os.path.join(big, "edges.csv")]).check_returncode()
            # Two rank counts keep it within minutes: the small graphs cover 1 to 4.
            graphs.append({"name": "generated org (large)", "db": db, "edges": 1002659, "seed_person": "c000001",
                           "sampled_betweenness": True, "ranks": (3, 4)})
        if args.only_large:
            graphs = graphs[-1:]
        for graph in graphs:
            check_graph(graph)
        if not args.only_large:
            check_refusals(graphs[0]["db"])
            check_killed_rank(graphs[0]["db"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all smorg-mpi checks passed")


main()
