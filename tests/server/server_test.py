#!/usr/bin/env python3
"""`smorg serve` keeps its contract: every endpoint, status code, limit and guarantee of docs/server.md.

    python3 tests/server/server_test.py --smorg PATH_TO_SMORG [--verbose] [unittest arguments]

The suite builds its own data once, in a temporary folder: the sample organization (3,000 customers,
200 employees) for most tests, and a larger one (20,000 customers, 1,000 employees) whose exact
betweenness runs for minutes, which the tests that need a query in flight start and then cancel,
time out, disconnect from or shut down under. Every server listens on 127.0.0.1 with a port of its
own choosing (`--listen 127.0.0.1:0`), read from the line it prints first; every server is stopped
when its test ends (SIGTERM, then SIGKILL after a timeout), and every wait is bounded.

Only the standard library is used. Exit status 0 when every test passed.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

SMORG = None          # set by main()
DATA = None           # the shared test data, built by setUpModule

START_TIMEOUT = 30    # seconds for a server to print its first line
STOP_TIMEOUT = 20     # seconds for a server to exit after SIGTERM before it is killed
HTTP_TIMEOUT = 30     # seconds for any one HTTP exchange
RUN_TIMEOUT = 15      # seconds for a started query to show up in /v1/runs
DISCONNECT_LIMIT = 2.0  # seconds for a run to leave /v1/runs after its client went away ("about 1 s")

PORT_LINE = re.compile(r"at http://([^:/]+):(\d+)/")
TOOK_MS = re.compile(rb'"took_ms":-?[0-9][0-9.eE+-]*')
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

# A query that runs for minutes on the large organization: exact betweenness over 25,000 people
# and 170,000 ties, with a work budget raised to let it start. Tests cancel it.
SLOW = {"op": "centrality", "algorithm": "betweenness", "top": 1, "max_work": 1e12}
# About a second on the small organization.
SHORT = {"op": "seeds", "k": 50, "epsilon": 0.05}


# ---------------------------------------------------------------------------------------------
# Processes and data


def run_smorg(*args, cwd=None, timeout=120, input_text=None):
    p = subprocess.run([SMORG, *args], cwd=cwd, capture_output=True, timeout=timeout, input=input_text)
    return p.returncode, p.stdout, p.stderr


class Data:
    """The organizations, built once; tests work on copies of the small one."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="smorg-server-test-")
        self.small_db = self._org("small", 3000, 200)
        self.big_db = self._org("big", 20000, 1000)
        self.copies = 0

    def _org(self, name, customers, employees):
        folder = os.path.join(self.root, name)
        status, out, err = run_smorg("generate", "--out", folder, "--customers", str(customers),
                                     "--employees", str(employees))
        if status != 0:
            raise RuntimeError(f"smorg generate failed ({status}): {err.decode(errors='replace')}")
        db = os.path.join(folder, "org.db")
        status, out, err = run_smorg("-q", "import", "--db", db, "--nodes", os.path.join(folder, "nodes.csv"),
                                     "--edges", os.path.join(folder, "edges.csv"))
        if status != 0:
            raise RuntimeError(f"smorg import failed ({status}): {err.decode(errors='replace')}")
        return db

    def folder(self, name):
        """A new empty folder of the scratch area."""
        self.copies += 1
        path = os.path.join(self.root, f"{name}-{self.copies}")
        os.makedirs(path)
        return path

    def fresh_small(self, name="db"):
        """A copy of the small organization's database (and its companion files) in a folder of its own."""
        folder = self.folder(name)
        source = os.path.dirname(self.small_db)
        for f in os.listdir(source):
            if f.startswith("org.db"):
                shutil.copy(os.path.join(source, f), os.path.join(folder, f))
        return os.path.join(folder, "org.db")

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def setUpModule():
    global DATA
    DATA = Data()


def tearDownModule():
    if DATA is not None:
        DATA.remove()


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # lower-case names
        self.body = body            # bytes
        self._json = None

    @property
    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise AssertionError(f"the answer is not JSON ({e}): {self.body[:500]!r}") from None
        return self._json

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        text = self.body[:800].decode("utf-8", errors="replace")
        return f"HTTP {self.status} {text}"


def http_request(port, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
    """One exchange on a fresh connection to 127.0.0.1:port. A request object or list is sent as JSON."""
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    if body is not None and "Content-Type" not in headers:
        headers["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        try:
            conn.request(method, path, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (413) before reading the whole body: read what it said
        response = conn.getresponse()
        data = response.read()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


class Call(threading.Thread):
    """An HTTP exchange in the background; result() waits for it, bounded."""

    def __init__(self, port, method, path, body=None, headers=None, timeout=120):
        super().__init__(daemon=True)
        self.args = (port, method, path, body, headers, timeout)
        self.reply = None
        self.error = None
        self.start()

    def run(self):
        try:
            self.reply = http_request(*self.args)
        except Exception as e:  # noqa: BLE001 - reported by result()
            self.error = e

    def result(self, timeout=HTTP_TIMEOUT):
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"no answer within {timeout} s to {self.args[1]} {self.args[2]}")
        if self.error is not None:
            raise AssertionError(f"{self.args[1]} {self.args[2]} failed: {self.error!r}")
        return self.reply


class Server:
    """A `smorg serve` process listening on 127.0.0.1 with a port of its own choosing."""

    def __init__(self, db, *args, global_args=(), listen="127.0.0.1:0", cwd=None):
        self.db = db
        self.command = [SMORG, *global_args, "serve", "--db", db, "--listen", listen, *args]
        self.stderr_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     stdin=subprocess.DEVNULL, cwd=cwd or DATA.root)
        self.lines = []
        self.first = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.first.wait(START_TIMEOUT):
            self.close()
            raise AssertionError(f"`{' '.join(self.command)}` printed nothing within {START_TIMEOUT} s")
        if not self.lines:
            self.proc.wait(STOP_TIMEOUT)
            raise AssertionError(f"`{' '.join(self.command)}` exited {self.proc.returncode} without serving: "
                                 f"{self.stderr()}")
        self.first_line = self.lines[0]
        m = PORT_LINE.search(self.first_line)
        if not m:
            self.close()
            raise AssertionError(f"the first line {self.first_line!r} does not say where the server listens")
        self.host, self.port = m.group(1), int(m.group(2))

    def _read(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode("utf-8", errors="replace").rstrip("\n"))
            self.first.set()
        self.first.set()

    def request(self, method, path, body=None, headers=None, timeout=HTTP_TIMEOUT):
        return http_request(self.port, method, path, body, headers, timeout)

    def query(self, body, headers=None, timeout=HTTP_TIMEOUT):
        return self.request("POST", "/v1/query", body, headers, timeout)

    def call(self, method, path, body=None, headers=None, timeout=120):
        return Call(self.port, method, path, body, headers, timeout)

    def stats(self, headers=None):
        reply = self.query({"op": "stats"}, headers)
        if reply.status != 200:
            raise AssertionError(f"stats: {reply!r}")
        return reply.json["result"]

    def runs(self, headers=None):
        reply = self.request("GET", "/v1/runs", headers=headers)
        if reply.status != 200:
            raise AssertionError(f"GET /v1/runs: {reply!r}")
        return reply.json["runs"]

    def wait_for_run(self, op, call=None, timeout=RUN_TIMEOUT, headers=None):
        """The run of `op` once /v1/runs lists it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for run in self.runs(headers):
                if run.get("op") == op:
                    return run
            if call is not None and not call.is_alive():
                raise AssertionError(f"the {op} query ended before it was seen running: {call.reply!r} {call.error!r}")
            time.sleep(0.05)
        raise AssertionError(f"no {op} run in /v1/runs within {timeout} s")

    def stderr(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", errors="replace")

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Sends `sig` and waits for the exit: (exit status, seconds taken). Killed after `timeout`."""
        if self.proc.poll() is not None:
            return self.proc.returncode, 0.0
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)
            raise AssertionError(f"the server did not exit within {timeout} s of signal {sig}; killed")
        return self.proc.returncode, time.monotonic() - start

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT)
        self.reader.join(5)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.stderr_file.close()


