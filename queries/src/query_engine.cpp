#include "smorg/queries/query_engine.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <new>

#include "smorg/graph/binary_io.h"
#include "smorg/graph/errors.h"
#include "smorg/graph/files.h"
#include "smorg/graph/text.h"
#include "smorg/importers/database.h"

#include "field_reader.h"
#include "op_context.h"
#include "over_ranks.h"
#include "write.h"

namespace smorg::queries {

struct QueryEngine::Impl {
    std::unique_ptr<importers::Database> db;
    EngineOptions options;
};

QueryEngine::QueryEngine(const std::string& path, const EngineOptions& options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    std::error_code ec;
    if (!options.create && path != ":memory:" && !std::filesystem::exists(path, ec)) {
        throw QueryError(ErrorCode::not_found, "no database at '" + path + "' (import data first to create it)");
    }
    try {
        importers::OpenOptions open;
        open.create = options.create;
        open.lock_timeout = options.lock_timeout;
        impl_->db = importers::Database::open(path, open);
    } catch (const importers::StoreError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what());
    }
}

QueryEngine::~QueryEngine() = default;
QueryEngine::QueryEngine(QueryEngine&&) noexcept = default;
QueryEngine& QueryEngine::operator=(QueryEngine&&) noexcept = default;

const std::string& QueryEngine::path() const { return impl_->db->path(); }

namespace {
std::vector<std::string> ids_of(const graph::Snapshot& g) {
    std::vector<std::string> ids;
    ids.reserve(g.node_count());
    for (graph::NodeIndex n = 0; n < g.node_count(); ++n) ids.emplace_back(g.id(n));
    return ids;
}
}  // namespace

std::vector<std::string> QueryEngine::node_ids() const { return ids_of(*impl_->db->snapshot()); }

json error_response(ErrorCode code, const std::string& message, const std::string& at) {
    return {{"ok", false},
            {"error", {{"code", graph::name_of(code)}, {"message", graph::printable(message)}, {"at", graph::printable(at)}}}};
}

