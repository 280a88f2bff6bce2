"""Reading the examples out of smorg's Markdown: fenced blocks with their info string and the HTML
comment directives before them, and the commands in table cells."""

import re
from dataclasses import dataclass, field


@dataclass
class Block:
    info: str                 # the fence's info string: "sh", "json", "csv file=x.csv", ""
    lines: list               # the block's lines, without the fences
    line: int                 # 1-based line of the opening fence
    directives: dict = field(default_factory=dict)  # <!-- key: value --> comments just before it

    @property
    def language(self):
        return self.info.split()[0] if self.info.strip() else ""

    def option(self, name):
        for word in self.info.split()[1:]:
            if word.startswith(name + "="):
                return word[len(name) + 1:]
        return None


DIRECTIVE = re.compile(r"^<!--\s*([a-z-]+):\s*(.*?)\s*-->\s*$")


def blocks(text):
    """Every fenced block of `text`, in order."""
    out = []
    lines = text.split("\n")
    pending = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.match(line.strip())
        if m:
            pending[m.group(1)] = m.group(2)
            i += 1
            continue
        if line.startswith("```"):
            info = line[3:].strip()
            start = i
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append(Block(info, body, start + 1, pending))
            pending = {}
            i += 1
            continue
        if line.strip():
            pending = {}  # a directive applies to the block right after it
        i += 1
    return out


def table_commands(text, prefix="smorg "):
    """Commands written as code spans in table rows: (line number, command)."""
    out = []
    for number, line in enumerate(text.split("\n"), 1):
        if not line.startswith("|"):
            continue
        for span in re.findall(r"`([^`]+)`", line):
            if span.startswith(prefix):
                out.append((number, span))
    return out


def shell_commands(lines):
    """The commands of a shell block: continuation lines (a trailing backslash) and quoted text
    spanning lines are joined into one command. Returns (offset, command) pairs."""
    import shlex
    out = []
    current, start = "", 0
    for offset, line in enumerate(lines):
        if not current:
            start = offset
            if not line.strip() or line.lstrip().startswith("#"):
                continue
        current += line + "\n"
        stripped = current.rstrip("\n")
        if stripped.endswith("\\"):
            continue
        try:
            shlex.split(stripped, comments=True)
        except ValueError:
            continue  # an open quote: the command goes on
        out.append((start, stripped))
        current = ""
    if current:
        out.append((start, current.rstrip("\n")))
    return out