def start_refused(args, global_args=(), timeout=START_TIMEOUT):
    """Runs `smorg [global_args] serve args` expecting it to refuse to start: (exit status, stdout, stderr)."""
    try:
        p = subprocess.run([SMORG, *global_args, "serve", *args], capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL, cwd=DATA.root)
    except subprocess.TimeoutExpired as e:
        # run() killed it: it served instead of refusing.
        raise AssertionError(f"`smorg serve {' '.join(args)}` did not exit within {timeout} s "
                             f"(stdout {e.stdout!r})") from None
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def masked(body):
    return TOOK_MS.sub(b'"took_ms":T', body)


def multipart(parts):
    """A multipart/form-data body: parts are (name, filename or None, bytes or str)."""
    boundary = "smorgtestboundary7c1f0e"
    out = []
    for name, filename, content in parts:
        if isinstance(content, str):
            content = content.encode("utf-8")
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode())
        out.append(b"Content-Type: " + (b"text/csv" if filename else b"application/json") + b"\r\n\r\n")
        out.append(content + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def new_nodes_csv(prefix, count):
    rows = [f"{prefix}{i:04d},customer,Test Person {prefix}{i}" for i in range(count)]
    return "id,kind,name\n" + "\n".join(rows) + "\n"


class ServerCase(unittest.TestCase):
    def serve(self, db, *args, **kwargs):
        server = Server(db, *args, **kwargs)
        self.addCleanup(server.close)
        return server

    def assertError(self, reply, status, code=None, at=None):
        self.assertEqual(reply.status, status, reply)
        answer = reply.json
        if isinstance(answer, list):
            failed = [a for a in answer if not a.get("ok")]
            self.assertTrue(failed, reply)
            answer = failed[0]
        self.assertIs(answer.get("ok"), False, reply)
        self.assertIn("error", answer, reply)
        if code is not None:
            self.assertEqual(answer["error"].get("code"), code, reply)
        if at is not None:
            self.assertEqual(answer["error"].get("at"), at, reply)
        return answer["error"]

    def assertOk(self, reply):
        self.assertEqual(reply.status, 200, reply)
        answers = reply.json if isinstance(reply.json, list) else [reply.json]
        for a in answers:
            self.assertIs(a.get("ok"), True, reply)
        return reply.json

    def assertOneJsonLine(self, reply):
        content_type = reply.header("Content-Type") or ""
        self.assertTrue(content_type.startswith("application/json"), f"Content-Type {content_type!r} of {reply!r}")
        self.assertTrue(reply.body.endswith(b"\n"), f"not newline-terminated: {reply!r}")
        self.assertEqual(reply.body.count(b"\n"), 1, f"not one line: {reply!r}")
        reply.json  # noqa: B018 - parses


# ---------------------------------------------------------------------------------------------
# The command


class CommandTest(unittest.TestCase):
    def test_help(self):
        status, out, err = run_smorg("serve", "--help", timeout=30)
        self.assertEqual(status, 0, err)
        for option in ("--db", "--listen", "--token-file", "--max-concurrent", "--query-timeout", "--max-rows",
                       "--max-body", "--output-dir", "--import-dir", "--log", "--allow-origin", "--grace"):
            self.assertIn(option, out.decode(), f"serve --help does not mention {option}")

    def test_first_line(self):
        server = Server(DATA.small_db)
        try:
            self.assertRegex(server.first_line, r"^smorg: serving .*org\.db at http://127\.0\.0\.1:\d+/$")
            self.assertEqual(server.host, "127.0.0.1")
            self.assertGreater(server.port, 0)
            self.assertIn(DATA.small_db, server.first_line)
        finally:
            server.close()

    def test_non_loopback_without_token_is_refused(self):
        status, out, err = start_refused(["--db", DATA.small_db, "--listen", "0.0.0.0:0"])
        self.assertEqual(status, 2, f"stdout {out!r} stderr {err!r}")
        self.assertNotIn("serving", out)
        self.assertTrue(err.strip(), "no message on stderr")

    def test_empty_token_is_refused(self):
        folder = DATA.folder("token")
        token_file = os.path.join(folder, "token")
        with open(token_file, "w") as f:
            f.write("  \n")
        status, out, err = start_refused(["--db", DATA.small_db, "--listen", "127.0.0.1:0", "--token-file", token_file])
        self.assertEqual(status, 2, f"stdout {out!r} stderr {err!r}")
        self.assertNotIn("serving", out)

    def test_out_of_range_options_are_refused(self):
        for args in (["--max-concurrent", "0"], ["--max-concurrent", "1025"], ["--query-timeout", "0"],
                     ["--query-timeout", "1e9"], ["--grace", "4000"], ["--max-body", "17G"], ["--max-body", "12Q"],
                     ["--allow-absolute-paths"]):
            status, out, err = start_refused(["--db", DATA.small_db, "--listen", "127.0.0.1:0", *args])
            self.assertNotEqual(status, 0, f"{args}: stdout {out!r} stderr {err!r}")
            self.assertNotIn("serving", out, args)

    def test_missing_database_without_create(self):
        missing = os.path.join(DATA.folder("missing"), "none.db")
        status, out, err = start_refused(["--db", missing, "--listen", "127.0.0.1:0"])
        self.assertNotEqual(status, 0, f"stdout {out!r} stderr {err!r}")
        self.assertFalse(os.path.exists(missing), "a reader created the database")

    def test_create(self):
        db = os.path.join(DATA.folder("create"), "new.db")
        server = Server(db, "--create")
        try:
            health = http_request(server.port, "GET", "/v1/health")
            self.assertEqual(health.status, 200, health)
            self.assertEqual((health.json["nodes"], health.json["edges"]), (0, 0), health)
            reply = server.request("POST", "/v1/import?role=nodes&name=first.csv", new_nodes_csv("n", 3),
                                   {"Content-Type": "text/csv"})
            self.assertEqual(reply.status, 200, reply)
            self.assertEqual(server.stats()["nodes"], 3)
        finally:
            server.close()


# ---------------------------------------------------------------------------------------------
# Endpoints, status codes and equality with `smorg query --compact`, on one server that nothing changes


class ReadOnlyTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        cls.db = DATA.fresh_small("readonly")
        cls.server = Server(cls.db)
        cls.workdir = os.path.dirname(cls.db)
        with open(os.path.join(cls.workdir, "here.csv"), "w") as f:
            f.write(new_nodes_csv("h", 2))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def cli(self, text):
        status, out, err = run_smorg("query", "--db", self.db, "--compact", text, cwd=self.workdir)
        return out

    def assertSameAsCli(self, text, status=200):
        reply = self.server.query(text)
        self.assertEqual(reply.status, status, f"{text}: {reply!r}")
        expected = self.cli(text)
        self.assertTrue(expected, f"smorg query printed nothing for {text}")
        self.assertEqual(masked(reply.body), masked(expected),
                         f"POST /v1/query {text}\nserver:  {reply.body[:600]!r}\nsmorg query: {expected[:600]!r}")
        self.assertOneJsonLine(reply)

    def test_health(self):
        reply = self.server.request("GET", "/v1/health")
        self.assertEqual(reply.status, 200, reply)
        self.assertOneJsonLine(reply)
        health = reply.json
        self.assertIs(health["ok"], True)
        self.assertEqual(health["status"], "serving")
        self.assertEqual(health["db"], self.db)
        self.assertIsInstance(health["generation"], int)
        self.assertEqual((health["nodes"], health["edges"]), (3821, 26281), reply)

    def test_stats(self):
        reply = self.server.request("GET", "/v1/stats")
        self.assertEqual(reply.status, 200, reply)
        self.assertOneJsonLine(reply)
        self.assertEqual(masked(reply.body), masked(self.cli('{"op": "stats"}')))
        answer = reply.json
        self.assertEqual((answer["ok"], answer["op"]), (True, "stats"))
        self.assertIn("took_ms", answer)
        self.assertEqual(answer["result"]["nodes"], 3821)

    def test_runs_when_idle(self):
        reply = self.server.request("GET", "/v1/runs")
        self.assertEqual(reply.status, 200, reply)
        self.assertOneJsonLine(reply)
        self.assertEqual(reply.json, {"ok": True, "runs": []})

    def test_answers_equal_smorg_query(self):
        requests = [
            '{"op": "centrality", "algorithm": "pagerank", "top": 5}',
            '{"op": "crv", "top": 5}',
            '{"op": "communities"}',
            '{"op": "path", "source": "i0001", "target": "c000042"}',
            '{"op": "neighbors", "id": "c000042", "limit": 5}',
            '{"op": "node", "id": "c000042"}',
            '{"op": "stats"}',
            '[{"op": "node", "id": "c000042"}, {"op": "centrality", "algorithm": "degree", "top": 3}, '
            '{"op": "crv", "top": 2}]',
        ]
        for text in requests:
            with self.subTest(request=text):
                self.assertSameAsCli(text)

    def test_estimate_counts_kept_views_as_free(self):
        # A resident server keeps the views earlier requests built, so an estimate there may need less
        # memory and work than the same estimate from a fresh `smorg query`; everything else is equal.
        self.server.query('{"op": "centrality", "algorithm": "pagerank", "top": 1}')
        text = '{"op": "centrality", "algorithm": "betweenness", "estimate": true}'
        reply = self.server.query(text)
        self.assertEqual(reply.status, 200, reply)
        served = reply.json["result"]["estimate"]
        fresh = json.loads(self.cli(text))["result"]["estimate"]
        for field in ("memory_bytes", "work"):
            self.assertLessEqual(served.pop(field), fresh.pop(field), field)
        self.assertEqual(served, fresh)

    def test_error_answers_equal_smorg_query(self):
        cases = [
            ('{"op": "centrality", "algorithm": "pagerank", "dampin": 0.9}', 400),
            ('{"op": "node", "id": "nobody-here"}', 404),
            ('{"op": "stats"', 400),
            ('[{"op": "stats"}, {"op": "node", "id": "nobody-here"}]', 404),
        ]
        for text, status in cases:
            with self.subTest(request=text):
                self.assertSameAsCli(text, status)

    def test_malformed_json(self):
        for body in ('{"op": ', "not json", "", '{"op": "stats"} trailing'):
            with self.subTest(body=body):
                self.assertError(self.server.query(body), 400, "invalid_argument")

    def test_not_utf8(self):
        self.assertError(self.server.query(b'{"op": "node", "id": "\xff\xfe"}'), 400, "invalid_argument")

    def test_nesting_deeper_than_64(self):
        self.assertError(self.server.query("[" * 100 + "]" * 100), 400, "invalid_argument")

    def test_unknown_field(self):
        reply = self.server.query({"op": "centrality", "algorithm": "pagerank", "dampin": 0.9})
        self.assertError(reply, 400, "invalid_argument", "/dampin")

    def test_unknown_node(self):
        self.assertError(self.server.query({"op": "node", "id": "nobody-here"}), 404, "not_found", "/id")

    def test_batch_status_is_the_first_failure(self):
        reply = self.server.query([{"op": "stats"}, {"op": "node", "id": "nobody-here"},
                                   {"op": "centrality", "algorithm": "pagerank", "dampin": 1}])
        self.assertEqual(reply.status, 404, reply)
        self.assertEqual([a["ok"] for a in reply.json], [True, False, False])
        reply = self.server.query([{"op": "stats"}, {"op": "centrality", "algorithm": "pagerank", "dampin": 1},
                                   {"op": "node", "id": "nobody-here"}])
        self.assertEqual(reply.status, 400, reply)
        self.assertOk(self.server.query([{"op": "stats"}, {"op": "node", "id": "c000042"}]))

    def test_unknown_paths(self):
        for method, path in (("GET", "/v1/nope"), ("POST", "/v2/query"), ("GET", "/v1/health/x"),
                             ("GET", "/index.html"), ("GET", "/console/nothing.js"),
                             ("DELETE", "/v1/runs/123456789")):
            with self.subTest(path=path, method=method):
                reply = self.server.request(method, path)
                self.assertError(reply, 404, "not_found")
                self.assertOneJsonLine(reply)

    def test_console_page_and_files_load_without_the_token_and_hold_no_data(self):
        reply = self.server.request("GET", "/")
        self.assertEqual(reply.status, 200, reply)
        self.assertIn(b"/console/console.js", reply.body)
        for name, kind in (("console.js", "text/javascript"), ("console.css", "text/css"), ("index.html", "text/html")):
            reply = self.server.request("GET", "/console/" + name)
            self.assertEqual(reply.status, 200, reply)
            self.assertTrue(reply.headers["content-type"].startswith(kind), reply.headers)
            self.assertIn("default-src 'self'", reply.headers["content-security-policy"])

    def test_wrong_methods(self):
        for method, path in (("GET", "/v1/query"), ("PUT", "/v1/query"), ("PATCH", "/v1/query"),
                             ("OPTIONS", "/v1/query"), ("POST", "/v1/health"), ("PUT", "/v1/health"),
                             ("DELETE", "/v1/stats"), ("GET", "/v1/import"), ("POST", "/v1/runs")):
            with self.subTest(path=path, method=method):
                reply = self.server.request(method, path, body="{}" if method in ("POST", "PUT") else None)
                self.assertError(reply, 405)
                self.assertOneJsonLine(reply)

    def test_post_without_a_body(self):
        # Neither Content-Length nor Transfer-Encoding: the body is empty (RFC 9112, 6.3), so the
        # answer is a 400 at once, not after waiting for a body that will not come.
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=HTTP_TIMEOUT) as sock:
            start = time.monotonic()
            sock.sendall(b"POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            response = http.client.HTTPResponse(sock)
            response.begin()
            body = response.read()
            took = time.monotonic() - start
        self.assertEqual(response.status, 400, body)
        self.assertEqual(json.loads(body)["error"]["code"], "invalid_argument", body)
        self.assertLess(took, 2.0, f"answered {took:.1f} s after a request without a body")

    def test_timeout_ms_is_checked(self):
        for value in (0, -5, 1.5, "100", None, True):
            with self.subTest(timeout_ms=value):
                self.assertError(self.server.query({"op": "stats", "timeout_ms": value}), 400, "invalid_argument",
                                 "/timeout_ms")
        reply = self.server.query([{"op": "stats"}, {"op": "stats", "timeout_ms": 0}])
        self.assertEqual(reply.status, 400, reply)
        answers = reply.json if isinstance(reply.json, list) else [reply.json]
        errors = [a["error"] for a in answers if not a["ok"]]
        self.assertTrue(errors, reply)
        self.assertEqual(errors[0]["at"], "/1/timeout_ms", reply)

    def test_timeout_ms_does_not_reach_the_engine(self):
        reply = self.server.query('{"op": "stats", "timeout_ms": 60000}')
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(masked(reply.body), masked(self.cli('{"op": "stats"}')))
        reply = self.server.query('[{"op": "node", "id": "c000042", "timeout_ms": 5000}, {"op": "stats"}]')
        self.assertEqual(masked(reply.body), masked(self.cli('[{"op": "node", "id": "c000042"}, {"op": "stats"}]')))
        # A larger value than --query-timeout is capped, not refused.
        self.assertOk(self.server.query({"op": "stats", "timeout_ms": 10 ** 12}))
        self.assertOk(self.server.query({"op": "stats", "timeout_ms": 2 ** 62}))

    def test_work_budget_of_a_request(self):
        reply = self.server.query({"op": "centrality", "algorithm": "pagerank", "max_work": 1000})
        self.assertError(reply, 422, "resource_exhausted")

    def test_files_are_not_written_without_output_dir(self):
        reply = self.server.query({"op": "export", "format": "graphml", "out": "org.graphml"})
        self.assertError(reply, 403, "permission_denied", "/out")
        reply = self.server.query({"op": "silos", "svg": "map.svg", "permutations": 0})
        self.assertError(reply, 403, "permission_denied", "/svg")
        self.assertFalse(os.path.exists(os.path.join(self.workdir, "org.graphml")))
        self.assertFalse(os.path.exists(os.path.join(DATA.root, "org.graphml")))

    def test_imports_by_path_are_refused_without_import_dir(self):
        here = os.path.join(self.workdir, "here.csv")
        for nodes in ("here.csv", here):
            with self.subTest(nodes=nodes):
                self.assertError(self.server.query({"op": "import", "nodes": nodes}), 403, "permission_denied",
                                 "/nodes")
                reply = self.server.request("POST", "/v1/import", {"nodes": nodes})
                self.assertError(reply, 403, "permission_denied")
        self.assertEqual(self.server.stats()["nodes"], 3821)

    def test_no_cors_headers_by_default(self):
        for reply in (self.server.request("GET", "/v1/health", headers={"Origin": "http://example.test"}),
                      self.server.query({"op": "stats"}, headers={"Origin": "http://example.test"}),
                      self.server.request("GET", "/v1/nope")):
            self.assertFalse([h for h in reply.headers if h.startswith("access-control-")], reply.headers)

    def test_keep_alive_or_close_both_answer(self):
        # Two requests on one connection: the second is answered (or the server closed the first).
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("GET", "/v1/health")
            first = conn.getresponse()
            self.assertEqual(first.status, 200)
            first.read()
            if first.getheader("Connection", "").lower() != "close":
                conn.request("GET", "/v1/health")
                second = conn.getresponse()
                self.assertEqual(second.status, 200)
                second.read()
        finally:
            conn.close()


# ---------------------------------------------------------------------------------------------
# Limits


class LimitsTest(ServerCase):
    def test_max_rows(self):
        db = DATA.fresh_small("rows")
        server = self.serve(db, "--max-rows", "3")
        text = '{"op": "centrality", "algorithm": "pagerank", "top": 10}'
        reply = server.query(text)
        self.assertEqual(reply.status, 200, reply)
        result = reply.json["result"]
        status, full, err = run_smorg("query", "--db", db, "--compact", text)
        full = json.loads(full)["result"]
        self.assertEqual(result["rows"], full["rows"][:3])
        self.assertEqual(result["rows_truncated"], {"total": 10, "returned": 3})
        self.assertEqual({k: v for k, v in result.items() if k not in ("rows", "rows_truncated")},
                         {k: v for k, v in full.items() if k != "rows"})
        # Not longer than N: untouched.
        result = server.query({"op": "centrality", "algorithm": "pagerank", "top": 3}).json["result"]
        self.assertEqual(len(result["rows"]), 3)
        self.assertNotIn("rows_truncated", result)
        # Every answer of a batch.
        reply = server.query([{"op": "crv", "top": 0}, {"op": "node", "id": "c000042"},
                              {"op": "centrality", "algorithm": "degree", "top": 7}])
        self.assertEqual(reply.status, 200, reply)
        crv, node, degree = (a["result"] for a in reply.json)
        self.assertEqual(len(crv["rows"]), 3)
        self.assertEqual(crv["rows_truncated"]["returned"], 3)
        self.assertGreater(crv["rows_truncated"]["total"], 3)
        self.assertNotIn("rows_truncated", node)
        self.assertEqual(degree["rows_truncated"], {"total": 7, "returned": 3})

    def test_max_body(self):
        server = self.serve(DATA.small_db, "--max-body", "1000")
        small = '{"op": "stats"' + " " * (990 - len('{"op": "stats"}')) + "}"
        self.assertEqual(len(small), 990)
        self.assertOk(server.query(small))
        large = '{"op": "stats"' + " " * 1100 + "}"
        self.assertError(server.query(large), 413, "resource_exhausted")
        reply = server.request("POST", "/v1/import?role=nodes&name=big.csv", new_nodes_csv("b", 100),
                               {"Content-Type": "text/csv"})
        self.assertError(reply, 413, "resource_exhausted")
        # The server still answers afterwards.
        self.assertOk(server.query({"op": "stats"}))

    def test_max_body_with_a_suffix(self):
        server = self.serve(DATA.small_db, "--max-body", "1M")
        fits = '{"op": "stats"' + " " * 900000 + "}"
        self.assertOk(server.query(fits))
        too_large = '{"op": "stats"' + " " * (1024 * 1024 + 100) + "}"
        self.assertError(server.query(too_large), 413, "resource_exhausted")

    def test_work_budget_of_the_server(self):
        server = self.serve(DATA.small_db, global_args=("--max-work", "1000"))
        reply = server.query({"op": "centrality", "algorithm": "pagerank", "top": 5})
        self.assertError(reply, 422, "resource_exhausted", "/max_iterations")
        estimate = self.assertOk(server.query({"op": "centrality", "algorithm": "pagerank", "estimate": True}))
        self.assertIs(estimate["result"]["estimate"]["fits"], False)
        self.assertEqual(estimate["result"]["estimate"]["max_work"], 1000)
        # A global option may also follow the subcommand.
        server = self.serve(DATA.small_db, "--max-work", "1000")
        reply = server.query({"op": "centrality", "algorithm": "pagerank", "top": 5})
        self.assertError(reply, 422, "resource_exhausted", "/max_iterations")

    def test_cors(self):
        origin = "https://dashboard.example.test"
        server = self.serve(DATA.small_db, "--allow-origin", origin)
        for reply in (server.request("GET", "/v1/health"), server.query({"op": "stats"}),
                      server.query({"op": "node", "id": "nobody-here"}), server.request("GET", "/v1/nope")):
            self.assertEqual(reply.header("Access-Control-Allow-Origin"), origin, reply.headers)
        reply = server.request("OPTIONS", "/v1/query", headers={"Origin": origin,
                                                               "Access-Control-Request-Method": "POST",
                                                               "Access-Control-Request-Headers": "content-type"})
        self.assertEqual(reply.status, 204, reply)
        self.assertEqual(reply.header("Access-Control-Allow-Origin"), origin, reply.headers)


# ---------------------------------------------------------------------------------------------
# Tokens


class TokenTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        folder = DATA.folder("token")
        cls.token_file = os.path.join(folder, "token")
        with open(cls.token_file, "w") as f:
            f.write("  s3cret-t0ken \nsecond line is not the token\n")
        cls.auth = {"Authorization": "Bearer s3cret-t0ken"}

    def check_refused(self, reply):
        self.assertError(reply, 401, "permission_denied", "")
        www = reply.header("WWW-Authenticate")
        self.assertTrue(www and www.startswith("Bearer"), reply.headers)

    def test_token(self):
        server = self.serve(DATA.small_db, "--token-file", self.token_file)
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer s3cret-t0ke"},
                        {"Authorization": "Bearer s3cret-t0ken2"}, {"Authorization": "Basic czNjcmV0LXQwa2Vu"},
                        {"Authorization": "s3cret-t0ken"},
                        {"Authorization": "Bearer second line is not the token"}):
            with self.subTest(headers=headers):
                self.check_refused(server.request("GET", "/v1/health", headers=headers))
                self.check_refused(server.query({"op": "stats"}, headers=headers))
                self.check_refused(server.request("GET", "/v1/stats", headers=headers))
                self.check_refused(server.request("GET", "/v1/runs", headers=headers))
                self.check_refused(server.request("DELETE", "/v1/runs/1", headers=headers))
                self.check_refused(server.request("POST", "/v1/import?role=nodes", new_nodes_csv("t", 1),
                                                  {**headers, "Content-Type": "text/csv"}))
        self.assertEqual(server.request("GET", "/v1/health", headers=self.auth).status, 200)
        self.assertOk(server.query({"op": "stats"}, headers=self.auth))
        self.assertEqual(server.request("GET", "/v1/runs", headers=self.auth).status, 200)
        self.assertEqual(server.stats(self.auth)["nodes"], 3821)  # the refused upload imported nothing

    def test_any_host_with_a_token(self):
        server = self.serve(DATA.small_db, "--token-file", self.token_file, listen="0.0.0.0:0")
        self.check_refused(server.request("GET", "/v1/health"))
        self.assertEqual(server.request("GET", "/v1/health", headers=self.auth).status, 200)


