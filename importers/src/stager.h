#pragma once

// The machinery of phase one (batch.h), shared by the format readers in formats/: the batch being
// staged, the errors found so far, and the checks every format applies the same way. Each format
// is one Stager member, in formats/<format>.cpp; the edge fields are read in edge_fields.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "smorg/graph/run_context.h"

#include "batch.h"

namespace smorg::importers::detail {

using graph::NodeIndex;

inline constexpr NodeIndex kUnresolved = graph::kNoNode;
// Attribute columns a database may hold: every column costs a value slot per node.
inline constexpr std::size_t kMaxAttributes = 4096;

// Errors found while parsing one chunk in parallel, merged in chunk order afterwards.
struct LocalErrors {
    std::vector<ImportError> errors;
    std::size_t total = 0;
    std::size_t max = 0;
    void add(const std::string& file, std::size_t line, std::size_t column, std::string field, std::string message) {
        ++total;
        if (errors.size() < max) errors.emplace_back(file, line, column, std::move(field), std::move(message));
    }
};

// An id that did not resolve while a chunk was parsed in parallel; resolved serially in file order.
struct Unresolved {
    std::size_t edge;  // position in the chunk's edges
    bool is_target;
    std::string id;
    std::size_t line, column;
};

enum class EdgeColumn : std::uint8_t { source, target, weight, timestamp, value, kind, skip };
std::optional<EdgeColumn> edge_column(std::string_view name);

// The edges of one chunk (a piece of a file, parsed on its own).
struct EdgeChunk {
    std::vector<NodeIndex> sources, targets;
    std::vector<std::uint16_t> kinds;  // local kind ids into `kind_names`
    std::vector<double> weights;
    std::vector<graph::Timestamp> timestamps;
    std::vector<std::pair<std::size_t, double>> values;
    std::vector<std::string> kind_names;
    std::vector<std::pair<std::size_t, std::size_t>> kind_places;  // (line, column) of each kind's first use
    std::vector<Unresolved> unresolved;
    LocalErrors errors;
    std::size_t skipped_zero = 0;
    std::size_t lines = 0;

    std::uint16_t kind(std::string_view name, std::size_t line, std::size_t column);
};

// One edge while its fields are read.
struct EdgeDraft {
    NodeIndex ends[2] = {kUnresolved, kUnresolved};
    std::uint16_t kind = 0;
    double weight = 1;
    graph::Timestamp timestamp = graph::kNoTimestamp;
    std::optional<double> value;
    bool skip = false;  // an edge-list line with weight 0
};

// The attribute a graph file's kinds come from unless node_kind_from / edge_kind_from say otherwise.
inline constexpr std::string_view kDefaultKindAttribute = "kind";

struct GraphFile;  // formats/graph_file.h

// The format a file's name gives (after a .gz suffix), or nullopt.
std::optional<Format> format_by_name(const std::string& path);
// Whether `path` is, or may be, a graph file: by the spec's format, else its name (.xml may be
// GraphML or GEXF, told by content).
bool may_be_graph_file(const ImportSpec& spec, const std::string& path);

// What is wrong with an id or a kind, or nullopt: empty, only blanks, control characters.
std::optional<std::string> name_problem(std::string_view text, std::string_view what);
// What is wrong with a weight, or nullopt. `zero_skips`: 0 is allowed (the line is skipped).
std::optional<std::string> weight_problem(double weight, bool zero_skips);

class Stager {
public:
    Stager(const ImportSpec& spec, const graph::Snapshot& base, graph::RunContext& run);
    StagedBatch run();

private:
    // ---- nodes, kinds, attributes (stager.cpp) ----
    std::optional<NodeIndex> find(std::string_view id) const {
        if (auto n = batch_.base->find(id)) return *n;
        if (auto n = batch_.new_ids.find(id)) return batch_.base_nodes() + *n;
        return std::nullopt;
    }
    graph::KindId node_kind_of(NodeIndex node) const {
        return node < batch_.base_nodes() ? batch_.base->node_kind(node) : batch_.new_kinds[node - batch_.base_nodes()];
    }
    NodeIndex create(std::string_view id, graph::KindId kind) {
        const auto local = batch_.new_ids.intern(id);
        batch_.new_kinds.push_back(kind);
        return batch_.base_nodes() + local;
    }
    void touch(NodeIndex node) {
        if (node < batch_.base_nodes()) batch_.touched_existing[node] = 1;
    }
    void error(const std::string& file, std::size_t line, std::size_t column, std::string field, std::string message) {
        errors_.add(ImportError(file, line, column, std::move(field), std::move(message)));
    }
    // Valid UTF-8 without NUL bytes; else an error at the offending byte.
    bool check_text(const std::string& file, std::size_t line, std::size_t column, std::string_view text,
                    const std::string& field);
    std::optional<graph::KindId> intern_kind(graph::Vocabulary& vocab, std::string_view name, const std::string& file,
                                             std::size_t line, std::size_t column, const char* what);
    // Declares a node (node files, labels): an existing id keeps its kind and must not get another.
    // `id_column` and `kind_column` place the id's and the kind's problems.
    std::optional<NodeIndex> declare(const std::string& file, std::size_t line, std::size_t id_column, std::size_t kind_column,
                                     std::string_view id, std::optional<std::string_view> kind_name);
    std::optional<graph::AttributeType> existing_type(std::string_view name) const;
    std::optional<std::uint32_t> attribute_index(std::string_view name, graph::AttributeType type, const std::string& file,
                                                 std::size_t line, std::size_t column);
    void set_value(NodeIndex node, std::string_view name, graph::AttributeValue value, const std::string& file, std::size_t line,
                   std::size_t column);
    using RawValues = std::vector<std::tuple<NodeIndex, std::string, std::size_t, std::size_t>>;
    void typed_column(const std::string& file, const std::string& name, std::size_t line, std::size_t column, RawValues& raw);
    void absorb(const std::string& file, std::vector<EdgeChunk>& chunks, bool implicit_nodes, bool create_missing);
    void progress(std::string_view phase) const;

