// The importers' parsers on any bytes: a CSV nodes file, a CSV edges file, JSON Lines, an edge list
// (its columns chosen by the first byte), a labels file, and the graph files (GraphML, GEXF, GML,
// Pajek), each imported against a small stored
// graph. Any outcome but success or ImportFailed (a crash, a hang, another exception) is a bug.
#include <string>

#include "smorg/importers/database.h"

#include "fuzz_support.h"

#ifndef SMORG_FUZZ_FORMAT
#error \
    "build with -DSMORG_FUZZ_FORMAT=<0 csv nodes | 1 csv edges | 2 jsonl | 3 edge list | 4 labels | 5 graphml | 6 gexf | 7 gml | 8 pajek>"
#endif

using namespace smorg;

namespace {

// A fresh in-memory store holding five people, so every run starts from the same state.
std::unique_ptr<importers::Database> database() {
    static const std::string base = fuzz::scratch_file(
        "id,kind,name,clv\nann,customer,Ann,10\nbob,customer,Bob,\neve,employee,Eve,\n1,unknown,,\n2,unknown,,\n", "base.csv");
    auto db = importers::Database::open(":memory:");
    importers::ImportSpec spec;
    spec.nodes = {base};
    db->import(spec);
    return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    importers::ImportSpec spec;
    constexpr int kFormat = SMORG_FUZZ_FORMAT;
    std::string_view body = text;
    if (kFormat == 3 && !body.empty()) {
        static const std::vector<std::vector<std::string>> kColumns = {{"source", "target"},
                                                                       {"source", "target", "weight"},
                                                                       {"source", "target", "timestamp"},
                                                                       {"source", "kind", "target", "value"},
                                                                       {"skip", "source", "target", "weight", "timestamp"}};
        spec.columns = kColumns[static_cast<unsigned char>(body[0]) % kColumns.size()];
        body.remove_prefix(1);
    }
    static const char* kNames[] = {"nodes.csv",     "edges.csv",  "batch.jsonl", "edges.txt", "labels.txt",
                                   "graph.graphml", "graph.gexf", "graph.gml",   "graph.net"};
    const auto file = fuzz::scratch_file(body, kNames[kFormat]);
    switch (kFormat) {
        case 0:
            spec.nodes = {file};
            break;
        case 1:
            spec.edges = {file};
            spec.create_missing = size % 2 == 0;
            break;
        case 2:
            spec.nodes = {file};
            spec.create_missing = size % 2 == 0;
            break;
        case 3:
            spec.edges = {file};
            break;
        case 4:
            spec.labels = file;
            spec.label_attribute = "department";
            break;
        default:  // a graph file: nodes and edges together
            spec.edges = {file};
            spec.create_missing = size % 2 == 0;
            break;
    }
    // A store is reused while imports fail (they leave it as it was) and replaced after one lands,
    // so every run starts from the same five people.
    static std::unique_ptr<importers::Database> db = database();
    try {
        db->import(spec);
        (void)db->snapshot()->fingerprint();
        db = database();
    } catch (const importers::ImportFailed& e) {
        for (const auto& error : e.errors()) (void)error.what();
    } catch (const std::exception& e) {
        fuzz::bug("import_fuzz", e);
    }
    return 0;
}
