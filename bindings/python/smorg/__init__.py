"""smorg from Python: the relationship and influence engine as a module.

    import smorg
    db = smorg.open("org.db")
    db.query({"op": "crv", "top": 5})            # the JSON protocol: an answer dict
    db.pagerank(edge_kinds=["referral"], top=10)  # a typed method: a pandas DataFrame

docs/python.md describes every function. The typed methods take the op's fields as keyword arguments
(same names, defaults and errors as docs/reference.md) and raise QueryError for a refused request;
query() answers as the command line does, errors included.
"""

import json as _json
import os as _os


class QueryError(Exception):
    """A request smorg refused or could not answer.

    code: one of the protocol's error codes ("invalid_argument", "not_found", "data_loss", ...);
    message: what is wrong; at: the JSON pointer of the field at fault ("" for the whole request);
    errors: for a failed import, every problem with its place (file and line, or table and row).
    """

    def __init__(self, code, message, at="", errors=None, total_errors=None):
        super().__init__(f"{code} at {at or '(request)'}: {message}")
        self.code = code
        self.message = message
        self.at = at
        self.errors = list(errors or [])
        self.total_errors = total_errors if total_errors is not None else len(self.errors)


from . import _smorg  # noqa: E402  (QueryError must exist first: the module raises it)

__version__ = _smorg.version()
__all__ = ["open", "from_networkx", "generate", "Database", "QueryError", "set_threads", "__version__"]

# The centrality algorithms, each a typed method of its own.
_CENTRALITY = ("degree", "pagerank", "betweenness", "closeness", "harmonic", "eigenvector", "katz")


def set_threads(threads):
    """Caps the threads smorg's algorithms use in this process (0: every core). Answers do not
    depend on it."""
    _smorg.set_threads(int(threads))


def generate(dir, customers=1500, employees=120, seed=1):  # noqa: A002
    """Writes the built-in sample organization (as `smorg generate`) into `dir`: returns the paths
    of its nodes.csv and edges.csv, ready for Database.import_files."""
    nodes, edges = _smorg.generate(str(dir), int(customers), int(employees), int(seed))
    return str(nodes), str(edges)


def open(path, create=False, output_dir=".", allow_absolute_output=False, input_dirs=None):  # noqa: A001
    """Opens the database at `path` (":memory:" for one that lives in memory only).

    create: make the file when it does not exist (else a missing file is QueryError not_found).
    output_dir: where export and map ops may write files, by relative name (None: nowhere).
    allow_absolute_output: let them write absolute paths too.
    input_dirs: folders import_files may read (None: anywhere; []: no file by name).
    """
    return Database(path, create=create, output_dir=output_dir, allow_absolute_output=allow_absolute_output,
                    input_dirs=input_dirs)


def _raise_for(answer):
    """Raises QueryError for an answer that is not ok (the first failed one of a batch)."""
    if isinstance(answer, list):
        for item in answer:
            _raise_for(item)
        return
    if not answer.get("ok"):
        error = answer["error"]
        raise QueryError(error["code"], error["message"], error.get("at", ""), error.get("errors"),
                         error.get("total_errors"))


def _request_text(request):
    if isinstance(request, (bytes, bytearray)):
        request = request.decode("utf-8")
    if isinstance(request, str):
        return request
    return _json.dumps(request, default=_json_default, allow_nan=False)


def _json_default(value):
    """numpy scalars and arrays, and pandas timestamps, as JSON values."""
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _rows_text(rows, what):
    """A DataFrame, or an iterable of dicts, as JSON Lines: one object per row, in order."""
    if rows is None:
        return None
    if hasattr(rows, "to_json") and hasattr(rows, "columns"):
        if len(rows) == 0:
            return ""
        # pandas writes the rows in C: NaN and None become null (a missing value), times ISO 8601.
        return rows.to_json(orient="records", lines=True, date_format="iso", date_unit="s", force_ascii=False)
    if isinstance(rows, (str, bytes, dict)):
        raise TypeError(f"{what} must be a pandas DataFrame or an iterable of dicts, not {type(rows).__name__}")
    lines = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TypeError(f"{what} row {i} must be a dict, not {type(row).__name__}")
        lines.append(_json.dumps(row, default=_json_default, allow_nan=False, ensure_ascii=False))
    return "\n".join(lines)


