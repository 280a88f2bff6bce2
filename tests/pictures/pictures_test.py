#!/usr/bin/env python3
"""The pictures say what docs/silos.md and docs/referral.md promise, read back from the SVG and its rendering.

    python3 tests/pictures/pictures_test.py --smorg PATH_TO_SMORG [--data SHARED_DATA] [unittest arguments]

On the sample organization (planted: Engineering and Support cut off from each other) and on
email-Eu-core's 42 departments (from --data; under CI a missing data set fails): the silo map parses,
holds its legend, draws each cut-off pair as a red line through its own label, folds the smallest
groups beyond the cap, and no two labels overlap (text boxes computed from the SVG); its rendering
by rsvg-convert shows the cut-off colour and the legend. The advocates chart holds the same top 10
as the advocates rows, in order, each bar split into its three parts. The trend chart draws all groups
and each group, one dot per window with data, higher where the E-I is higher. Uses rsvg-convert and
Pillow.
"""

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from sample_org import make_sample_org, run_smorg  # noqa: E402
import xml.etree.ElementTree as ET

SMORG = None
DATA = None
SVG = "{http://www.w3.org/2000/svg}"
CUT_OFF_RGB = (0xd6, 0x27, 0x28)


def smorg(*args, cwd=None):
    return run_smorg(SMORG, *args, cwd=cwd)


def query(db, request, cwd):
    p = subprocess.run([SMORG, "query", "--db", db, "--compact", json.dumps(request)], cwd=cwd, capture_output=True,
                       text=True, timeout=300)
    return json.loads(p.stdout)


def transform_of(element):
    """(scale, tx, ty) of a Graphviz or legend group transform: points map to scale * (p + t)."""
    t = element.get("transform", "")
    scale = re.search(r"scale\(([-0-9.]+)", t)
    move = re.search(r"translate\(([-0-9.]+)[ ,]+([-0-9.]+)\)", t)
    return (float(scale.group(1)) if scale else 1.0, float(move.group(1)) if move else 0.0,
            float(move.group(2)) if move else 0.0)


def text_box(text, frame):
    """A text element's box on the canvas, its width estimated at half an em per character."""
    scale, tx, ty = frame
    size = float(text.get("font-size", "10").rstrip("px"))
    content = "".join(text.itertext())
    width = 0.5 * size * len(content)
    x, y = float(text.get("x")), float(text.get("y"))
    anchor = text.get("text-anchor", "start")
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (scale * (left + tx), scale * (y - 0.75 * size + ty), scale * (left + width + tx), scale * (y + 0.2 * size + ty))


def label_boxes(root):
    """One box per label: a Graphviz node's lines together, each legend line alone."""
    boxes = []
    graph = root.find(f"{SVG}g[@id='graph0']")
    frame = transform_of(graph)
    for node in graph.iter(f"{SVG}g"):
        if node.get("class") != "node":
            continue
        parts = [text_box(t, frame) for t in node.iter(f"{SVG}text")]
        if parts:
            boxes.append((node.findtext(f"{SVG}title"), (min(b[0] for b in parts), min(b[1] for b in parts),
                                                         max(b[2] for b in parts), max(b[3] for b in parts))))
    legend = root.find(f"{SVG}g[@id='legend']")
    for i, t in enumerate(legend.iter(f"{SVG}text")):
        boxes.append((f"legend line {i}: {''.join(t.itertext())}", text_box(t, transform_of(legend))))
    return boxes


def overlaps(boxes):
    found = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            (n1, a), (n2, b) = boxes[i], boxes[j]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                found.append((n1, n2))
    return found


def rendered_pixels(svg_path, rgb, tolerance=12):
    """Renders the SVG with rsvg-convert; returns how many pixels are within `tolerance` of `rgb`,
    and the share of non-white pixels in the right-most fifth (where the legend is)."""
    from PIL import Image
    png = subprocess.run(["rsvg-convert", "--background-color", "white", svg_path], capture_output=True, check=True,
                         timeout=120).stdout
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    close = 0
    inked = 0
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            p = pixels[x, y]
            if all(abs(p[k] - rgb[k]) <= tolerance for k in range(3)):
                close += 1
            if x > width * 0.8 and p != (255, 255, 255):
                inked += 1
    return close, inked / max(1, (width * 0.2 / 2) * (height / 2))


class Org:
    root = None
    db = None

    @classmethod
    def make(cls):
        cls.root = tempfile.mkdtemp(prefix="smorg-pictures-test-")
        cls.db = make_sample_org(SMORG, cls.root)


def setUpModule():
    Org.make()


def tearDownModule():
    shutil.rmtree(Org.root, ignore_errors=True)


