#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/enum_names.h"
#include "smorg/graph/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/graph/types.h"
#include "smorg/importers/import_error.h"

namespace smorg::importers {

enum class Format : std::uint8_t { csv, jsonl, edgelist, graphml, gexf, gml, pajek };

// GraphML, GEXF, GML and Pajek files hold nodes and edges together.
constexpr bool is_graph_file(Format f) noexcept {
    return f == Format::graphml || f == Format::gexf || f == Format::gml || f == Format::pajek;
}

// Rows held in memory (a data frame, a list of records): JSON Lines text, one object per line, read
// as a JSON Lines file is, except that each object is a node (in node_rows) or an edge (in
// edge_rows) whatever its keys. Errors name the table and the 0-based row: `node_rows: row 3:
// column 'kind': ...`.
struct RowTable {
    std::string name;  // how errors and the batch's source name it, e.g. "node_rows"
    std::string text;
};

// One import batch: files or rows in, as docs/importing.md describes. Member names are the JSON
// `import` op's fields.
struct ImportSpec {
    std::vector<std::string> nodes;  // node files: CSV (header id,kind,...), JSON Lines or graph files
    std::vector<std::string> edges;  // edge files: CSV (source,target,kind,...), JSON Lines, edge lists
                                     //   or graph files (a graph file may be in either list)
    std::optional<Format> format;    // default: by extension after stripping .gz (.csv, .jsonl/.ndjson,
                                     //   .graphml, .gexf, .gml, .net/.paj), else by content, else an
                                     //   edge list
    // Edge lists: what each column is. Names: source, target, weight, timestamp, value, kind, skip.
    std::vector<std::string> columns{"source", "target"};
    std::string edge_kind = "interaction";  // kind of edges from an edge list
    std::string node_kind = "unknown";      // kind of nodes an edge list or labels file names first
    std::vector<RowTable> node_rows;        // read before the files' edges, like node files
    std::vector<RowTable> edge_rows;
    // Graph files: the node or edge attribute that gives the kind (default "kind"; without one,
    // node_kind / edge_kind). Refused when the batch has no graph file or no element of one has it.
    std::optional<std::string> node_kind_from;
    std::optional<std::string> edge_kind_from;
    std::string labels;                     // optional labels file: "node value" per line
    std::string label_attribute = "label";  // the attribute the labels file sets
    graph::Provenance provenance = graph::Provenance::owned;
    bool create_missing = false;   // CSV/JSONL edges naming unknown nodes create them
                                   //   (kind "unknown") instead of failing
    std::size_t max_errors = 100;  // errors listed before giving up; in [1, 100000]
    // A file or row table whose text (after gunzip) is larger is refused whole; in [1, 2^40]. Files must be
    // regular files; a .gz file may inflate to at most 100 times its size.
    std::uint64_t max_file_bytes = std::uint64_t{16} << 30;
    // What the batch records as its source (stats' batches[].source); empty: the files and row
    // tables, comma separated. A server names uploads by their uploaded names here, not by where it staged them.
    std::string source;
    static constexpr std::size_t kMaxSourceBytes = 4096;
    static constexpr std::size_t kMaxErrorsLimit = 100000;
};

// Throws graph::ParamError naming the field ("max_errors", "columns/2") when the spec's options are
// out of range; the files are not looked at.
void validate(const ImportSpec& spec);

// What importing `spec` costs, for admission and for an estimate request: the bytes of its files and
// rows as work, and the memory they are held in while checked. Files that do not exist count nothing.
graph::Estimate estimate(const ImportSpec& spec);

// Something a graph file holds that smorg's graph has no place for (an edge's color, a node's
// drawing, graph-level data), counted per file.
struct DroppedField {
    std::string file;
    std::string element;  // "node", "edge" or "graph"
    std::string name;
    std::uint64_t count = 0;
};

struct ImportReport {
    std::uint32_t batch = 0;
    graph::Provenance provenance = graph::Provenance::owned;
    std::uint64_t nodes_added = 0;
    std::uint64_t nodes_updated = 0;          // existing nodes whose attributes the batch set
    std::uint64_t missing_nodes_created = 0;  // by create_missing or implicit edge-list endpoints
    std::uint64_t edges_added = 0;
    std::uint64_t edges_skipped_zero_weight = 0;  // edge-list lines with weight 0
    // Edges a graph file declares undirected, stored once each as listed (query with directed: false).
    std::uint64_t undirected_edges = 0;
    std::vector<DroppedField> dropped;
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    // Where the time went: "parse" (read and check every file), "snapshot" (build the new snapshot;
    // overlaps "store"), "store" (the SQLite transaction), "cache" (write the snapshot cache).
    std::vector<std::pair<std::string, double>> phases;
};

struct BatchInfo {
    std::uint32_t id = 0;
    std::string source;  // the files, comma separated
    graph::Timestamp started_at = 0;
    graph::Provenance provenance = graph::Provenance::owned;
    std::uint64_t nodes_added = 0;
    std::uint64_t edges_added = 0;
    bool kept = true;  // false for borrowed batches: their records live in memory only
};

struct EraseReport {
    std::vector<std::string> erased;
    std::vector<std::string> not_found;
    std::uint64_t edges_removed = 0;
    // Derived attributes dropped whole: every value in them was computed over a graph that held the
    // erased people (a referrer's CRV holds the value of the customers they brought).
    std::vector<std::string> derived_removed;
    // True once no page of the database file or its WAL holds the erased values. False while
    // another process reads an older view of the file: the next write or open finishes the job.
    bool scrubbed = true;
};

// Values a query computed per person, kept as a derived attribute (a request's "write").
struct DerivedWrite {
    std::string attribute;
    graph::SnapshotPtr computed_on;  // the snapshot the query read: it must still be the stored graph
    std::vector<double> values;      // by node of computed_on; NaN: no value for that person
    bool replace = false;            // the attribute may already hold derived values: they are replaced
    std::string op;                  // what computed them ("centrality pagerank"); no personal data
};

struct DerivedReport {
    std::uint32_t batch = 0;
    std::uint64_t people = 0;   // people given a value
    std::uint64_t cleared = 0;  // people whose earlier value of the attribute is gone (replace)
    bool replaced = false;      // the attribute held derived values before
};

// A stored attribute written by a query rather than imported.
struct DerivedAttribute {
    std::string name;
    std::uint32_t batch = 0;  // the batch that wrote its current values
    std::string op;
    graph::Timestamp written_at = 0;
};

struct StoreStats {
    std::string path;
    std::uint64_t file_bytes = 0;      // database file, its WAL and the snapshot cache
    std::uint64_t generation = 0;      // bumped by every write
    std::uint64_t snapshot_bytes = 0;  // memory held by the current snapshot
    // Where the snapshot came from: "cache", or "rows" with the reason the cache was not used
    // ("rows: no cache", "rows: the cache is stale", "rows: the cache is damaged (...)").
    std::string loaded_from;
    bool scrub_pending = false;  // an erasure still waits for readers to let go of old pages
};

struct OpenOptions {
    bool create = true;  // false: opening a missing file is a StoreError
    // How long a write waits for another process's write to finish before it fails.
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(5)};
};