class Database:
    """One smorg database, held open: queries read its in-memory snapshot, imports add batches.

    Thread-safe: several threads may query one Database at once (the GIL is released while smorg
    works). Ctrl-C (KeyboardInterrupt) cancels the running request and is raised promptly.
    """

    def __init__(self, path, create=False, output_dir=".", allow_absolute_output=False, input_dirs=None):
        # Folders are fixed when the database opens: a later os.chdir does not move them.
        self._engine = _smorg.Engine(str(path), bool(create),
                                     None if output_dir is None else _os.path.abspath(output_dir),
                                     bool(allow_absolute_output),
                                     None if input_dirs is None else [_os.path.abspath(d) for d in input_dirs])

    # ---- the protocol -------------------------------------------------------------------------

    def query(self, request):
        """Answers a request (a dict with "op", a list of them, or their JSON text) exactly as
        `smorg query` does: {"ok": True, "op", "result", "took_ms"} or {"ok": False, "error": {...}}.
        Never raises for a bad request: the answer says what is wrong."""
        answer, _ = self._engine.execute(_request_text(request), False)
        return answer

    def _run(self, request):
        answer, _ = self._engine.execute(_request_text(request), False)
        _raise_for(answer)
        return answer["result"]

    def _frame(self, request):
        """The answer's rows as a DataFrame (numbers as NumPy columns); the rest of the result in
        df.attrs["result"] (its population: "nodes", "isolated", ...), and "took_ms"."""
        import pandas as pd

        answer, columns = self._engine.execute(_request_text(request), True)
        _raise_for(answer)
        result = answer["result"]
        if columns is None:
            return result
        result.pop("rows", None)
        # Who the row is first (id, kind, name), then the op's fields as it gives them.
        order = [k for k in ("id", "kind", "name") if k in columns] + [k for k in columns if k not in ("id", "kind", "name")]
        frame = pd.DataFrame({k: columns[k] for k in order})
        frame.attrs["result"] = result
        frame.attrs["took_ms"] = answer.get("took_ms")
        return frame

    @staticmethod
    def _request(op, fields):
        request = {"op": op}
        request.update(fields)
        return request

    # ---- typed methods: one per op family, keyword arguments are the op's fields ----------------

    def stats(self):
        """The database at a glance: counts by kind, attributes, batches, the store (a dict)."""
        return self._run({"op": "stats"})

    def centrality(self, algorithm, **fields):
        """Any centrality algorithm by name: a DataFrame of rows (id, kind, name, score, rank, ...)."""
        return self._frame(self._request("centrality", dict(algorithm=algorithm, **fields)))

    def pagerank(self, **fields):
        """PageRank: a DataFrame (id, kind, name, score, rank); the result's other fields in attrs."""
        return self.centrality("pagerank", **fields)

    def betweenness(self, **fields):
        """Betweenness (exact, or sampled with epsilon/delta): a DataFrame."""
        return self.centrality("betweenness", **fields)

    def closeness(self, **fields):
        """Closeness: a DataFrame."""
        return self.centrality("closeness", **fields)

    def degree(self, **fields):
        """Degree: a DataFrame."""
        return self.centrality("degree", **fields)

    def harmonic(self, **fields):
        """Harmonic centrality: a DataFrame."""
        return self.centrality("harmonic", **fields)

    def scores(self, algorithm, with_ids=False, **fields):
        """A centrality's score for every node as one NumPy float64 array, laid out as ids() (NaN for a
        node outside the chosen view): the engine's numbers, with no row or Python object per node.
        with_ids=True returns (ids, scores) read from the same snapshot."""
        for shaping in ("top", "summary", "explain"):
            if shaping in fields:
                raise QueryError("invalid_argument", f"scores() gives every node's score; {shaping} shapes rows, leave it out",
                                 "/" + shaping)
        request = self._request("centrality", dict(algorithm=algorithm, top=1, **fields))
        answer, vector, ids = self._engine.vector(_request_text(request), bool(with_ids))
        _raise_for(answer)
        return (ids, vector) if with_ids else vector

    def ids(self):
        """The ids of every node, in the order scores() lays vectors out."""
        return self._engine.node_ids()

    def crv(self, **fields):
        """Customer referral value: a DataFrame (id, kind, name, crv, direct, indirect, segment, ...)."""
        return self._frame(self._request("crv", fields))

    def spread(self, **fields):
        """Simulated spread from seeds (a dict: mean, confidence interval, ...)."""
        return self._frame(self._request("spread", fields))

    def seeds(self, **fields):
        """The best k seeds for a campaign (IMM): a DataFrame of seeds in order, guarantee in attrs."""
        return self._frame(self._request("seeds", fields))

    def advocates(self, **fields):
        """Advocates ranked by value, reach and engagement, with their explanations: a DataFrame."""
        return self._frame(self._request("advocates", fields))

    def communities(self, **fields):
        """Communities (Leiden by default): a DataFrame of (id, kind, name, community)."""
        return self._frame(self._request("communities", fields))

    def components(self, **fields):
        """Connected components: a DataFrame, or a dict when the op gives no rows."""
        return self._frame(self._request("components", fields))

    def silos(self, **fields):
        """The silo map: E-I per group, cut-off pairs, spanners, the wall, introductions (a dict)."""
        return self._run(self._request("silos", fields))

    def export(self, **fields):
        """Writes the view as GraphML, GEXF, DOT or node-link JSON (a dict: what was written)."""
        return self._run(self._request("export", fields))

    def erase(self, ids, **fields):
        """Forgets people: their nodes, edges and attribute values, from memory and the file."""
        return self._run(self._request("erase", dict(ids=list(ids), **fields)))

    def node(self, id, **fields):  # noqa: A002
        """One person: kind, attributes, degrees (a dict)."""
        return self._run(self._request("node", dict(id=id, **fields)))

    # ---- imports ------------------------------------------------------------------------------

    def import_files(self, nodes=None, edges=None, **fields):
        """Imports one batch from files (paths or lists of paths), all or nothing: a dict report.
        Other fields as the import op's (format, columns, edge_kind, provenance, ...)."""
        request = {"op": "import"}
        for key, value in (("nodes", nodes), ("edges", edges)):
            if value is not None:
                request[key] = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value)
        request.update(fields)
        return self._run(request)

    def import_frames(self, nodes=None, edges=None, **fields):
        """Imports one batch from memory: pandas DataFrames or iterables of dicts, one row per node
        (columns id, kind, attributes...) or edge (source, target, kind, weight, timestamp, value).
        All or nothing; a bad row raises QueryError("data_loss") whose errors name the table
        ("node_rows" or "edge_rows"), the 0-based row position and the column. No file is written."""
        request = {"op": "import"}
        node_text, edge_text = _rows_text(nodes, "nodes"), _rows_text(edges, "edges")
        if node_text is not None:
            request["node_rows"] = node_text
        if edge_text is not None:
            request["edge_rows"] = edge_text
        request.update(fields)
        return self._run(request)

    # ---- networkx ------------------------------------------------------------------------------

    def to_networkx(self, multigraph=False, **fields):
        """The view (export's filters: node_kinds, edge_kinds, since, until, directed,
        keep_isolated) as a networkx graph. Nodes carry kind and attributes; edges kind, weight,
        timestamp and value. multigraph=False merges parallel edges into one whose weight is their
        sum (as smorg's analyses do); True keeps each stored edge (MultiDiGraph / MultiGraph)."""
        import networkx as nx

        request = self._request("export", dict(format="node_link", **fields))
        data = self._run(request)["graph"]
        directed = data["directed"]
        if multigraph:
            graph = nx.MultiDiGraph() if directed else nx.MultiGraph()
        else:
            graph = nx.DiGraph() if directed else nx.Graph()
        for person in data["nodes"]:
            attributes = dict(person)
            graph.add_node(attributes.pop("id"), **attributes)
        for link in data["links"]:
            attributes = dict(link)
            u, v = attributes.pop("source"), attributes.pop("target")
            if multigraph:
                graph.add_edge(u, v, **attributes)
            elif graph.has_edge(u, v):
                graph[u][v]["weight"] += attributes["weight"]
            else:
                graph.add_edge(u, v, **attributes)
        return graph

    # ---- lifetime ------------------------------------------------------------------------------

    @property
    def path(self):
        return self._engine.path()

    def close(self):
        """Lets go of the database (later calls raise)."""
        self._engine.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        try:
            return f"smorg.Database({self.path!r})"
        except RuntimeError:
            return "smorg.Database(closed)"


