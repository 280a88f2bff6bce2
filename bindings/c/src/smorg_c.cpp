// The C ABI (smorg/c/smorg.h) over the queries layer: JSON text in, JSON text out. Every entry
// catches everything; the only failure that is not an answer is a NULL for memory exhausted.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <string>

#include "smorg/c/smorg.h"
#include "smorg/queries/query_engine.h"

struct smorg_db {
    smorg::queries::QueryEngine engine;
};

struct smorg_run {
    smorg::graph::RunContext run;
};

namespace {

using smorg::queries::ErrorCode;
using json = nlohmann::json;

// A copy of `text` in malloc'd memory, as the header promises (freed with smorg_free).
char* copy_out(const std::string& text) noexcept {
    auto* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (out) std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

char* error_text(ErrorCode code, const std::string& message, const std::string& at = "") noexcept {
    try {
        return copy_out(smorg::queries::to_text(smorg::queries::error_response(code, message, at)));
    } catch (...) {
        return nullptr;
    }
}

char* missing(const char* what) noexcept { return error_text(ErrorCode::invalid_argument, std::string(what) + " is NULL"); }

// Runs `answer` and turns whatever escapes it into an error answer; the engine answers bad input
// itself, so what lands here is memory exhausted or a bug.
template <typename Answer>
char* guarded(Answer&& answer) noexcept {
    try {
        return copy_out(smorg::queries::to_text(answer()));
    } catch (const std::bad_alloc&) {
        return error_text(ErrorCode::resource_exhausted, "out of memory while answering the request");
    } catch (const std::exception& e) {
        return error_text(ErrorCode::internal, std::string("internal error: ") + e.what());
    } catch (...) {
        return error_text(ErrorCode::internal, "internal error");
    }
}

smorg::graph::RunContext& run_of(smorg_run* run, smorg::graph::RunContext& fallback) { return run ? run->run : fallback; }

}  // namespace

extern "C" {

const char* smorg_version(void) { return SMORG_VERSION; }

smorg_db* smorg_open(const char* path, int create, char** error) {
    if (error) *error = nullptr;
    if (!path) {
        if (error) *error = missing("path");
        return nullptr;
    }
    try {
        smorg::queries::EngineOptions options;
        options.create = create != 0;
        // As the command line: queries may write files under the current directory.
        options.output_dir = std::filesystem::current_path();
        return new smorg_db{smorg::queries::QueryEngine(path, options)};
    } catch (const smorg::queries::QueryError& e) {
        if (error) *error = error_text(e.code(), e.what(), e.at());
    } catch (const std::bad_alloc&) {
        if (error) *error = error_text(ErrorCode::resource_exhausted, "out of memory while opening the database");
    } catch (const std::exception& e) {
        if (error) *error = error_text(ErrorCode::failed_precondition, e.what());
    } catch (...) {
        if (error) *error = error_text(ErrorCode::internal, "internal error while opening the database");
    }
    return nullptr;
}

void smorg_close(smorg_db* db) { delete db; }

char* smorg_query(smorg_db* db, const char* request, smorg_run* run) {
    if (!db) return missing("db");
    if (!request) return missing("request");
    return guarded([&] {
        smorg::graph::RunContext own;
        return db->engine.execute_text(request, run_of(run, own));
    });
}

char* smorg_import(smorg_db* db, const char* spec, smorg_run* run) {
    if (!db) return missing("db");
    if (!spec) return missing("spec");
    return guarded([&]() -> json {
        auto parsed = smorg::queries::parse_request(spec);
        if (parsed.error) return *parsed.error;
        auto& request = parsed.request;
        if (!request.is_object()) {
            return smorg::queries::error_response(ErrorCode::invalid_argument,
                                                  "an import spec is a JSON object of the import op's fields");
        }
        if (auto op = request.find("op"); op != request.end() && *op != "import") {
            return smorg::queries::error_response(ErrorCode::invalid_argument,
                                                  "smorg_import runs the import op; use smorg_query for others", "/op");
        }
        request["op"] = "import";
        smorg::graph::RunContext own;
        return db->engine.execute(request, run_of(run, own));
    });
}

smorg_run* smorg_run_new(void) { return new (std::nothrow) smorg_run; }

void smorg_cancel(smorg_run* run) {
    if (run) run->run.cancel();
}

void smorg_run_free(smorg_run* run) { delete run; }

void smorg_free(char* text) { std::free(text); }

}  // extern "C"