    // ---- edge fields (edge_fields.cpp) ----
    // Reads one textual edge field (a CSV or edge-list column) into `draft`; false after recording
    // an error in `out`. A CSV field may be empty (the default); on an edge-list line none may, and
    // a weight of 0 marks the line to be skipped.
    bool edge_field(EdgeChunk& out, EdgeDraft& draft, EdgeColumn column, std::string_view text, const std::string& file,
                    std::size_t line, std::size_t column_no, bool edge_list_line) const;
    // One endpoint by id: resolved now, or left for absorb() in file order.
    bool edge_end(EdgeChunk& out, EdgeDraft& draft, bool is_target, std::string_view id, const std::string& file,
                  std::size_t line, std::size_t column_no) const;
    static void add_edge(EdgeChunk& out, const EdgeDraft& draft);
    // Forgets what a rejected row left in the chunk (its unresolved ids).
    static void drop_row(EdgeChunk& out);

    // ---- formats (formats/*.cpp) ----
    // The input's format: the spec's, else by extension, else from its first bytes; nullopt after an
    // error naming what the file is when it is of a kind smorg does not read.
    std::optional<Format> format_of(const std::string& path, std::string_view text);
    void csv_nodes(const std::string& file, const std::string& text);
    void csv_edges(const std::string& file, const std::string& text);
    void edge_list(const std::string& file, const std::string& text);
    // `rows_are_nodes`: a row table's objects are all nodes (true) or all edges (false), whatever
    // their keys; unset for a file, where the keys (or "type") tell.
    void jsonl(const std::string& file, const std::string& text, bool nodes_phase, std::optional<bool> rows_are_nodes);
    void labels(const std::string& file, const std::string& text);
    // Graph files (formats/graph_file.cpp): read whole in the node phase, their nodes declared then,
    // their edges added in the edge phase.
    GraphFile read_graph_file(const std::string& file, const std::string& text, Format format);
    void graph_nodes(const std::string& file, GraphFile& g);
    void graph_edges(const std::string& file, GraphFile& g);

    const ImportSpec& spec_;
    StagedBatch batch_;
    ErrorList errors_;
    graph::RunContext& run_;
    std::unordered_map<std::string, std::uint32_t> attribute_ids_;  // into batch_.attributes
    std::size_t new_attributes_ = 0;                                // of them, not in the base
    std::size_t total_bytes_ = 0;
    std::size_t done_bytes_ = 0;
};

}  // namespace smorg::importers::detail
