#!/usr/bin/env python3
"""Every example in README.md and docs/*.md runs as shown.

The documents are read in order (README.md, docs/importing.md, then the other docs by name) and
their examples run in one scratch folder that holds links to the real data files (flat, by file
name), with `smorg` on the PATH and TMPDIR pointing into the folder:

- a ```sh block: every `smorg ...` command in it must exit 0, and every `mpirun ... smorg-mpi ...`
  one too when --smorg-mpi is given (other commands, such as `make`, are the reader's to run and are
  skipped); mpirun may start more ranks than cores, and as root;
- a plain ``` or ```console block with `$ smorg ...` lines: each command runs and what it prints
  (stdout, then stderr) must match the lines shown under it. A line `...` stands for any number of
  lines; times (`took_ms`, `(5.3 ms)`, `in 0.01 s`) and the scratch folder's path are masked;
- a ```json block holding a request (an object with "op", or an array of them) is sent to
  `smorg query` on the database a `<!-- db: NAME -->` comment before it names (default org.db) and
  must answer ok; requests that import, erase or write run on a copy, so they change nothing after them;
- a ```csv file=NAME (or any block with file=NAME) block is written to the folder first;
- `smorg ...` commands in table cells (the data-set recipes) must exit 0;
- `<!-- example: COMMAND -->` before a plain block says the block is an excerpt of what COMMAND
  prints;
- a console block with a `$ smorg serve ... &` line is a session with a server: the server starts
  in the background in the folder, its first line must match the one shown (the port masked), and
  the port of its `--listen` (7474 when none is given) is replaced by a free one in that command and
  in every later command and line of the block. In such a block `curl ...` commands run and are
  compared too, and a line of expected output may hold `...` for any text (`{"ok":true,...}`). At
  the end of the block the server gets SIGTERM and must exit 0. `smorg serve` in a ```sh block or a
  table cell is not run (it would not return).

- a ```python block runs as a script in the folder (with the module from --python-path) and must
  exit 0; its asserts are its checks. After `<!-- server: smorg serve ... -->` it runs while that
  server does, its port 7474 replaced by the server's;
- a ```c block with a main() is compiled against the C ABI (--c-include, --lib-dir), run in the
  folder, and must exit 0.

C++ and CMake blocks are compiled by the install check (examples/), not here.
Exit status 0 when every example ran as shown; the failures are listed otherwise.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import blocks, shell_commands, table_commands  # noqa: E402

TIMEOUT = 600
SERVER_TIMEOUT = 30  # seconds for a server to print its first line, and to exit after SIGTERM
SESSION_TIMEOUT = 120  # seconds for a command of a server session
DOC_PORT = 7474      # the port `smorg serve` listens on when no --listen is given


class Runner:
    def __init__(self, smorg, work, data_missing, python_path=None, c_include=None, lib_dir=None, smorg_mpi=None):
        self.work = work
        self.python_path = python_path
        self.c_include = c_include
        self.lib_dir = lib_dir
        self.data_missing = data_missing
        self.failures = []
        self.ran = 0
        bin_dir = work / ".bin"
        bin_dir.mkdir()
        (bin_dir / "smorg").symlink_to(smorg)
        self.mpi = smorg_mpi is not None
        if self.mpi:
            (bin_dir / "smorg-mpi").symlink_to(smorg_mpi)
        self.env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                        OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_hwloc_base_binding_policy="none")
        self.env["PATH"] = f"{bin_dir}:{self.env.get('PATH', '')}"
        self.env["TMPDIR"] = str(work / "tmp")
        (work / "tmp").mkdir()

    def fail(self, where, message):
        self.failures.append(f"{where}: {message}")

    def run(self, command, timeout=TIMEOUT):
        self.ran += 1
        p = subprocess.run(["bash", "-c", command], cwd=self.work, env=self.env, capture_output=True,
                           text=True, errors="replace", timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def needs_missing_data(self, command):
        return any(name in command for name in self.data_missing)

    # A command that must succeed.
    def command(self, where, command):
        if is_serve(command):
            print(f"skipped (a server; sessions run from console blocks): {where}: {command}")
            return
        if self.needs_missing_data(command):
            print(f"skipped (data set not here): {where}: {command}")
            return
        status, out, err = self.run(command)
        if status != 0:
            self.fail(where, f"`{command}` exited {status}\n{indent(out + err)}")

    # A Python script: the module from the build tree, in the folder.
    def python(self, where, lines, server_command=None):
        if server_command:
            ports = {}
            command, _ = self.choose_port(server_command + " &", [], ports)
            server = self.start_server(where, command, [])
            if server is None:
                return
            try:
                self.python(where, [replace_ports(line, ports) for line in lines])
            finally:
                self.stop_server(where, server)
            return
        if not self.python_path and any(re.match(r"\s*(import|from) smorg\b", line) for line in lines):
            print(f"skipped (no Python module in this build): {where}")
            return
        script = self.work / "tmp" / "example.py"
        script.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = dict(self.env, PYTHONPATH=str(self.python_path or ""))
        self.ran += 1
        p = subprocess.run([sys.executable, str(script)], cwd=self.work, env=env, capture_output=True, text=True,
                           errors="replace", timeout=TIMEOUT)
        if p.returncode != 0:
            self.fail(where, f"the python example exited {p.returncode}\n{indent(p.stdout + p.stderr)}")

    # A C program: compiled against libsmorg, then run in the folder.
    def c_program(self, where, lines):
        if not (self.c_include and self.lib_dir):
            print(f"skipped (no C library to build against in this build): {where}")
            return
        source = self.work / "tmp" / "example.c"
        binary = self.work / "tmp" / "example"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.ran += 1
        build = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", str(source), f"-I{self.c_include}",
                                f"-L{self.lib_dir}", "-lsmorg", f"-Wl,-rpath,{self.lib_dir}", "-o", str(binary)],
                               capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
        if build.returncode != 0:
            self.fail(where, f"the C example does not compile\n{indent(build.stdout + build.stderr)}")
            return
        p = subprocess.run([str(binary)], cwd=self.work, env=self.env, capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT)
        if p.returncode != 0:
            self.fail(where, f"the C example exited {p.returncode}\n{indent(p.stdout + p.stderr)}")

    # A command and the output shown for it.
    def transcript(self, where, command, expected, loose=False, timeout=TIMEOUT):
        if self.needs_missing_data(command):
            print(f"skipped (data set not here): {where}: {command}")
            return
        _, out, err = self.run(command, timeout)
        actual = (out + err).rstrip("\n").split("\n")
        if not matches(normalize(expected, self.work), normalize(actual, self.work), loose):
            self.fail(where, f"`{command}` printed\n{indent(chr(10).join(actual))}\nwhere the document shows\n"
                             f"{indent(chr(10).join(expected))}")

    # A console block with `$ smorg serve ... &`: the server runs while the block's commands do.
    def session(self, where, items):
        if any(self.needs_missing_data(command) for command, _ in items if is_serve(command)):
            print(f"skipped (data set not here): {where}: a server session")
            return
        ports = {}
        servers = []
        try:
            for command, expected in items:
                if is_serve(command):
                    if not command.rstrip().endswith("&"):
                        self.fail(where, f"`{command}` would not return: start a server in the background (`... &`)")
                        return
                    command, expected = self.choose_port(command, expected, ports)
                    server = self.start_server(where, command, expected)
                    if server is None:
                        return
                    servers.append(server)
                    continue
                command = replace_ports(command, ports)
                expected = [replace_ports(line, ports) for line in expected]
                if command.startswith("smorg ") or command.startswith("curl "):
                    try:
                        self.transcript(where, command, expected, loose=True, timeout=SESSION_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        self.fail(where, f"`{command}` did not return within {SESSION_TIMEOUT} s")
        finally:
            for server in reversed(servers):
                self.stop_server(where, server)

    def choose_port(self, command, expected, ports):
        """The server command on a free port, and later text with the document's port replaced."""
        free = free_port()
        m = re.search(r"--listen[= ](\S+)", command)
        if m:
            port = re.search(r":(\d+)$", m.group(1))
            if port and port.group(1) != "0":
                ports[port.group(1)] = str(free)
        else:
            ports[str(DOC_PORT)] = str(free)
            command = command.rstrip()[:-1].rstrip() + f" --listen 127.0.0.1:{free} &"
        command = replace_ports(command, ports)
        return command, [replace_ports(line, ports) for line in expected]

    def start_server(self, where, command, expected):
        self.ran += 1
        line = command.rstrip()[:-1].rstrip()
        stderr = tempfile.TemporaryFile()
        proc = subprocess.Popen(["bash", "-c", "exec " + line], cwd=self.work, env=self.env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=stderr)
        server = Background(command, proc, stderr)
        first = server.first_line(SERVER_TIMEOUT)
        if first is None:
            self.stop_server(where, server, quiet=True)
            self.fail(where, f"`{command}` printed no line within {SERVER_TIMEOUT} s; it exited {proc.returncode}\n"
                             f"{indent(server.stderr())}")
            return None
        mask = [re.sub(r"(http://[^:/]+:)\d+/", r"\1PORT/", line) for line in normalize(expected, self.work)]
        shown = [re.sub(r"(http://[^:/]+:)\d+/", r"\1PORT/", line) for line in normalize([first], self.work)]
        if expected and not matches(mask, shown, True):
            self.fail(where, f"`{command}` printed\n{indent(first)}\nwhere the document shows\n"
                             f"{indent(chr(10).join(expected))}")
        return server

    def stop_server(self, where, server, quiet=False):
        proc = server.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(SERVER_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(SERVER_TIMEOUT)
                if not quiet:
                    self.fail(where, f"`{server.command}` did not exit within {SERVER_TIMEOUT} s of SIGTERM")
                server.close()
                return
        if proc.returncode != 0 and not quiet:
            self.fail(where, f"`{server.command}` exited {proc.returncode}\n{indent(server.stderr())}")
        server.close()

    def request(self, where, request, db):
        requests = request if isinstance(request, list) else [request]
        ops = [r.get("op") for r in requests]
        target = db
        writes = any(op in ("import", "erase") for op in ops) or any("write" in r for r in requests)
        if writes and (self.work / db).exists():
            scratch = self.work / "scratch"
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir()
            for suffix in ("", ".snapshot"):
                if (self.work / (db + suffix)).exists():
                    shutil.copy(self.work / (db + suffix), scratch / (db + suffix))
            target = f"scratch/{db}"
        text = json.dumps(request)
        status, out, err = self.run(f"smorg query --db {shell_quote(target)} "
                                    f"{shell_quote(text)}")
        try:
            answer = json.loads(out)
        except json.JSONDecodeError:
            answer = None
        ok = answer is not None and all(a.get("ok") for a in (answer if isinstance(answer, list) else [answer]))
        if status != 0 or not ok:
            self.fail(where, f"request {text} on {db} failed:\n{indent(out + err)}")


class Background:
    """A server started by a console block: its first stdout line, read without blocking forever."""

    def __init__(self, command, proc, stderr_file):
        self.command = command
        self.proc = proc
        self.stderr_file = stderr_file
        self.lines = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", errors="replace").rstrip("\n"))
            self.ready.set()
        self.ready.set()

    def first_line(self, timeout):
        self.ready.wait(timeout)
        return self.lines[0] if self.lines else None

    def stderr(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", errors="replace")

    def close(self):
        self.reader.join(5)
        self.proc.stdout.close()
        self.stderr_file.close()


GLOBAL_VALUE_OPTIONS = ("--threads", "--max-memory", "--max-work", "--output-dir")


def is_serve(command):
    """`smorg [global options] serve ...`"""
    if not command.startswith("smorg "):
        return False
    try:
        words = shlex.split(command.rstrip().rstrip("&"))
    except ValueError:
        return False
    i = 1
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in GLOBAL_VALUE_OPTIONS else 1
    return i < len(words) and words[i] == "serve"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def replace_ports(text, ports):
    """`localhost:7474`, `127.0.0.1:7474`, `[::1]:7474` with the port the session chose."""
    for old, new in ports.items():
        text = re.sub(r"(?<![\w.-])(localhost|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]*\]):" + old + r"(?!\d)",
                      r"\1:" + new, text)
    return text


def shell_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def indent(text):
    return "\n".join("    " + line for line in text.rstrip("\n").split("\n"))


def normalize(lines, work):
    out = []
    for line in lines:
        line = line.replace(str(work / "tmp"), "/tmp").replace(str(work) + "/", "")
        line = re.sub(r'("took_ms":\s*)[0-9.e+-]+', r"\1T", line)
        line = re.sub(r"\([0-9.e+-]+ ms\)", "(T ms)", line)
        line = re.sub(r"\bin [0-9.]+ s\b", "in T s", line)
        out.append(line.rstrip())
    return out


def matches(expected, actual, loose=False):
    """`...` in expected matches any run of lines (none included); `loose`: `...` inside a line matches
    any text."""
    memo = {}

    def same(e, a):
        if e == a:
            return True
        return loose and "..." in e and re.fullmatch(".*".join(map(re.escape, e.split("..."))), a) is not None

    def go(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(expected):
            result = j == len(actual)
        elif expected[i] == "...":
            result = any(go(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            result = j < len(actual) and same(expected[i], actual[j]) and go(i + 1, j + 1)
        memo[(i, j)] = result
        return result

    sys.setrecursionlimit(100000)
    return go(0, 0)


def transcripts(lines):
    """(command, expected lines) for each `$ ` line of a block; continuation lines (a trailing
    backslash) belong to the command."""
    out = []
    i = 0
    while i < len(lines):
        if lines[i].startswith("$ "):
            command = lines[i][2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1] + lines[i]
            expected = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                expected.append(lines[i])
                i += 1
            while expected and not expected[-1].strip():
                expected.pop()
            out.append((command, expected))
        else:
            i += 1
    return out


def runs(runner, command):
    """Whether a block's command is one the check runs: smorg's, and smorg-mpi's under mpirun."""
    if command.startswith("smorg "):
        return True
    if command.startswith("mpirun ") and " smorg-mpi " in command:
        if not runner.mpi:
            print(f"skipped (no --smorg-mpi): {command}")
        return runner.mpi
    return False


def is_request(value):
    if isinstance(value, dict):
        return "op" in value and "ok" not in value
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) and "op" in v for v in value)


def check_document(runner, path, source):
    text = path.read_text(encoding="utf-8")
    name = path.relative_to(source)
    for number, command in table_commands(text):
        runner.command(f"{name}:{number}", command)
    for block in blocks(text):
        where = f"{name}:{block.line}"
        file_name = block.option("file")
        if file_name:
            (runner.work / file_name).write_text("\n".join(block.lines) + "\n", encoding="utf-8")
            continue
        language = block.language
        if language == "sh":
            for offset, command in shell_commands(block.lines):
                if runs(runner, command):
                    runner.command(f"{name}:{block.line + 1 + offset}", command)
        elif language in ("", "console", "text"):
            if "example" in block.directives:
                runner.transcript(where, block.directives["example"], block.lines)
                continue
            items = transcripts(block.lines)
            if any(is_serve(command) for command, _ in items):
                runner.session(where, items)
                continue
            for command, expected in items:
                if runs(runner, command):
                    runner.transcript(where, command, expected)
        elif language == "python":
            runner.python(where, block.lines, block.directives.get("server"))
        elif language == "c" and any("main(" in line for line in block.lines):
            runner.c_program(where, block.lines)
        elif language == "json":
            try:
                value = json.loads("\n".join(block.lines))
            except json.JSONDecodeError:
                continue  # an answer's shape with elisions, not a request
            if is_request(value):
                runner.request(where, value, block.directives.get("db", "org.db"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smorg", required=True, type=Path)
    parser.add_argument("--source", required=True, type=Path)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--python-path", type=Path, help="where the smorg Python package is (python blocks)")
    parser.add_argument("--c-include", type=Path, help="the C ABI's include folder (c blocks)")
    parser.add_argument("--lib-dir", type=Path, help="the folder of libsmorg.so (c blocks)")
    parser.add_argument("--smorg-mpi", type=Path, help="smorg-mpi (mpirun commands)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="smorg-docs-"))
    try:
        data = Path(os.environ.get("SMORG_DATA_DIR", args.data)).resolve()  # the environment wins, as in the C++ suites
        data_files = sorted(p for p in data.glob("*/*") if p.is_file()) if data.is_dir() else []
        if not data_files and os.environ.get("CI"):
            print(f"the data sets are missing ({args.data}): under CI that is a failure", file=sys.stderr)
            return 1
        for f in data_files:
            link = work / f.name
            if not link.exists():
                link.symlink_to(f)
        expected_names = ["email-Eu-core.txt", "Krack-High-Tec-Attributes.csv", "karate.edge", "CollegeMsg.txt",
                          "higgs-mention_network.edgelist", "soc-Epinions1.txt.gz", "wiki-Vote.txt",
                          "soc-sign-bitcoinalpha.csv", "email-Enron.txt.gz"]
        missing = [n for n in expected_names if not (work / n).exists()]
        if missing and os.environ.get("CI"):
            print(f"data sets missing under CI: {', '.join(missing)}", file=sys.stderr)
            return 1
        runner = Runner(args.smorg.resolve(), work, missing, args.python_path and args.python_path.resolve(),
                        args.c_include and args.c_include.resolve(), args.lib_dir and args.lib_dir.resolve(),
                        args.smorg_mpi and args.smorg_mpi.resolve())
        documents = [args.source / "README.md", args.source / "docs" / "importing.md"]
        documents += sorted(p for p in (args.source / "docs").glob("*.md") if p not in documents)
        for doc in documents:
            check_document(runner, doc, args.source)
        print(f"{runner.ran} examples run from {len(documents)} documents")
        for failure in runner.failures:
            print(f"\nFAILED {failure}", file=sys.stderr)
        return 1 if runner.failures else 0
    finally:
        if args.keep:
            print(f"scratch folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
