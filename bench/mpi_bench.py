"""smorg-mpi on the ~16M-edge sample organization at 1, 2 and 4 ranks against smorg on one process,
in the same run (docs/scale.md): PageRank (20 sweeps), sampled betweenness (epsilon 0.1) and IMM
seeds (k 50, epsilon 0.1). Betweenness at epsilon 0.01 would be 100 times the samples: its estimate
on this graph is 2.4e13 steps (a pilot of 32 samples took 12 s), hours on two cores, so the row uses
0.1.

This machine has two cores, so four ranks oversubscribe it (one thread per rank): the figures to
read are the bytes the ranks moved per superstep and the time per superstep (the engine's time over
its supersteps, the view every rank builds included), not a speed-up. One process runs with two
threads. Each row gives the engine's time (the answer's took_ms), the whole
run's (mpirun's start and every rank's load of the snapshot included), the peak memory of the
largest rank, and whether the answer equals one process's (the top rows' ids; PageRank's scores
within 1e-12 relative).
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, measure, parse_args, table  # noqa: E402

ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1",
       "OMPI_MCA_hwloc_base_binding_policy": "none", "OMPI_MCA_btl": "self,vader"}

REQUESTS = {
    "pagerank (20 sweeps)": {"op": "centrality", "algorithm": "pagerank", "max_iterations": 20, "tolerance": 1e-300,
                             "top": 100},
    "betweenness (epsilon 0.1)": {"op": "centrality", "algorithm": "betweenness", "epsilon": 0.1, "seed": 1, "top": 100,
                                  "max_work": 1e13},
    "seeds (IMM, k 50, epsilon 0.1)": {"op": "seeds", "k": 50, "epsilon": 0.1, "seed": 1, "max_work": 1e13},
}


def same(a, b):
    """Integer answers (sampled betweenness, seeds): the same rows. Floating ones (PageRank, exact
    betweenness): the same scores, rank by rank, within 1e-12 relative (people tied up to rounding
    may swap places)."""
    rows_a, rows_b = a.get("rows", []), b.get("rows", [])
    if len(rows_a) != len(rows_b):
        return False
    floating = a.get("algorithm") == "pagerank" or (a.get("algorithm") == "betweenness" and not a.get("sampled"))
    if not floating:
        return rows_a == rows_b
    return all(abs(x["score"] - y["score"]) <= 1e-12 * max(abs(x["score"]), abs(y["score"])) for x, y in zip(rows_a, rows_b))


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    smorg_mpi = bench.build / "mpi" / "smorg-mpi"
    mpirun = shutil.which("mpirun")
    if not smorg_mpi.exists() or not mpirun:
        print(f"smorg-mpi or mpirun is missing ({smorg_mpi}); scripts/setup.sh installs Open MPI")
        return 1
    scale = bench.scale("16m")
    db = bench.org_db(scale)
    rows = []
    for name, request in REQUESTS.items():
        alone, alone_seconds, alone_peak = bench.query(db, request, threads=2)
        rows.append({"work": name, "ranks": "1 process", "engine s": alone_seconds, "peak MiB": alone_peak / 2**20})
        bench.record("mpi", work=name, ranks=0, engine_seconds=alone_seconds, peak_bytes=alone_peak, scale=scale)
        for ranks in (1, 2, 4):
            out, seconds, peak = measure([mpirun, "-np", ranks, smorg_mpi, "--threads", 1, "query", "--db", db, "--compact",
                                          json.dumps(request)], env=ENV)
            answer = json.loads(out)
            if not answer.get("ok"):
                raise RuntimeError(answer)
            took = answer["took"]
            steps = took["supersteps"]
            row = {"work": name, "ranks": ranks, "engine s": answer["took_ms"] / 1000, "run s": seconds,
                   "vs 1 process": answer["took_ms"] / 1000 / alone_seconds, "supersteps": steps,
                   "ms/superstep": answer["took_ms"] / steps if steps else None, "bytes/superstep": took["bytes_per_superstep"],
                   "ghosts": took["ghosts"], "peak MiB": peak / 2**20,
                   "same answer": same(alone, answer["result"])}
            rows.append(row)
            bench.record("mpi", work=name, ranks=ranks, engine_seconds=answer["took_ms"] / 1000, run_seconds=seconds,
                         supersteps=steps, bytes_per_superstep=took["bytes_per_superstep"], ghosts=took["ghosts"],
                         peak_bytes=peak, same_answer=row["same answer"], scale=scale)
    table(f"smorg-mpi on the {scale}-edge sample organization (oversubscribed at 4 ranks on 2 cores)", rows,
          ["work", "ranks", "engine s", "vs 1 process", "run s", "supersteps", "ms/superstep", "bytes/superstep", "ghosts",
           "peak MiB", "same answer"])
    return 0 if all(r.get("same answer", True) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