# ---------------------------------------------------------------------------------------------
# Files: --output-dir and --import-dir


class FilesTest(ServerCase):
    def test_output_dir(self):
        db = DATA.fresh_small("out")
        out = DATA.folder("exports")
        server = self.serve(db, "--output-dir", out)
        reply = server.query({"op": "export", "format": "graphml", "out": "org.graphml"})
        self.assertOk(reply)
        self.assertTrue(os.path.getsize(os.path.join(out, "org.graphml")) > 0)
        outside = os.path.join(DATA.folder("elsewhere"), "x.graphml")
        for name in (outside, "../x.graphml", "sub/../../x.graphml"):
            with self.subTest(out=name):
                self.assertError(server.query({"op": "export", "format": "graphml", "out": name}), 403,
                                 "permission_denied", "/out")
        for name in (os.path.join(os.path.dirname(outside), "map.svg"), "../map.svg"):
            with self.subTest(svg=name):
                self.assertError(server.query({"op": "silos", "svg": name, "permutations": 0}), 403,
                                 "permission_denied", "/svg")
        self.assertFalse(os.path.exists(outside))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(out), "x.graphml")))

    def test_output_dir_before_the_subcommand(self):
        # The same global option, given before `serve`; without it the server writes nowhere, not
        # into its working folder as `smorg query` would.
        db = DATA.fresh_small("out-global")
        out = DATA.folder("exports-global")
        server = self.serve(db, global_args=("--output-dir", out))
        self.assertOk(server.query({"op": "export", "format": "graphml", "out": "g.graphml"}))
        self.assertTrue(os.path.getsize(os.path.join(out, "g.graphml")) > 0)
        plain = self.serve(DATA.fresh_small("out-none"))
        self.assertError(plain.query({"op": "export", "format": "graphml", "out": "g.graphml"}), 403,
                         "permission_denied", "/out")

    def test_import_dir(self):
        db = DATA.fresh_small("in")
        inputs = DATA.folder("inputs")
        with open(os.path.join(inputs, "one.csv"), "w") as f:
            f.write(new_nodes_csv("p", 4))
        with open(os.path.join(inputs, "two.csv"), "w") as f:
            f.write(new_nodes_csv("q", 2))
        outside = os.path.join(DATA.folder("outside"), "three.csv")
        with open(outside, "w") as f:
            f.write(new_nodes_csv("r", 1))
        server = self.serve(db, "--import-dir", inputs)
        answer = self.assertOk(server.query({"op": "import", "nodes": "one.csv"}))
        self.assertEqual(answer["result"]["nodes_added"], 4)
        answer = self.assertOk(server.request("POST", "/v1/import", {"nodes": "two.csv"}))
        self.assertEqual(answer["op"], "import")
        self.assertEqual(answer["result"]["nodes_added"], 2)
        rel = os.path.relpath(outside, inputs)
        for name in (outside, rel):
            with self.subTest(nodes=name):
                self.assertError(server.query({"op": "import", "nodes": name}), 403, "permission_denied", "/nodes")
                self.assertError(server.request("POST", "/v1/import", {"nodes": name}), 403, "permission_denied")
        self.assertError(server.request("POST", "/v1/import", {"nodes": "two.csv", "nodez": 1}), 400,
                         "invalid_argument")
        self.assertEqual(server.stats()["nodes"], 3821 + 6)