class SiloMap(unittest.TestCase):
    def draw(self, db, **fields):
        answer = query(db, {"op": "silos", "permutations": 200, "svg": "map.svg", "inline_svg": True, **fields}, Org.root)
        self.assertTrue(answer["ok"], answer)
        result = answer["result"]
        path = os.path.join(Org.root, "map.svg")
        with open(path, encoding="utf-8") as f:
            written = f.read()
        self.assertEqual(written, result["svg_inline"], "the file and the inline picture are one drawing")
        return result, ET.fromstring(written), path

    def test_sample_map_shows_the_planted_silo_with_a_legend(self):
        result, root, path = self.draw(Org.db)
        legend = root.find(f"{SVG}g[@id='legend']")
        self.assertIsNotNone(legend, "the map has a legend")
        legend_text = " ".join("".join(t.itertext()) for t in legend.iter(f"{SVG}text"))
        for words in ("E-I minus its random-mixing expectation", "people", "observed / expected", "cut off",
                      "suggested introduction"):
            self.assertIn(words, legend_text)
        pairs = {frozenset((c["a"], c["b"])) for c in result["cut_off"]}
        self.assertIn(frozenset(("Engineering", "Support")), pairs, "the planted silo is found")
        ids = {g.get("id"): g for g in root.iter(f"{SVG}g")}
        for cell in result["cut_off"][:10]:
            label = ids.get(f"cut-{cell['a']}-{cell['b']}")
            self.assertIsNotNone(label, f"the cut-off pair {cell['a']} / {cell['b']} has its label")
            self.assertIn(f"{cell['observed']} of", "".join(label.itertext()))
        # Each cut-off pair is two red dashed segments that meet at its label.
        red = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#d62728" and p.get("stroke-dasharray")]
        self.assertGreaterEqual(len(red), 2 * min(10, len(result["cut_off"])))
        # Every group is a circle with its E-I in its label and its id for the console.
        groups = [g for g in result["groups"] if g["size"] > 0]
        for i, group in enumerate(result["groups"]):
            if group["size"] == 0:
                continue
            node = ids.get(f"group-{i}")
            self.assertIsNotNone(node, group["group"])
            self.assertIn(group["group"], "".join(node.itertext()))
        self.assertEqual(len(groups), 8)
        self.assertEqual(overlaps(label_boxes(root)), [])
        close, legend_ink = rendered_pixels(path, CUT_OFF_RGB)
        self.assertGreater(close, 100, "the rendering shows the cut-off lines' red")
        self.assertGreater(legend_ink, 0.01, "the rendering shows the legend")

    def test_beyond_the_cap_small_groups_fold_into_other(self):
        result, root, _ = self.draw(Org.db, map_groups=5)
        text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
        self.assertIn("other (4 groups)", text)
        circles = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("group-")]
        self.assertEqual(len(circles), 5)
        # The planted pair stays on the map: groups of drawn cut-off pairs are kept first.
        names = "".join("".join(c.itertext()) for c in circles)
        self.assertIn("Engineering", names)
        self.assertIn("Support", names)
        self.assertEqual(overlaps(label_boxes(root)), [])

    def test_every_tie_on_request(self):
        quiet, root_quiet, _ = self.draw(Org.db)
        _, root_all, _ = self.draw(Org.db, map_ties="all")
        count = lambda root: sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "edge")
        self.assertGreater(count(root_all), count(root_quiet))

    def test_map_fields_are_refused_where_they_change_nothing_or_are_out_of_range(self):
        cases = [({"map_groups": 5}, "/map_groups"), ({"svg": "m.svg", "map_groups": 1}, "/map_groups"),
                 ({"svg": "m.svg", "map_groups": 1000}, "/map_groups"), ({"svg": "m.svg", "map_ties": "some"}, "/map_ties"),
                 ({"inline_svg": "yes"}, "/inline_svg")]
        for fields, pointer in cases:
            answer = query(Org.db, {"op": "silos", "permutations": 0, **fields}, Org.root)
            self.assertFalse(answer["ok"], fields)
            self.assertEqual(answer["error"]["at"], pointer, answer)

    def test_email_eu_core_stays_readable(self):
        edges = os.path.join(DATA or "", "email-Eu-core", "email-Eu-core.txt")
        labels = os.path.join(DATA or "", "email-Eu-core", "email-Eu-core-department-labels.txt")
        if not (DATA and os.path.exists(edges)):
            if os.environ.get("CI"):
                self.fail(f"email-Eu-core is missing from {DATA}")
            self.skipTest("email-Eu-core is not in the shared data")
        db = os.path.join(Org.root, "eu.db")
        if not os.path.exists(db):
            smorg("-q", "import", "--db", db, "--edges", edges, "--edge-kind", "communication", "--node-kind", "employee",
                  "--labels", labels, "--label-attribute", "department")
        result, root, path = self.draw(db)
        self.assertEqual(len(result["groups"]), 42)
        circles = [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("group-")]
        self.assertEqual(len(circles), 25, "24 groups and 'other'")
        text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
        self.assertIn("other (18 groups)", text)
        self.assertIn(f"the 10 most cut-off of {len(result['cut_off'])} cut-off pairs", text)
        edges_drawn = sum(1 for g in root.iter(f"{SVG}g") if g.get("class") == "edge")
        self.assertLess(edges_drawn, 100, "not a hairball of every pair")
        self.assertEqual(overlaps(label_boxes(root)), [])
        close, _ = rendered_pixels(path, CUT_OFF_RGB)
        self.assertGreater(close, 100)