def from_networkx(graph, path=":memory:", node_kind="unknown", edge_kind="interaction", kind_attribute="kind",
                  create=True, **fields):
    """A Database holding a networkx graph: nodes by str(id), with their attributes (scalars);
    each node's kind is its `kind_attribute` or `node_kind`, each edge's likewise or `edge_kind`;
    an edge's weight, timestamp and value attributes are kept, other edge attributes are refused.
    An undirected graph's edge is stored once (queries with directed=false see it both ways).
    Other fields go to the import op (provenance, ...). Returns the Database (path ":memory:" by
    default)."""
    nodes = []  # NumPy scalars among the attributes are written as JSON values by _rows_text
    for node, data in graph.nodes(data=True):
        row = {k: v for k, v in data.items() if k != kind_attribute}
        row["id"] = str(node)
        row["kind"] = str(data.get(kind_attribute, node_kind))
        nodes.append(row)
    edges = []
    for u, v, data in graph.edges(data=True):
        row = {k: x for k, x in data.items() if k != kind_attribute}
        row["source"], row["target"] = str(u), str(v)
        row["kind"] = str(data.get(kind_attribute, edge_kind))
        edges.append(row)
    db = open(path, create=create)
    try:
        db.import_frames(nodes=nodes, edges=edges, **fields)
    except BaseException:
        db.close()
        raise
    return db