# ---------------------------------------------------------------------------------------------
# Uploads


NODES = "id,kind,name\nu0001,customer,Una One\nu0002,customer,Uli Two\n"
EDGES = "source,target,kind,weight\nu0001,u0002,referral,1\nu0002,c000001,interaction,2\n"
BAD_EDGES = ("source,target,kind,weight\nu0001,c000002,referral,1\nu0001,nobody-at-all,referral,1\n"
             "u0001,c000003,referral,x\n")


class UploadTest(ServerCase):
    def setUp(self):
        self.server = self.serve(DATA.fresh_small("upload"))

    def counts(self):
        s = self.server.stats()
        return (s["nodes"], s["edges"], s["nodes_by_kind"], s["edges_by_kind"], len(s["batches"]),
                s["store"]["generation"])

    def assertUploadSource(self, stats, names):
        """The batch an upload made records the uploaded names, never where the server staged them."""
        source = stats["batches"][-1]["source"]
        for name in names:
            self.assertIn(name, source, stats["batches"][-1])
        self.assertNotIn("/", source, f"the batch of an upload records a server path: {stats['batches'][-1]}")

    def assertNoServerPath(self, reply):
        self.assertNotIn(tempfile.gettempdir().rstrip("/").encode() + b"/", reply.body,
                         f"the answer names a path on the server: {reply!r}")

    def test_multipart(self):
        body, headers = multipart([("nodes", "new-nodes.csv", NODES), ("edges", "new-edges.csv", EDGES)])
        answer = self.assertOk(self.server.request("POST", "/v1/import", body, headers))
        self.assertEqual(answer["op"], "import")
        self.assertEqual((answer["result"]["nodes_added"], answer["result"]["edges_added"]), (2, 2), answer)
        stats = self.server.stats()
        self.assertEqual((stats["nodes"], stats["edges"]), (3823, 26283))
        self.assertUploadSource(stats, ["new-nodes.csv", "new-edges.csv"])
        self.assertOk(self.server.query({"op": "node", "id": "u0002"}))
        # Repeated parts and params.
        body, headers = multipart([
            ("nodes", "a.csv", new_nodes_csv("ma", 2)), ("nodes", "b.jsonl", '{"id": "mb0001", "kind": "customer"}\n'),
            ("edges", "c.csv", "source,target\nma0000,mb0001\nma0001,made-up-0001\n"),
            ("params", None, json.dumps({"create_missing": True, "edge_kind": "interaction"}))])
        answer = self.assertOk(self.server.request("POST", "/v1/import", body, headers))
        self.assertEqual(answer["result"]["nodes_added"], 4, answer)  # the created one included
        self.assertEqual(answer["result"]["missing_nodes_created"], 1, answer)
        self.assertEqual(answer["result"]["edges_added"], 2, answer)
        self.assertEqual(self.server.stats()["nodes"], 3823 + 4)

    def test_raw_body(self):
        reply = self.server.request("POST", "/v1/import?role=nodes&name=raw-nodes.csv", NODES,
                                    {"Content-Type": "text/csv"})
        answer = self.assertOk(reply)
        self.assertEqual(answer["result"]["nodes_added"], 2)
        self.assertUploadSource(self.server.stats(), ["raw-nodes.csv"])
        # An edge list, its columns and options from the query string.
        query = urllib.parse.urlencode({"role": "edges", "name": "raw-edges.txt", "columns": "source,target,weight",
                                        "edge_kind": "follows", "create_missing": "true"})
        reply = self.server.request("POST", "/v1/import?" + query, "u0001 u0002 3\nu0002 raw-new-1 1\n",
                                    {"Content-Type": "application/octet-stream"})
        answer = self.assertOk(reply)
        self.assertEqual(answer["result"]["edges_added"], 2, answer)
        self.assertEqual(answer["result"]["missing_nodes_created"], 1, answer)
        neighbors = self.assertOk(self.server.query({"op": "neighbors", "id": "u0001", "direction": "out"}))
        self.assertIn("follows", json.dumps(neighbors))
        self.assertEqual(self.server.stats()["nodes"], 3821 + 3)

    def test_raw_body_needs_a_role(self):
        before = self.counts()
        for query in ("", "?name=x.csv", "?role=bogus"):
            with self.subTest(query=query):
                reply = self.server.request("POST", "/v1/import" + query, NODES, {"Content-Type": "text/csv"})
                self.assertError(reply, 400, "invalid_argument")
        self.assertEqual(self.counts(), before)

    def test_bad_multipart_imports_nothing(self):
        before = self.counts()
        body, headers = multipart([("nodes", "fine-nodes.csv", NODES), ("edges", "bad-edges.csv", BAD_EDGES)])
        reply = self.server.request("POST", "/v1/import", body, headers)
        error = self.assertError(reply, 422, "data_loss")
        self.assertEqual(error["errors"][0]["file"], "bad-edges.csv", reply)
        self.assertTrue(all(e["file"] == "bad-edges.csv" for e in error["errors"]), reply)
        self.assertGreaterEqual(error["total_errors"], 2, reply)
        self.assertNoServerPath(reply)
        self.assertEqual(self.counts(), before)
        self.assertError(self.server.query({"op": "node", "id": "u0001"}), 404, "not_found")

    def test_bad_raw_body_names_the_upload(self):
        before = self.counts()
        reply = self.server.request("POST", "/v1/import?role=edges&name=my-edges.csv", BAD_EDGES,
                                    {"Content-Type": "text/csv"})
        error = self.assertError(reply, 422, "data_loss")
        self.assertEqual(error["errors"][0]["file"], "my-edges.csv", reply)
        self.assertNoServerPath(reply)
        # Without a name, a nodes upload is "upload.csv".
        reply = self.server.request("POST", "/v1/import?role=nodes", "id,kind\n,customer\nok0001,customer\n",
                                    {"Content-Type": "text/csv"})
        error = self.assertError(reply, 422, "data_loss")
        self.assertEqual(error["errors"][0]["file"], "upload.csv", reply)
        self.assertEqual(self.counts(), before)