class AdvocatesChart(unittest.TestCase):
    def test_the_chart_holds_the_top_advocates_in_order_split_in_three(self):
        answer = query(Org.db, {"op": "advocates", "top": 10, "svg": "advocates.svg", "inline_svg": True}, Org.root)
        self.assertTrue(answer["ok"], answer)
        result = answer["result"]
        with open(os.path.join(Org.root, "advocates.svg"), encoding="utf-8") as f:
            written = f.read()
        self.assertEqual(written, result["svg_inline"])
        root = ET.fromstring(written)
        self.assertIsNotNone(root.find(f"{SVG}g[@id='legend']"))
        bars = [g for g in root.iter(f"{SVG}g") if g.get("class") == "advocate"]
        self.assertEqual(len(bars), 10)
        widths = []
        for row, bar in zip(result["rows"], bars):
            label = "".join(bar.itertext())
            self.assertIn(row.get("name", row["id"])[:20], label)
            self.assertIn(f"({row['kind']})", label)
            parts = {r.get("class"): float(r.get("width")) for r in bar.iter(f"{SVG}rect")}
            self.assertLessEqual(set(parts), {"value", "reach", "engagement"})
            widths.append(sum(parts.values()))
        # Bar lengths follow the scores.
        scores = [row["score"] for row in result["rows"]]
        for w, s in zip(widths, scores):
            self.assertAlmostEqual(w / widths[0], s / scores[0], places=3)
        self.assertEqual(overlaps([(i, b) for i, b in enumerate(
            text_box(t, (1, 0, 0)) for t in root.iter(f"{SVG}text"))]), [])

    def test_chart_of_all_or_too_many_is_refused_at_top(self):
        for top in (0, 101):
            answer = query(Org.db, {"op": "advocates", "top": top, "inline_svg": True}, Org.root)
            self.assertFalse(answer["ok"], top)
            self.assertEqual(answer["error"]["at"], "/top")

    def test_chart_without_a_path_or_inline_is_not_drawn(self):
        answer = query(Org.db, {"op": "advocates", "top": 3}, Org.root)
        self.assertNotIn("svg_inline", answer["result"])


class TrendChart(unittest.TestCase):
    def test_the_chart_draws_each_window_where_its_value_is(self):
        request = {"op": "trend", "query": {"op": "silos", "permutations": 50},
                   "windows": {"since": "2021-01-01", "until": "2026-01-01", "step": "1y"},
                   "svg": "trend.svg", "inline_svg": True}
        answer = query(Org.db, request, Org.root)
        self.assertTrue(answer["ok"], answer)
        result = answer["result"]
        path = os.path.join(Org.root, "trend.svg")
        with open(path, encoding="utf-8") as f:
            written = f.read()
        self.assertEqual(written, result["svg_inline"])
        root = ET.fromstring(written)
        series = [g for g in root.iter(f"{SVG}g") if g.get("class") == "series"]
        groups = {g["group"] for w in result["windows"] if w["status"] == "ok" for g in w["groups"]}
        self.assertEqual(len(series), 1 + min(len(groups), 11), "all groups, then each group")
        overall = series[0]
        self.assertEqual(overall.find(f"{SVG}title").text, "all groups")
        dots = list(overall.iter(f"{SVG}circle"))
        values = [w["ei_index"] for w in result["windows"] if w["status"] == "ok"]
        self.assertEqual(len(dots), len(values))
        # E-I runs from -1 (bottom) to +1 (top): a higher value sits higher on the chart.
        ys = [float(d.get("cy")) for d in dots]
        for (a, ya), (b, yb) in zip(zip(values, ys), list(zip(values, ys))[1:]):
            if abs(a - b) > 1e-9:
                self.assertEqual(a > b, ya < yb)
        close, _ = rendered_pixels(path, (43, 108, 176))
        self.assertGreater(close, 20, "the overall line renders")

    def test_a_metric_without_a_chart_is_refused(self):
        answer = query(Org.db, {"op": "trend", "query": {"op": "crv"}, "windows": {"step": "1y"}, "metric": "tau"}, Org.root)
        self.assertFalse(answer["ok"])
        self.assertEqual(answer["error"]["at"], "/metric")


def main():
    global SMORG, DATA
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smorg", required=True)
    parser.add_argument("--data", default=os.environ.get("SMORG_DATA_DIR"))
    args, rest = parser.parse_known_args()
    SMORG, DATA = os.path.abspath(args.smorg), args.data
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