namespace {

std::string field_pointer(const std::string& at, const std::string& field) { return field.empty() ? at : at + "/" + field; }

// Each error with its place: file, line and column, or, in a row table, the table, the row and the
// JSON pointer of the row's field in the request.
json import_errors(const importers::ImportFailed& failed, const std::string& at) {
    json list = json::array();
    for (const auto& e : failed.errors()) {
        if (e.table()) {
            auto place = pointer_append(at, e.file());
            if (e.line() > 0) place = pointer_append(place, std::to_string(e.row()));
            if (e.line() > 0 && !e.field().empty()) place = pointer_append(place, e.field());
            list.push_back(
                {{"table", e.file()}, {"row", e.row()}, {"field", e.field()}, {"message", e.message()}, {"at", place}});
            continue;
        }
        list.push_back(
            {{"file", e.file()}, {"line", e.line()}, {"column", e.column()}, {"field", e.field()}, {"message", e.message()}});
    }
    return list;
}

// Requests built in code (the library door) get the same depth bound as parsed text: the pointer of
// the first value nested deeper than kMaxJsonDepth, if any. Iterative: it must not recurse itself.
std::optional<std::string> too_deep(const json& value) {
    struct Item {
        const json* value;
        std::size_t depth;
        std::string at;
    };
    std::vector<Item> stack{{&value, 0, ""}};
    while (!stack.empty()) {
        auto item = std::move(stack.back());
        stack.pop_back();
        if (!item.value->is_structured()) continue;
        if (item.depth >= graph::kMaxJsonDepth) return item.at;
        if (item.value->is_object()) {
            for (const auto& [key, child] : item.value->items())
                stack.push_back({&child, item.depth + 1, pointer_append(item.at, key)});
        } else {
            for (std::size_t i = 0; i < item.value->size(); ++i) {
                stack.push_back({&(*item.value)[i], item.depth + 1, pointer_append(item.at, std::to_string(i))});
            }
        }
    }
    return std::nullopt;
}

json too_deep_response(const std::string& at) {
    return error_response(
        ErrorCode::invalid_argument,
        "the request nests deeper than " + std::to_string(graph::kMaxJsonDepth) + " levels of arrays and objects", at);
}

// The work and memory budget of one request: the engine's, with the request's max_work (bounded by
// the ceiling), within what the caller's RunContext already allows.
graph::Limits request_limits(FieldReader& reader, const EngineOptions& options, const graph::Limits& caller) {
    graph::Limits limits = options.limits;
    limits.max_memory_bytes = std::min(limits.max_memory_bytes, caller.max_memory_bytes);
    if (const auto work = reader.maybe<double>("max_work")) {
        if (!(*work > 0) || !std::isfinite(*work)) {
            reader.fail("max_work", ErrorCode::invalid_argument, "max_work must be a positive number");
        }
        if (*work > options.max_work_ceiling) {
            reader.fail("max_work", ErrorCode::permission_denied,
                        "max_work may be at most " + graph::format_number(options.max_work_ceiling) + " on this engine");
        }
        limits.max_work = *work;
    }
    return limits;
}

// `column`, when given, receives the op's per-person values (and `used` the snapshot they index).
json answer_one(importers::Database& db, const EngineOptions& options, const json& request, const std::string& at,
                RunContext& run, NodeColumn* column = nullptr, graph::SnapshotPtr* used = nullptr) {
    const auto started = std::chrono::steady_clock::now();
    std::string op_name;
    const auto caller_limits = run.limits();
    struct Restore {
        RunContext& run;
        graph::Limits limits;
        ~Restore() { run.set_limits(limits); }
    } restore{run, caller_limits};
    try {
        run.throw_if_cancelled();  // a run cancelled before it starts answers so, whatever the op
        if (auto deep = too_deep(request)) return too_deep_response(at + *deep);
        FieldReader reader(request, at);
        op_name = reader.required<std::string>("op");
        const OpEntry* entry = find_op(op_name);
        if (!entry) {
            throw QueryError(ErrorCode::invalid_argument, "unknown op '" + op_name + "'" + op_suggestion(op_name),
                             reader.at("op"));
        }
        run.set_limits(request_limits(reader, options, caller_limits));
        const bool estimate = reader.optional<bool>("estimate", false);
        const auto write = read_write(reader, op_name, estimate);
        NodeColumn written;
        OpContext ctx{db, db.snapshot(), run, at, options, estimate, column ? column : write ? &written : nullptr};
        if (used) *used = ctx.snapshot;
        json result = entry->run(ctx, reader);
        reader.reject_unknown();
        if (write) result["written"] = write_back(ctx, *write, *ctx.column, request);
        const auto took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
        return {{"ok", true}, {"op", op_name}, {"result", std::move(result)}, {"took_ms", took.count()}};
    } catch (const QueryError& e) {
        return error_response(e.code(), e.what(), e.at());
    } catch (const graph::ParamError& e) {
        return error_response(ErrorCode::invalid_argument, e.what(), field_pointer(at, e.field()));
    } catch (const graph::NotFound& e) {
        return error_response(ErrorCode::not_found, e.what(), field_pointer(at, e.field()));
    } catch (const graph::ResourceExhausted& e) {
        return error_response(ErrorCode::resource_exhausted, e.what(), field_pointer(at, e.field()));
    } catch (const graph::Cancelled& e) {
        return error_response(e.deadline() ? ErrorCode::deadline_exceeded : ErrorCode::cancelled, e.what(), at);
    } catch (const importers::ImportFailed& e) {
        auto response = error_response(ErrorCode::data_loss, e.what(), at);
        response["error"]["errors"] = import_errors(e, at);
        response["error"]["total_errors"] = e.total();
        return response;
    } catch (const importers::ImportError& e) {
        return error_response(ErrorCode::data_loss, e.what(), at);
    } catch (const importers::StoreError& e) {
        return error_response(ErrorCode::failed_precondition, e.what(), at);
    } catch (const graph::FileError& e) {
        return error_response(ErrorCode::failed_precondition, e.what(), at);
    } catch (const std::bad_alloc&) {
        return error_response(ErrorCode::resource_exhausted, "out of memory while answering the request", at);
    } catch (const std::length_error&) {
        return error_response(ErrorCode::resource_exhausted, "the answer would be larger than memory can hold", at);
    } catch (const std::exception& e) {
        std::cerr << "smorg: internal error in op '" << graph::printable(op_name) << "': " << graph::printable(e.what()) << '\n';
        return error_response(ErrorCode::internal, "internal error; the details were logged", at);
    }
}

// answer_one on this engine's ranks: only the forms that have a distributed one run, and the answer
// says how many ranks took part and what they exchanged (totals over every rank, gathered by one
// more collective that every rank makes, whatever its answer).
json execute_one(importers::Database& db, const EngineOptions& options, const json& request, const std::string& at,
                 RunContext& run, NodeColumn* column = nullptr, graph::SnapshotPtr* used = nullptr) {
    if (!options.ranks) return answer_one(db, options, request, at, run, column, used);
    auto& ranks = *options.ranks;
    run.set_ranks(&ranks);
    ranks.traffic = {};
    json answer;
    try {
        check_over_ranks(request, at);
        answer = answer_one(db, options, request, at, run, column, used);
    } catch (const QueryError& e) {
        answer = error_response(e.code(), e.what(), e.at());
    }
    const auto& t = ranks.traffic;
    std::uint64_t totals[3] = {t.exchange_bytes, t.ghosts, t.setup_bytes};
    ranks.sum(totals);
    if (!response_ok(answer)) return answer;
    const auto supersteps = t.exchanges;  // every rank takes part in each
    answer["ranks"] = ranks.size();
    answer["took"] = {{"supersteps", supersteps},
                      {"ghosts", totals[1]},
                      {"ghost_table_bytes", totals[2]},
                      {"exchanged_bytes", totals[0]},
                      {"bytes_per_superstep", supersteps > 0 ? totals[0] / supersteps : 0}};
    return answer;
}

// The parser's reason without its library prefix: "[json.exception.parse_error.101] parse error at
// line 1, column 9: syntax error while parsing object - unexpected ','" -> "unexpected ','" (line 1, column 9).
std::string parser_reason(const json::exception& e) {
    std::string text = e.what();
    if (text.rfind("[json.exception.", 0) == 0) {
        if (const auto end = text.find("] "); end != std::string::npos) text.erase(0, end + 2);
    }
    std::string place;
    if (text.rfind("parse error at ", 0) == 0) {
        if (const auto colon = text.find(": "); colon != std::string::npos) {
            place = text.substr(15, colon - 15);
            text.erase(0, colon + 2);
        }
    }
    if (const auto dash = text.find(" - "); text.rfind("syntax error", 0) == 0 && dash != std::string::npos)
        text.erase(0, dash + 3);
    return place.empty() ? text : text + " (" + place + ")";
}

}  // namespace