# ---------------------------------------------------------------------------------------------
# Queries in flight: busy, cancelled, timed out, abandoned, shut down


class InFlightTest(ServerCase):
    def slow_server(self, *args):
        return self.serve(DATA.big_db, *args, global_args=("--threads", "1"))

    def test_busy_then_cancel(self):
        server = self.slow_server("--max-concurrent", "1")
        slow = server.call("POST", "/v1/query", SLOW)
        run = server.wait_for_run("centrality", slow)
        for key in ("id", "op", "client", "started", "elapsed_ms", "phase", "progress"):
            self.assertIn(key, run, run)
        self.assertIsInstance(run["id"], int)
        self.assertEqual(run["client"], "127.0.0.1")
        self.assertRegex(run["started"], ISO_UTC)
        self.assertGreaterEqual(run["elapsed_ms"], 0)
        if run["progress"] is not None:
            self.assertTrue(0 <= run["progress"] <= 1, run)

        busy = server.query({"op": "stats"})
        error = self.assertError(busy, 429, "resource_exhausted")
        self.assertEqual(busy.header("Retry-After"), "1", busy.headers)
        self.assertIn("busy", error["message"].lower())
        busy = server.request("POST", "/v1/import?role=nodes&name=n.csv", new_nodes_csv("z", 1),
                              {"Content-Type": "text/csv"})
        self.assertError(busy, 429, "resource_exhausted")
        self.assertEqual(busy.header("Retry-After"), "1", busy.headers)
        # What is not a query still answers.
        self.assertEqual(server.request("GET", "/v1/health").status, 200)
        self.assertEqual(len(server.runs()), 1)

        self.assertError(server.request("DELETE", f"/v1/runs/{run['id'] + 1000}"), 404, "not_found")
        reply = server.request("DELETE", f"/v1/runs/{run['id']}")
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.json, {"ok": True, "cancelled": run["id"]})
        answer = slow.result(RUN_TIMEOUT)
        self.assertError(answer, 499, "cancelled")
        deadline = time.monotonic() + 5
        while server.runs() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(server.runs(), [])
        self.assertOk(server.query({"op": "stats"}))
        self.assertError(server.request("DELETE", f"/v1/runs/{run['id']}"), 404, "not_found")

    def test_timeout_ms(self):
        server = self.slow_server()
        start = time.monotonic()
        reply = server.query({**SLOW, "timeout_ms": 300}, timeout=60)
        self.assertError(reply, 504, "deadline_exceeded")
        self.assertLess(time.monotonic() - start, 10)
        # In a batch the smallest timeout_ms holds for the whole batch.
        start = time.monotonic()
        reply = server.query([{**SLOW, "timeout_ms": 600000}, {"op": "stats", "timeout_ms": 300}], timeout=60)
        self.assertEqual(reply.status, 504, reply)
        self.assertEqual(reply.json[0]["error"]["code"], "deadline_exceeded", reply)
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(server.runs(), [])

    def test_query_timeout_caps_timeout_ms(self):
        server = self.slow_server("--query-timeout", "1")
        start = time.monotonic()
        reply = server.query({**SLOW, "timeout_ms": 600000}, timeout=60)
        self.assertError(reply, 504, "deadline_exceeded")
        elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 0.5)
        self.assertLess(elapsed, 10)

    def test_client_that_goes_away(self):
        server = self.slow_server()
        body = json.dumps(SLOW).encode()
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=HTTP_TIMEOUT)
        try:
            sock.sendall(b"POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            run = server.wait_for_run("centrality")
        finally:
            sock.close()
        gone = time.monotonic()
        while any(r["id"] == run["id"] for r in server.runs()):
            self.assertLess(time.monotonic() - gone, DISCONNECT_LIMIT + 3,
                            "the run of a client that went away is still running")
            time.sleep(0.02)
        took = time.monotonic() - gone
        self.assertLess(took, DISCONNECT_LIMIT, f"the run left /v1/runs {took:.2f} s after its client went away")
        self.assertOk(server.query({"op": "stats"}))

    def test_sigterm_cancels_after_the_grace_period(self):
        server = self.slow_server("--grace", "1")
        slow = server.call("POST", "/v1/query", SLOW)
        server.wait_for_run("centrality", slow)
        status, took = server.stop(signal.SIGTERM, timeout=1 + 10)
        self.assertEqual(status, 0, server.stderr())
        self.assertLess(took, 1 + 5, f"exited {took:.1f} s after SIGTERM with --grace 1")
        self.assertGreater(took, 0.5, "did not wait for the running query")
        self.assertIn("smorg: stopped", server.stderr())
        self.assertError(slow.result(RUN_TIMEOUT), 499, "cancelled")

    def test_sigterm_lets_a_running_query_finish(self):
        server = self.serve(DATA.small_db, "--grace", "60")
        call = server.call("POST", "/v1/query", SHORT)
        server.wait_for_run("seeds", call)
        status, took = server.stop(signal.SIGTERM, timeout=60 + 10)
        self.assertEqual(status, 0, server.stderr())
        self.assertIn("smorg: stopped", server.stderr())
        self.assertOk(call.result(RUN_TIMEOUT))

    def test_sigterm_with_an_idle_connection(self):
        # A client that keeps its connection open between requests (a browser, a dashboard) runs
        # no query: it does not hold the shutdown past the grace period.
        server = self.serve(DATA.small_db, "--grace", "1")
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=HTTP_TIMEOUT)
        try:
            conn.request("GET", "/v1/health")
            response = conn.getresponse()
            response.read()
            self.assertEqual(response.status, 200)
            status, took = server.stop(signal.SIGTERM)
        finally:
            conn.close()
        self.assertEqual(status, 0, server.stderr())
        self.assertLess(took, 1 + 2, f"exited {took:.1f} s after SIGTERM with --grace 1 and no query running")

    def test_sigint(self):
        server = self.serve(DATA.small_db)
        self.assertEqual(server.request("GET", "/v1/health").status, 200)
        status, took = server.stop(signal.SIGINT)
        self.assertEqual(status, 0, server.stderr())
        self.assertIn("smorg: stopped", server.stderr())


