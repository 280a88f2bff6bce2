"""Incremental imports: appending 1% new edges to the ~16M-edge sample organization against a full
re-import of everything, and reopening the database after the append.

The append is the daily case: interactions and communication between people the database knows.
Each append runs on a fresh copy of the imported database (the median of three is reported); the
re-import builds a new database from the original files plus the appended ones. Times are the
import's own (`seconds` of its answer) and the whole process's; reopen is a `stats` query's process,
once on the database as imported and once after the append (which the snapshot cache's log serves).
"""
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, measure, parse_args, table  # noqa: E402

YEAR = 365 * 86400


def append_file(folder, out):
    """Every 100th edge of the organization, a year later: 1% new edges between known people."""
    with open(folder / "edges.csv") as src, open(out, "w") as dst:
        header = src.readline()
        dst.write(header)
        columns = header.strip().split(",")
        at = columns.index("timestamp")
        for i, line in enumerate(src):
            if i % 100 != 7:
                continue
            cells = line.rstrip("\n").split(",")
            if cells[at]:
                cells[at] = str(int(cells[at]) + YEAR)
            dst.write(",".join(cells) + "\n")


def import_into(bench, db, nodes=None, edges=()):
    """`smorg import --json` (which creates the database when missing)."""
    args = [bench.smorg, "--threads", 2, "--quiet", "import", "--db", db, "--json"]
    if nodes:
        args += ["--nodes", nodes]
    args += ["--edges", *edges]
    out, wall, peak = measure(args)
    response = json.loads(out)
    if not response.get("ok"):
        raise RuntimeError(response)
    return response["result"], wall, peak


def reopen(bench, db):
    out, wall, peak = measure([bench.smorg, "--threads", 2, "--quiet", "query", "--db", db, '{"op": "stats"}', "--compact"])
    return json.loads(out)["result"], wall, peak


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    scale = bench.scale("16m")
    folder = bench.org(scale)
    base = bench.org_db(scale)
    with tempfile.TemporaryDirectory(dir=bench.data) as scratch:
        scratch = Path(scratch)
        extra = scratch / "append.csv"
        append_file(folder, extra)
        base_stats, base_reopen, base_peak = reopen(bench, base)

        full_db = scratch / "full.db"
        full, full_wall, full_peak = import_into(bench, full_db, folder / "nodes.csv", [folder / "edges.csv", extra])
        for suffix in ("", "-wal", "-shm", ".snapshot", ".snapshot-log"):
            Path(str(full_db) + suffix).unlink(missing_ok=True)

        runs = []
        for _ in range(3):
            db = scratch / "append.db"
            for suffix in ("", ".snapshot"):
                shutil.copy(str(base) + suffix, str(db) + suffix)
            Path(str(db) + ".snapshot-log").unlink(missing_ok=True)
            result, wall, peak = import_into(bench, db, edges=[extra])
            runs.append((result["seconds"], wall, peak, result))
        runs.sort(key=lambda r: r[0])
        seconds, wall, peak, result = runs[1]
        after, after_reopen, after_peak = reopen(bench, scratch / "append.db")
        assert after["edges"] == base_stats["edges"] + result["edges_added"], (after["edges"], result)

    ratio = seconds / full["seconds"]
    rows = [
        {"run": "full re-import (store + snapshot)", "seconds": full["seconds"], "process s": full_wall,
         "peak MB": full_peak / 1e6, "ratio": 1.0},
        {"run": f"append {result['edges_added']:,} edges (median of 3)", "seconds": seconds, "process s": wall,
         "peak MB": peak / 1e6, "ratio": ratio},
        {"run": "reopen as imported", "seconds": base_reopen, "process s": base_reopen, "peak MB": base_peak / 1e6,
         "ratio": None, "loaded from": base_stats["store"]["loaded_from"]},
        {"run": "reopen after the append", "seconds": after_reopen, "process s": after_reopen,
         "peak MB": after_peak / 1e6, "ratio": after_reopen / base_reopen, "loaded from": after["store"]["loaded_from"]},
    ]
    bench.record("append", graph=f"org-{scale}", edges=base_stats["edges"], appended=result["edges_added"],
                 append_seconds=seconds, append_phases=result["phases"], reimport_seconds=full["seconds"],
                 ratio=ratio, reopen_seconds=base_reopen, reopen_after_seconds=after_reopen)
    table(f"append 1% of edges vs a full re-import, sample organization {scale} ({base_stats['edges']:,} edges), 2 threads "
          f"(goal: append under 5% of the re-import; append phases {json.dumps({k: round(v, 3) for k, v in result['phases'].items()})})",
          rows, ["run", "seconds", "process s", "peak MB", "ratio", "loaded from"])


if __name__ == "__main__":
    main()
