"""Influence maximization and Monte Carlo spread.

- IMM with k = 50, epsilon = 0.1 (independent cascade, weighted-cascade probabilities) on the ~16M-edge
  sample organization, on wiki-Vote and on soc-Epinions1: time, peak memory, RR sets (goal: under a
  minute on 16M edges with 2 cores);
- Monte Carlo simulations per second (the 50 seeds' spread on the 16M-edge graph);
- IMM's spread against a CELF greedy written here (bench/celf.cpp) on email-Eu-core, both measured by
  the same 20,000 simulations.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, measure, parse_args, table  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")


def data_db(bench, name, edges, columns=("source", "target")):
    db = bench.data / f"{name}.db"
    if not db.exists():
        path = os.path.join(os.environ.get("SMORG_DATA_DIR", DATA), edges)
        if not os.path.exists(path):
            if os.environ.get("CI"):
                raise FileNotFoundError(path)
            return None
        measure([bench.smorg, "--quiet", "import", "--db", db, "--edges", path, "--format", "edgelist",
                 "--columns", ",".join(columns)])
    return db


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    rows = []
    big = bench.org_db(bench.scale("16m"))
    imm = {"op": "seeds", "k": 50, "epsilon": 0.1, "simulations": 200, "seed": 1}
    result, seconds, peak = bench.query(big, imm)
    rows.append({"graph": f"sample organization, {bench.scale('16m')}", "seconds": seconds, "peak MB": peak / 1e6,
                 "RR sets": result["rr_sets"], "spread (MC)": result["spread"]["mean"]})
    seeds = [row["id"] for row in result["rows"]]
    bench.record("imm", graph="org-16m", seconds=seconds, peak_bytes=peak, rr_sets=result["rr_sets"])
    for name, path in (("wiki-Vote", "wiki-Vote/wiki-Vote.txt"), ("soc-Epinions1", "soc-Epinions1/soc-Epinions1.txt.gz")):
        db = data_db(bench, name, path)
        if db is None:
            print(f"  {name}: data set missing, skipped")
            continue
        r, s, p = bench.query(db, imm)
        rows.append({"graph": name, "seconds": s, "peak MB": p / 1e6, "RR sets": r["rr_sets"], "spread (MC)": r["spread"]["mean"]})
        bench.record("imm", graph=name, seconds=s, peak_bytes=p, rr_sets=r["rr_sets"])
    table("IMM, k = 50, epsilon = 0.1, 2 threads (goal: < 60 s on the 16M-edge graph)", rows,
          ["graph", "seconds", "peak MB", "RR sets", "spread (MC)"])

    spread, s, _ = bench.query(big, {"op": "spread", "seeds": seeds, "simulations": 2000, "seed": 2})
    per_second = spread["simulations"] / s
    table("Monte Carlo spread of those 50 seeds, 2 threads",
          [{"simulations": spread["simulations"], "seconds": s, "simulations/s": per_second,
            "mean": spread["mean"], "95% CI": f"[{spread['ci_low']:.1f}, {spread['ci_high']:.1f}]"}],
          ["simulations", "seconds", "simulations/s", "mean", "95% CI"])
    bench.record("spread", simulations=spread["simulations"], seconds=s, per_second=per_second)

    eu = data_db(bench, "email-Eu-core", "email-Eu-core/email-Eu-core.txt")
    if eu is not None:
        out, _, _ = measure([bench.program("celf"), "--db", eu, "--k", 10, "--simulations", 300, "--evaluate", 20000])
        c = json.loads(out)
        table(f"IMM against CELF greedy (300 simulations per evaluation) on email-Eu-core, k = {c['k']}",
              [{"method": "CELF", "seconds": c["celf_seconds"], "spread": c["celf_spread"],
                "work": f"{c['celf_evaluations']} spread evaluations"},
               {"method": "IMM", "seconds": c["imm_seconds"], "spread": c["imm_spread"], "work": f"{c['imm_rr_sets']} RR sets",
                "IMM / CELF spread": c["imm_spread"] / c["celf_spread"]}],
              ["method", "seconds", "spread", "work", "IMM / CELF spread"])
        bench.record("imm_vs_celf", **c)


if __name__ == "__main__":
    main()