# ---------------------------------------------------------------------------------------------
# The access log


class LogTest(ServerCase):
    def test_access_log(self):
        folder = DATA.folder("log")
        log = os.path.join(folder, "access.log")
        server = self.serve(DATA.small_db, "--log", log)
        sent = [
            ("GET", "/v1/health", None, None),
            ("POST", "/v1/query", {"op": "centrality", "algorithm": "pagerank", "top": 2}, "centrality"),
            ("POST", "/v1/query", [{"op": "stats"}, {"op": "node", "id": "c000042"}], "batch"),
            ("POST", "/v1/query", {"op": "node", "id": "nobody-here"}, "node"),
            ("GET", "/v1/nope", None, None),
            ("GET", "/v1/runs", None, None),
        ]
        replies = [server.request(method, path, body) for method, path, body, _ in sent]
        status, _ = server.stop()
        self.assertEqual(status, 0, server.stderr())
        with open(log, encoding="utf-8") as f:
            lines = [line for line in f.read().split("\n") if line.strip()]
        self.assertEqual(len(lines), len(sent), "\n".join(lines))
        for line, (method, path, body, op), reply in zip(lines, sent, replies):
            with self.subTest(line=line):
                entry = json.loads(line)
                for key in ("time", "client", "method", "path", "op", "status", "ms", "bytes"):
                    self.assertIn(key, entry)
                self.assertRegex(entry["time"], ISO_UTC)
                self.assertEqual(entry["client"], "127.0.0.1")
                self.assertEqual((entry["method"], entry["path"]), (method, path))
                self.assertEqual(entry["op"], op)
                self.assertEqual(entry["status"], reply.status)
                self.assertIsInstance(entry["ms"], (int, float))
                self.assertGreaterEqual(entry["ms"], 0)
                self.assertIsInstance(entry["bytes"], int)
                self.assertGreaterEqual(entry["bytes"], 0)


