#pragma once

// Graph files (GraphML, GEXF, GML, Pajek) hold nodes and edges together. Each reader turns its file
// into a GraphFile: nodes and edges with their attribute values as the file types them, every one
// with its place in the file. The stager then maps a GraphFile onto the batch the same way for all
// four formats (graph_file.cpp): ids, kinds, typed node attributes, and the edge fields smorg keeps.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "smorg/graph/attributes.h"
#include "smorg/graph/run_context.h"
#include "smorg/graph/text.h"

#include "../stager.h"

namespace smorg::importers::detail {

struct Place {
    std::size_t line = 0, column = 0;
};

// Line and column (1-based, in bytes) of a byte offset in a text.
class LineIndex {
public:
    explicit LineIndex(std::string_view text);
    Place at(std::size_t offset) const;

private:
    std::vector<std::size_t> starts_;
};

// One attribute value: `text` as written (for the edge fields, read as a CSV field is) and `value`
// typed as the file declares it (GraphML keys, GEXF attributes) or as it is written (GML numbers and
// strings). A monostate value is declared but empty: "not set".
struct FileValue {
    std::uint32_t name = 0;  // into GraphFile::names
    std::string text;
    graph::AttributeValue value;
    Place at;
};

struct FileNode {
    std::string id;
    Place at;
    std::vector<FileValue> values;
};

struct FileEdge {
    std::string source, target;
    Place at;
    bool directed = true;
    std::vector<FileValue> values;
};

struct GraphFile {
    std::vector<std::string> names;  // attribute names, in order of first use
    std::vector<FileNode> nodes;
    std::vector<FileEdge> edges;
    // What the file holds that smorg does not keep (drawings, coordinates, graph-level data), by
    // (element, name): counted and reported, never silently lost.
    std::map<std::pair<std::string, std::string>, std::uint64_t> dropped;

    std::uint32_t name(std::string_view text);
    // Counts what is not kept; a name that is not UTF-8 is counted as shown (bytes as \xNN).
    void drop(std::string_view element, std::string_view name) { ++dropped[{std::string(element), graph::printable(name)}]; }

private:
    std::unordered_map<std::string, std::uint32_t> ids_;
};

// The readers. Each records what is wrong in `errors` at its place and returns what it could read
// (the batch does not land when there is any error). `run` is checked for cancellation.
GraphFile read_graphml(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run);
GraphFile read_gexf(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run);
GraphFile read_gml(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run);
GraphFile read_pajek(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run);

// The format of a file whose name does not tell, from its first bytes; nullopt when it is none smorg
// reads. `problem` then names what the file is ("a Graphviz DOT file", "an XML file whose root is
// <svg>") when that can be told, for the error the caller reports.
std::optional<Format> sniff_format(std::string_view text, std::string& problem);

// Text helpers the readers share.
bool iequals(std::string_view a, std::string_view b) noexcept;
// "true"/"false" in any case, and "1"/"0", as GraphML and GEXF booleans are written.
std::optional<bool> xml_boolean(std::string_view text) noexcept;

}  // namespace smorg::importers::detail