using ProgressFn = std::function<void(std::string_view phase, double done)>;

// A smorg database: the SQLite store (docs/importing.md) plus its current in-memory snapshot. Imports and
// erasures are serialized, across threads and across processes (each write takes the store's write
// lock, then reloads the snapshot if another process wrote since, then checks its batch against
// it); each builds a new snapshot and swaps it in after its transaction commits, while readers keep
// the snapshot they took. Thread-safe.
class Database {
public:
    // Opens a database file, or ":memory:" for a store that lives in memory only. Loads the
    // snapshot from the compact cache beside the file when it is current, else from the rows.
    static std::unique_ptr<Database> open(const std::string& path, const OpenOptions& options = {});
    virtual ~Database() = default;

    virtual graph::SnapshotPtr snapshot() const = 0;
    // Checks the whole batch, then stores it in one transaction. Throws ImportFailed (nothing
    // landed), StoreError, graph::ParamError for a bad spec, graph::Cancelled when `run` is
    // cancelled (nothing landed) or graph::ResourceExhausted when the files do not fit its budget.
    virtual ImportReport import(const ImportSpec& spec, graph::RunContext& run) = 0;
    ImportReport import(const ImportSpec& spec) {
        graph::RunContext run;
        return import(spec, run);
    }
    // Forgets people: their nodes, every edge touching them, their attribute values and every
    // derived attribute (computed with their data), from memory and from the file (no readable copy
    // left), with an entry in the erasure log that holds no personal data.
    virtual EraseReport erase(const std::vector<std::string>& ids) = 0;
    // Keeps per-person values a query computed as the attribute `write.attribute`, in one
    // transaction recorded as a batch of provenance `derived`. Throws graph::ParamError at
    // "attribute" (a reserved, imported or malformed name, or derived values there without
    // `replace`) and StoreError when `computed_on` is not the stored graph any more (another write
    // landed since) or holds borrowed or displayed data, which must not reach the store.
    virtual DerivedReport write_derived(const DerivedWrite& write) = 0;
    virtual std::vector<DerivedAttribute> derived_attributes() const = 0;
    virtual std::vector<BatchInfo> batches() const = 0;
    virtual StoreStats stats() const = 0;
    virtual const std::string& path() const = 0;
};

}  // namespace smorg::importers

template <>
struct smorg::graph::EnumNames<smorg::importers::Format> {
    static constexpr std::array<std::string_view, 7> names{"csv", "jsonl", "edgelist", "graphml", "gexf", "gml", "pajek"};
};