# ---------------------------------------------------------------------------------------------
# Snapshot isolation under load


class SnapshotTest(ServerCase):
    def test_readers_during_imports(self):
        server = self.serve(DATA.fresh_small("load"), "--max-concurrent", "16")
        batches = [3, 5, 7]
        counts = [3821]
        for b in batches:
            counts.append(counts[-1] + b)
        done = threading.Event()
        deadline = time.monotonic() + 60
        problems = []
        seen = [[] for _ in range(8)]

        def client(i):
            try:
                while time.monotonic() < deadline:
                    after_last = done.is_set()
                    reply = server.query({"op": "stats"}, timeout=HTTP_TIMEOUT)
                    if reply.status != 200 or not reply.json.get("ok"):
                        problems.append(f"client {i}: {reply!r}")
                        return
                    seen[i].append(reply.json["result"]["nodes"])
                    if after_last:
                        return
                    time.sleep(0.002)
                problems.append(f"client {i}: did not finish within the deadline")
            except Exception as e:  # noqa: BLE001 - reported below
                problems.append(f"client {i}: {e!r}")

        threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(8)]
        for t in threads:
            t.start()
        try:
            for n, b in enumerate(batches):
                time.sleep(0.3)
                reply = server.request("POST", f"/v1/import?role=nodes&name=batch{n}.csv", new_nodes_csv(f"s{n}-", b),
                                       {"Content-Type": "text/csv"})
                self.assertEqual(reply.status, 200, reply)
                self.assertEqual(reply.json["result"]["nodes_added"], b)
            time.sleep(0.3)
        finally:
            done.set()
            for t in threads:
                t.join(max(1.0, deadline - time.monotonic() + 5))
        self.assertFalse([t for t in threads if t.is_alive()], "a client is still running")
        self.assertEqual(problems, [])
        for i, values in enumerate(seen):
            self.assertTrue(values, f"client {i} got no answer")
            self.assertTrue(set(values) <= set(counts), f"client {i} saw node counts {sorted(set(values))}")
            self.assertEqual(values, sorted(values), f"client {i} saw the count go back")
            self.assertEqual(values[-1], counts[-1], f"client {i} did not see the last import")
        self.assertGreater(len(set(v for values in seen for v in values)), 1, "no client saw an import land")


class RunningQueryTest(ServerCase):
    def test_a_running_query_keeps_its_snapshot(self):
        server = self.serve(DATA.fresh_small("running"))
        slow = server.call("POST", "/v1/query", {"op": "centrality", "algorithm": "betweenness", "top": 1})
        run = server.wait_for_run("centrality", slow)
        reply = server.request("POST", "/v1/import?role=nodes&name=while-running.csv", new_nodes_csv("w", 5),
                               {"Content-Type": "text/csv"})
        self.assertEqual(reply.status, 200, reply)
        still = any(r["id"] == run["id"] for r in server.runs())
        answer = self.assertOk(slow.result(120))
        if not still:
            self.skipTest("the query ended before the import landed")
        self.assertEqual(answer["result"]["nodes"], 3821, "a running query saw an import that landed after it started")
        self.assertEqual(server.stats()["nodes"], 3826)


def main():
    global SMORG
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], add_help=False)
    parser.add_argument("--smorg", required=True)
    args, rest = parser.parse_known_args()
    SMORG = os.path.abspath(args.smorg)
    if not os.access(SMORG, os.X_OK):
        print(f"not an executable: {args.smorg}", file=sys.stderr)
        return 2
    program = unittest.main(argv=[sys.argv[0], *rest], exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
