"""Trends: `trend` of `silos` over 12 windows against the 12 `silos` queries an analyst would send.

On the ~16M-edge sample organization, in one process each (a batch of 12 requests against one
`trend` request), 2 threads. Two baselines: the 12 queries as sent by default (which also list
spanners and introductions per window) and the 12 with those parts off (the same work as the
trend, so the ratio shows what the trend itself adds).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Bench, measure, parse_args, table  # noqa: E402

SINCE, UNTIL, STEP = "2021-01-01", "2026-01-01", "5mo"


def boundaries():
    """The 12 windows' bounds, as the trend cuts them (calendar months from 2021-01-01)."""
    out = []
    for i in range(13):
        month = 5 * i
        out.append(f"{2021 + month // 12:04d}-{month % 12 + 1:02d}-01")
    out[-1] = UNTIL
    return out


def batch(bench, db, requests):
    out, _, peak = measure([bench.smorg, "--threads", 2, "--quiet", "query", "--db", db, json.dumps(requests), "--compact"])
    answers = json.loads(out)
    if not all(a.get("ok") for a in answers):
        raise RuntimeError([a for a in answers if not a.get("ok")][0])
    return sum(a["took_ms"] for a in answers) / 1000, peak


def main():
    args = parse_args(__doc__)
    bench = Bench(args.build)
    scale = bench.scale("16m")
    db = bench.org_db(scale)
    bounds = boundaries()
    trend = {"op": "trend", "query": {"op": "silos"}, "windows": {"since": SINCE, "until": UNTIL, "step": STEP}}
    result, trend_seconds, trend_peak = bench.query(db, trend)
    assert len(result["windows"]) == 12, len(result["windows"])
    rows = [{"run": "trend of silos, 12 windows", "seconds": trend_seconds, "peak MB": trend_peak / 1e6, "ratio": 1.0}]
    for name, extra in (("12 silos queries (defaults)", {}),
                        ("12 silos queries, no spanners or introductions", {"spanners": 0, "introductions": 0})):
        requests = [{"op": "silos", "since": bounds[i], "until": bounds[i + 1], **extra} for i in range(12)]
        seconds, peak = batch(bench, db, requests)
        rows.append({"run": name, "seconds": seconds, "peak MB": peak / 1e6, "ratio": seconds / trend_seconds})
        bench.record("trend-silos", graph=f"org-{scale}", baseline=name, seconds=seconds, trend_seconds=trend_seconds,
                     peak_bytes=peak, trend_peak_bytes=trend_peak)
    table(f"trend of silos over 12 windows vs 12 silos queries, sample organization {scale}, 2 threads "
          "(ratio: the queries' time / the trend's)", rows, ["run", "seconds", "peak MB", "ratio"])


if __name__ == "__main__":
    main()