json QueryEngine::execute(const json& request, RunContext& run) { return execute(request, run, {}); }

json QueryEngine::execute(const json& request, RunContext& run, const std::vector<std::filesystem::path>& readable) {
    // A grant widens a copy of the options, made only for a request that has one.
    std::optional<EngineOptions> scoped;
    if (!readable.empty() && impl_->options.input_dirs) {
        scoped = impl_->options;
        scoped->input_dirs->insert(scoped->input_dirs->end(), readable.begin(), readable.end());
    }
    const auto& options = scoped ? *scoped : impl_->options;
    if (request.is_array()) {
        json responses = json::array();
        for (std::size_t i = 0; i < request.size(); ++i) {
            responses.push_back(execute_one(*impl_->db, options, request[i], "/" + std::to_string(i), run));
        }
        return responses;
    }
    return execute_one(*impl_->db, options, request, "", run);
}

json QueryEngine::execute(const json& request) {
    RunContext run;
    return execute(request, run);
}

json QueryEngine::execute_values(const json& request, RunContext& run, std::vector<double>& values,
                                 std::vector<std::string>* ids) {
    values.clear();
    if (ids) ids->clear();
    if (!request.is_object()) {
        return error_response(ErrorCode::invalid_argument, "per-person values come from one request (an object), not a batch");
    }
    // Refused before anything runs: an op without values, and an estimate (which computes none).
    if (const auto op = request.find("op");
        op != request.end() && op->is_string() && !offers_per_person_values(op->get<std::string>())) {
        return error_response(ErrorCode::invalid_argument,
                              "op '" + op->get<std::string>() + "' gives no per-person values; " + per_person_ops_list() + " do",
                              "/op");
    }
    if (const auto estimate = request.find("estimate"); estimate != request.end() && *estimate == true) {
        return error_response(ErrorCode::invalid_argument, "an estimate computes no values: leave estimate out", "/estimate");
    }
    NodeColumn column;
    graph::SnapshotPtr used;
    auto answer = execute_one(*impl_->db, impl_->options, request, "", run, &column, &used);
    if (!response_ok(answer)) return answer;
    if (!column.filled) {  // a bug: every op of kPerPersonOps offers its values
        std::cerr << "smorg: internal error: op '" << answer.value("op", "") << "' offered no per-person values\n";
        return error_response(ErrorCode::internal, "internal error; the details were logged");
    }
    values = std::move(column.values);
    if (ids) *ids = ids_of(*used);
    return answer;
}

ParsedRequest parse_request(std::string_view text) {
    ParsedRequest parsed;
    if (const auto deep = graph::json_too_deep(text)) {
        parsed.error = too_deep_response(deep->pointer);
        (*parsed.error)["error"]["message"] =
            (*parsed.error)["error"]["message"].get<std::string>() + " (at byte " + std::to_string(deep->offset) + ")";
        return parsed;
    }
    if (const auto bad = graph::invalid_utf8_at(text); bad != std::string_view::npos) {
        parsed.error = error_response(ErrorCode::invalid_argument,
                                      "the request is not valid UTF-8 (at byte " + std::to_string(bad) + ")", "");
        return parsed;
    }
    try {
        parsed.request = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        parsed.error = error_response(ErrorCode::invalid_argument,
                                      "malformed JSON at byte " + std::to_string(e.byte) + ": " + parser_reason(e), "");
    } catch (const json::exception& e) {
        parsed.error =
            error_response(ErrorCode::invalid_argument, "unreadable JSON (a number out of range?): " + parser_reason(e), "");
    }
    return parsed;
}

json QueryEngine::execute_text(std::string_view text, RunContext& run) {
    auto parsed = parse_request(text);
    if (parsed.error) return std::move(*parsed.error);
    return execute(parsed.request, run);
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

std::string to_text(const json& response, int indent) {
    return response.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace smorg::queries
