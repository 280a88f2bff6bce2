#pragma once

// Phase one of an import: parse and check every file of a batch into staging memory, against the
// snapshot the batch will be added to. Nothing here touches the store; phase two (database.cpp)
// writes a checked batch in one transaction.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/attributes.h"
#include "smorg/graph/run_context.h"
#include "smorg/graph/snapshot.h"
#include "smorg/importers/database.h"

namespace smorg::importers::detail {

// Errors of one batch, in file order, then line, then column; at most `max` kept, all counted.
class ErrorList {
public:
    explicit ErrorList(std::size_t max) : max_(max) {}
    void add(ImportError error);
    void merge(std::vector<ImportError> errors, std::size_t total);
    std::size_t total() const noexcept { return total_; }
    bool full() const noexcept { return errors_.size() >= max_; }
    std::size_t max() const noexcept { return max_; }
    // The names of the batch's row tables: their errors are told by row, not line.
    void set_tables(std::vector<std::string> names) { tables_ = std::move(names); }
    // Throws ImportFailed when there is any error.
    void throw_if_any();

private:
    std::size_t max_;
    std::vector<std::string> tables_;
    std::size_t total_ = 0;
    std::vector<ImportError> errors_;
};

// One attribute value set by the batch, in file order (a later one wins).
struct StagedValue {
    graph::NodeIndex node;    // global index: < base.node_count() for existing nodes
    std::uint32_t attribute;  // into StagedBatch::attributes
    graph::AttributeValue value;
};

struct StagedAttribute {
    std::string name;
    graph::AttributeType type;
};

// A checked batch, ready to store and to add to the base snapshot.
struct StagedBatch {
    const graph::Snapshot* base = nullptr;
    graph::Vocabulary node_vocab;  // base's kinds plus the batch's new ones
    graph::Vocabulary edge_vocab;
    graph::IdIndex new_ids;  // new nodes; global index = base->node_count() + local
    std::vector<graph::KindId> new_kinds;
    std::vector<StagedAttribute> attributes;  // every attribute the batch sets
    std::vector<StagedValue> values;
    std::vector<std::uint8_t> touched_existing;  // per base node: the batch redeclares or sets it

    // Edges, structure of arrays, in file order.
    std::vector<graph::NodeIndex> sources, targets;
    std::vector<graph::KindId> kinds;
    std::vector<double> weights;
    std::vector<graph::Timestamp> timestamps;
    std::vector<std::pair<std::size_t, double>> values_by_edge;  // (edge position, value)

    ImportReport report;

    graph::NodeIndex base_nodes() const { return base->node_count(); }
    graph::NodeIndex node_count() const { return base_nodes() + new_ids.size(); }
    std::string_view id(graph::NodeIndex node) const {
        return node < base_nodes() ? base->id(node) : new_ids.id(node - base_nodes());
    }
};

// Parses and checks the files of `spec` against `base`. Throws ImportFailed listing what is wrong,
// graph::ParamError for a bad spec (unknown column name, empty kind, ...), graph::Cancelled when
// `run` is cancelled, or graph::ResourceExhausted when the files would not fit its memory budget.
StagedBatch stage(const ImportSpec& spec, const graph::Snapshot& base, graph::RunContext& run);

}  // namespace smorg::importers::detail
