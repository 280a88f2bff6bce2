// The query path on any text: parsed, checked and run against a small database (every op, with a
// budget small enough that a run takes well under a second). Every answer must be a JSON object (or
// an array of them) that serializes; an internal error is a bug, and so is a crash or a hang.
#include <memory>
#include <optional>

#include "smorg/queries/query_engine.h"

#include "fuzz_support.h"

using namespace smorg;
using nlohmann::json;

namespace {

std::unique_ptr<queries::QueryEngine> fresh_engine() {
    const auto nodes = fuzz::scratch_file(
        "id,kind,name,department,clv\nann,customer,Ann,,100\nbob,customer,Bob,,10\ncai,customer,Cai,,20\n"
        "dee,influencer,Dee,,\neve,employee,Eve,Sales,\nfay,employee,Fay,Support,\ngus,employee,Gus,Sales,\n",
        "nodes.csv");
    const auto edges = fuzz::scratch_file(
        "source,target,kind,weight,timestamp,value\nann,bob,referral,1,2024-01-10,20\nbob,cai,referral,1,2024-02-01,\n"
        "dee,ann,referral,1,2023-12-01,\neve,ann,interaction,3,2024-01-05,\neve,bob,interaction,1,2024-01-20,\n"
        "eve,fay,communication,2,2024-01-02,\nfay,gus,communication,1,2024-01-03,\ngus,eve,communication,1,,\n"
        "ann,cai,interaction,2,2024-03-01,\n",
        "edges.csv");
    queries::EngineOptions options;
    options.input_dirs = std::vector{std::filesystem::path(nodes).parent_path()};
    options.output_dir = std::filesystem::path(nodes).parent_path();
    options.limits.max_work = 2e8;
    options.limits.max_memory_bytes = 512.0 * (1 << 20);
    options.max_work_ceiling = 2e8;
    auto engine = std::make_unique<queries::QueryEngine>(":memory:", options);
    engine->execute({{"op", "import"}, {"nodes", "nodes.csv"}, {"edges", "edges.csv"}});
    return engine;
}

bool wrote(const json& response) {
    if (response.is_array()) {
        for (const auto& r : response) {
            if (wrote(r)) return true;
        }
        return false;
    }
    const auto op = response.value("op", "");
    const bool kept = response.contains("result") && response["result"].is_object() && response["result"].contains("written");
    return response.value("ok", false) && (op == "import" || op == "erase" || kept);
}

void check(const json& response) {
    if (response.is_array()) {
        for (const auto& r : response) check(r);
        return;
    }
    if (!response.is_object() || !response.contains("ok")) std::abort();
    if (!response["ok"].get<bool>() && response["error"]["code"] == "internal") {
        std::fprintf(stderr, "internal error: %s\n", queries::to_text(response).c_str());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::unique_ptr<queries::QueryEngine> engine = fresh_engine();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        queries::RunContext run;
        const auto response = engine->execute_text(text, run);
        check(response);
        (void)queries::to_text(response, 2);
        if (wrote(response)) engine = fresh_engine();  // every run starts from the same database
    } catch (const std::exception& e) {
        fuzz::bug("query_fuzz", e);
    }
    return 0;
}
