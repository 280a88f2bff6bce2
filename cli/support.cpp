#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include <unistd.h>

namespace smorg::cli {

namespace {
bool g_progress_drawn = false;
std::atomic<queries::RunContext*> g_interruptible{nullptr};

extern "C" void on_interrupt(int) {
    // RunContext::cancel is a lock-free atomic store: safe in a signal handler.
    if (auto* run = g_interruptible.load()) run->cancel();
}
}  // namespace

double parse_bytes(const std::string& text) {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    std::string unit = text.substr(used);
    for (auto& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!unit.empty() && unit.back() == 'B') unit.pop_back();
    if (!unit.empty() && unit.back() == 'I') unit.pop_back();
    const std::string units = "KMGTP";
    if (unit.size() == 1 && units.find(unit[0]) != std::string::npos) {
        for (std::size_t i = 0; i <= units.find(unit[0]); ++i) value *= 1024;
    } else if (!unit.empty()) {
        throw std::invalid_argument("unknown unit");
    }
    if (!(value > 0)) throw std::invalid_argument("not positive");
    return value;
}

queries::EngineOptions engine_options(const Globals& globals, bool create, bool trusted_paths) {
    queries::EngineOptions options;
    options.create = create;
    options.output_dir = globals.output_dir;
    options.allow_absolute_output = globals.allow_absolute_paths || trusted_paths;
    if (!globals.max_memory.empty()) {
        try {
            options.limits.max_memory_bytes = parse_bytes(globals.max_memory);
        } catch (const std::exception&) {
            throw std::invalid_argument("--max-memory takes a size like 8G, 512M or 1073741824, got '" + globals.max_memory +
                                        "'");
        }
    }
    if (globals.max_work > 0) options.limits.max_work = globals.max_work;
    return options;
}

int failure_code(const json& response) {
    const auto cancelled = [](const json& r) {
        return r.is_object() && r.contains("error") && r["error"].value("code", "") == "cancelled";
    };
    if (cancelled(response)) return kInterrupted;
    if (response.is_array() && std::any_of(response.begin(), response.end(), cancelled)) return kInterrupted;
    return kFailed;
}

void print_json(const json& response, bool compact) { std::cout << queries::to_text(response, compact ? -1 : 2) << '\n'; }

Outcome run_request(const std::string& db, const queries::EngineOptions& options, const json& request, const Globals& globals,
                    bool json_output) {
    queries::QueryEngine engine(db, options);
    queries::RunContext run(progress_printer(globals));
    InterruptGuard guard(run);
    Outcome outcome{engine.execute(request, run)};
    end_progress();
    if (json_output) print_json(outcome.response, false);
    if (!queries::response_ok(outcome.response)) {
        if (!json_output) print_error(outcome.response);
        outcome.code = failure_code(outcome.response);
    }
    return outcome;
}

queries::RunContext::ProgressFn progress_printer(const Globals& globals) {
    if (globals.quiet || !isatty(STDERR_FILENO)) return {};
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [last](std::string_view phase, double done) {
        const auto now = std::chrono::steady_clock::now();
        if (done < 1.0 && now - *last < std::chrono::milliseconds(100)) return;
        *last = now;
        constexpr int kWidth = 30;
        const int filled = static_cast<int>(done * kWidth);
        std::fprintf(stderr, "\r%-12.*s [%.*s%*s] %3d%%", static_cast<int>(phase.size()), phase.data(), filled,
                     "##############################", kWidth - filled, "", static_cast<int>(done * 100));
        std::fflush(stderr);
        g_progress_drawn = true;
    };
}

void end_progress() {
    if (g_progress_drawn) {
        std::fprintf(stderr, "\r%60s\r", "");
        std::fflush(stderr);
        g_progress_drawn = false;
    }
}

InterruptGuard::InterruptGuard(queries::RunContext& run) {
    previous_ = g_interruptible.exchange(&run);
    std::signal(SIGINT, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
    g_interruptible = previous_;
    if (!previous_) std::signal(SIGINT, SIG_DFL);
}

namespace {

std::string cell(const json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_null()) return "-";
    if (value.is_number_float()) {
        const double d = value.get<double>();
        std::ostringstream s;
        if (d != 0 && (std::abs(d) < 1e-3 || std::abs(d) >= 1e7)) {
            s << std::setprecision(4) << std::scientific << d;
        } else {
            s << std::setprecision(6) << d;
        }
        return s.str();
    }
    return queries::to_text(value);
}

// Columns in a readable order: rank and identity first, then the rest as they come.
std::vector<std::string> columns_of(const json& rows) {
    static const std::vector<std::string> kFirst{"rank", "id", "name", "kind", "group", "score"};
    std::vector<std::string> keys;
    for (const auto& row : rows) {
        for (const auto& [key, value] : row.items()) {
            if (value.is_object() || (value.is_array() && !value.empty() && value.front().is_object())) continue;
            if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
        }
    }
    std::vector<std::string> ordered;
    for (const auto& k : kFirst) {
        if (std::find(keys.begin(), keys.end(), k) != keys.end()) ordered.push_back(k);
    }
    for (const auto& k : keys) {
        if (std::find(ordered.begin(), ordered.end(), k) == ordered.end()) ordered.push_back(k);
    }
    return ordered;
}

}  // namespace

void print_table(std::ostream& out, const json& rows, std::size_t max_width) {
    print_table(out, rows, rows.is_array() && !rows.empty() ? columns_of(rows) : std::vector<std::string>{}, max_width);
}

void print_table(std::ostream& out, const json& rows, const std::vector<std::string>& columns, std::size_t max_width) {
    if (!rows.is_array() || rows.empty()) {
        out << "  (none)\n";
        return;
    }
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> width(columns.size());
    for (std::size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].size();
    for (const auto& row : rows) {
        auto& line = cells.emplace_back();
        for (std::size_t c = 0; c < columns.size(); ++c) {
            std::string text = row.contains(columns[c]) ? cell(row[columns[c]]) : "";
            if (text.size() > max_width) text = text.substr(0, max_width - 1) + "~";
            width[c] = std::max(width[c], text.size());
            line.push_back(std::move(text));
        }
    }
    auto print_line = [&](const std::vector<std::string>& line) {
        out << ' ';
        for (std::size_t c = 0; c < line.size(); ++c) {
            const bool numeric = !rows.front().contains(columns[c]) || rows.front()[columns[c]].is_number();
            out << ' ' << (numeric ? std::right : std::left) << std::setw(static_cast<int>(width[c])) << line[c];
        }
        out << '\n';
    };
    print_line(columns);
    std::vector<std::string> rule;
    for (auto w : width) rule.emplace_back(w, '-');
    print_line(rule);
    for (const auto& line : cells) print_line(line);
}

void print_result(std::ostream& out, const json& result) {
    if (!result.is_object()) {
        out << queries::to_text(result, 2) << '\n';
        return;
    }
    for (const auto& [key, value] : result.items()) {
        if (!value.is_structured()) out << key << ": " << cell(value) << '\n';
    }
    for (const auto& [key, value] : result.items()) {
        if (value.is_object()) {
            bool flat = true;
            for (const auto& [k, v] : value.items()) flat = flat && !v.is_structured();
            if (flat) {
                out << key << ":";
                for (const auto& [k, v] : value.items()) out << "  " << k << "=" << cell(v);
                out << '\n';
            } else {
                out << key << ":\n" << queries::to_text(value, 2) << '\n';
            }
        }
    }
    for (const auto& [key, value] : result.items()) {
        if (value.is_array()) {
            if (!value.empty() && value.front().is_object()) {
                out << key << ":\n";
                print_table(out, value);
            } else {
                out << key << ": " << queries::to_text(value) << '\n';
            }
        }
    }
}

void print_error(const json& response) {
    end_progress();
    if (response.is_array()) {
        for (const auto& r : response) {
            if (!r.value("ok", false)) print_error(r);
        }
        return;
    }
    const auto& error = response.at("error");
    std::cerr << "smorg: error (" << error.value("code", "") << ")";
    if (!error.value("at", "").empty()) std::cerr << " at " << error.value("at", "");
    std::cerr << ": " << error.value("message", "") << '\n';
}

}  // namespace smorg::cli
