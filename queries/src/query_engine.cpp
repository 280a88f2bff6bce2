#include "smorg/queries/query_engine.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <new>

#include "field_reader.h"
#include "op_context.h"
#include "smorg/graph/errors.h"
#include "smorg/importers/database.h"

namespace smorg::queries {

struct QueryEngine::Impl {
    std::unique_ptr<importers::Database> db;
};

QueryEngine::QueryEngine(const std::string& path, const EngineOptions& options) : impl_(std::make_unique<Impl>()) {
    if (!options.create && path != ":memory:" && !std::filesystem::exists(path)) {
        throw QueryError(ErrorCode::not_found, "no database at '" + path + "' (import data first to create it)");
    }
    try {
        impl_->db = importers::Database::open(path, {options.create});
    } catch (const importers::StoreError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what());
    }
}

QueryEngine::~QueryEngine() = default;
QueryEngine::QueryEngine(QueryEngine&&) noexcept = default;
QueryEngine& QueryEngine::operator=(QueryEngine&&) noexcept = default;

const std::string& QueryEngine::path() const { return impl_->db->path(); }

namespace {

json error_response(ErrorCode code, const std::string& message, const std::string& at) {
    return {{"ok", false}, {"error", {{"code", graph::name_of(code)}, {"message", message}, {"at", at}}}};
}

std::string field_pointer(const std::string& at, const std::string& field) {
    return field.empty() ? at : at + "/" + field;
}

json import_errors(const importers::ImportFailed& failed) {
    json list = json::array();
    for (const auto& e : failed.errors()) {
        list.push_back({{"file", e.file()},
                        {"line", e.line()},
                        {"column", e.column()},
                        {"field", e.field()},
                        {"message", e.message()}});
    }
    return list;
}

json execute_one(importers::Database& db, const json& request, const std::string& at, RunContext& run) {
    const auto started = std::chrono::steady_clock::now();
    std::string op_name;
    try {
        FieldReader reader(request, at);
        op_name = reader.required<std::string>("op");
        const OpEntry* entry = nullptr;
        for (const auto& op : op_table()) {
            if (op.name == op_name) entry = &op;
        }
        if (!entry) {
            std::string known;
            for (const auto& op : op_table()) known += (known.empty() ? "" : ", ") + std::string(op.name);
            throw QueryError(ErrorCode::invalid_argument, "unknown op '" + op_name + "'; known ops: " + known,
                             reader.at("op"));
        }
        OpContext ctx{db, db.snapshot(), run, at};
        json result = entry->run(ctx, reader);
        reader.reject_unknown();
        const auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
        return {{"ok", true}, {"op", op_name}, {"result", std::move(result)}, {"took_ms", took.count()}};
    } catch (const QueryError& e) {
        return error_response(e.code(), e.what(), e.at());
    } catch (const graph::ParamError& e) {
        return error_response(ErrorCode::invalid_argument, e.what(), field_pointer(at, e.field()));
    } catch (const graph::NotFound& e) {
        return error_response(ErrorCode::not_found, e.what(), field_pointer(at, e.field()));
    } catch (const engine::Cancelled& e) {
        return error_response(ErrorCode::cancelled, e.what(), at);
    } catch (const importers::ImportFailed& e) {
        auto response = error_response(ErrorCode::data_loss, e.what(), at);
        response["error"]["errors"] = import_errors(e);
        response["error"]["total_errors"] = e.total();
        return response;
    } catch (const importers::ImportError& e) {
        auto response = error_response(ErrorCode::data_loss, e.what(), at);
        return response;
    } catch (const importers::StoreError& e) {
        return error_response(ErrorCode::failed_precondition, e.what(), at);
    } catch (const std::bad_alloc&) {
        return error_response(ErrorCode::resource_exhausted, "out of memory while answering the request", at);
    } catch (const std::exception& e) {
        std::cerr << "smorg: internal error in op '" << op_name << "': " << e.what() << '\n';
        return error_response(ErrorCode::internal, "internal error; the details were logged", at);
    }
}

}  // namespace

json QueryEngine::execute(const json& request, RunContext& run) {
    if (request.is_array()) {
        json responses = json::array();
        for (std::size_t i = 0; i < request.size(); ++i) {
            responses.push_back(execute_one(*impl_->db, request[i], "/" + std::to_string(i), run));
        }
        return responses;
    }
    return execute_one(*impl_->db, request, "", run);
}

json QueryEngine::execute(const json& request) {
    RunContext run;
    return execute(request, run);
}

json QueryEngine::execute_text(std::string_view text, RunContext& run) {
    json request;
    try {
        request = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        return error_response(ErrorCode::invalid_argument,
                              "malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what(), "");
    }
    return execute(request, run);
}

bool response_ok(const json& response) {
    if (response.is_array()) {
        for (const auto& r : response) {
            if (!response_ok(r)) return false;
        }
        return true;
    }
    return response.is_object() && response.value("ok", false);
}

}  // namespace smorg::queries
