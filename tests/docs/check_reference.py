#!/usr/bin/env python3
"""docs/reference.md names exactly the fields each op takes and the results it gives.

For every `## `op`` section (and every `### `op` `variant`` subsection) the reference shows a
minimal request in a ```json block and tables of fields (`| field | ...`) and results
(`| result | ...`). On a sample organization this checks that

- the fields the op reads are the ones documented: the request plus an unknown field is refused
  with the list of the fields the op knows, which must equal the documented ones (the section's,
  its parent's, and those of "Every request"); a documented field whose meaning says "only with"
  is read only together with another value, so it may be missing from that list;
- the answer's result fields, and its first row's fields, are all documented, and every documented
  one is there unless its meaning says "only with" or "only when".
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import blocks  # noqa: E402

BOGUS = "zz_not_a_field"


class Section:
    def __init__(self, op, variant, line):
        self.op, self.variant, self.line = op, variant, line
        self.text = []
        self.fields, self.optional_fields = set(), set()
        self.results, self.optional_results = set(), set()
        self.request = None

    @property
    def name(self):
        return f"{self.op} {self.variant}" if self.variant else self.op


def names(cell):
    return re.findall(r"`([^`]+)`", cell)


def parse(text):
    """Sections by op and variant; the "Every request" fields."""
    sections, common = [], set()
    current, kind, in_common = None, None, False
    for number, line in enumerate(text.split("\n"), 1):
        h2 = re.match(r"^## `([a-z_]+)`\s*$", line)
        h3 = re.match(r"^### `([a-z_]+)` `([a-z_]+)`\s*$", line)
        if h2 or h3:
            current = Section(h2.group(1), None, number) if h2 else Section(h3.group(1), h3.group(2), number)
            sections.append(current)
            kind, in_common = None, False
            continue
        if line.startswith("## "):
            current, kind = None, None
            in_common = line.strip() == "## Every request"
            continue
        if current:
            current.text.append(line)
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] in ("field", "result"):
                kind = cells[0]
                continue
            if set(cells[0]) <= set("-: "):
                continue
            optional = "only with" in line or "only when" in line
            found = names(cells[0])
            if in_common and kind == "field":
                common.update(found)
            elif current and kind == "field":
                (current.optional_fields if optional else current.fields).update(found)
            elif current and kind == "result":
                (current.optional_results if optional else current.results).update(found)
    for s in sections:
        for b in blocks("\n".join(s.text)):
            if b.language == "json":
                s.request = json.loads("\n".join(b.lines))
                break
    return sections, common


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smorg", required=True)
    parser.add_argument("--reference", required=True, type=Path)
    args = parser.parse_args()
    sections, common = parse(args.reference.read_text(encoding="utf-8"))
    failures = []
    if not sections:
        failures.append("no op sections found")
    if not {"op", "estimate", "max_work"} <= common:
        failures.append(f"'Every request' documents {sorted(common)}, not op, estimate and max_work")
    parents = {s.op: s for s in sections if s.variant is None}

    with tempfile.TemporaryDirectory(prefix="smorg-reference-") as work:
        def run(*argv):
            return subprocess.run([args.smorg, "--quiet", *argv], cwd=work, capture_output=True, text=True, timeout=600)

        if run("generate", "--out", "org").returncode or \
                run("import", "--db", "org.db", "--nodes", "org/nodes.csv", "--edges", "org/edges.csv").returncode:
            print("cannot make the sample organization", file=sys.stderr)
            return 1

        def query(request):
            p = run("query", "--db", "org.db", "--compact", json.dumps(request))
            return json.loads(p.stdout)

        listed_ops = set()
        for s in sections:
            where = f"reference.md:{s.line} ({s.name})"
            if s.request is None:
                failures.append(f"{where}: no ```json minimal request")
                continue
            listed_ops.add(s.op)
            parent = parents.get(s.op) if s.variant else None
            if s.variant and parent is None:
                failures.append(f"{where}: a variant without its op's section")
                continue
            fields = s.fields | (parent.fields if parent else set()) | common
            optional = s.optional_fields | (parent.optional_fields if parent else set())
            # What the op reads.
            probe = dict(s.request, **{BOGUS: 1})
            answer = query(probe)
            message = answer.get("error", {}).get("message", "")
            m = re.search(r"known fields here: (.*)$", message)
            if not m:
                failures.append(f"{where}: the request with an unknown field gave {answer}")
            else:
                known = {f.strip() for f in m.group(1).split(",")}
                undocumented = known - fields - optional
                unread = fields - known
                if undocumented:
                    failures.append(f"{where}: takes fields the reference does not list: {sorted(undocumented)}")
                if unread:
                    failures.append(f"{where}: the reference lists fields the op does not take: {sorted(unread)}")
            # What it answers.
            answer = query(s.request)
            if not answer.get("ok"):
                failures.append(f"{where}: the minimal request failed: {answer.get('error')}")
                continue
            result = answer["result"]
            results = s.results | (parent.results if parent else set())
            optional_results = s.optional_results | (parent.optional_results if parent else set())
            top = {r for r in results | optional_results if "[" not in r}
            row_fields = {r.split("].", 1)[1] for r in results | optional_results if r.startswith("rows[].")}
            required_rows = {r.split("].", 1)[1] for r in results if r.startswith("rows[].")}
            given = set(result) if isinstance(result, dict) else set()
            if given - top:
                failures.append(f"{where}: answers with result fields the reference does not list: {sorted(given - top)}")
            missing = {r for r in results if "[" not in r} - given
            if missing:
                failures.append(f"{where}: the reference lists result fields the answer lacks: {sorted(missing)}")
            rows = result.get("rows") if isinstance(result, dict) else None
            if rows:
                first = set(rows[0])
                if first - row_fields:
                    failures.append(f"{where}: rows carry fields the reference does not list: {sorted(first - row_fields)}")
                if required_rows - first:
                    failures.append(f"{where}: the reference lists row fields the rows lack: {sorted(required_rows - first)}")

        # Every op of the protocol has a section.
        bogus = query({"op": BOGUS})
        m = re.search(r"known ops: (.*)$", bogus.get("error", {}).get("message", ""))
        ops = {o.strip() for o in m.group(1).split(",")} if m else set()
        if not ops:
            failures.append(f"cannot list the ops: {bogus}")
        if ops - listed_ops:
            failures.append(f"ops without a section: {sorted(ops - listed_ops)}")
        if listed_ops - ops:
            failures.append(f"sections for ops that do not exist: {sorted(listed_ops - ops)}")

    print(f"{len(sections)} sections checked")
    for f in failures:
        print(f"FAILED {f}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
