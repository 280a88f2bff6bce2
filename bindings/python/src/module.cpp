// smorg._smorg: the queries layer for Python. The package around it (smorg/__init__.py) builds the
// typed methods, DataFrames and networkx graphs; this part runs requests without the GIL, turns
// answers into Python objects (row results into columns: NumPy arrays for numbers, no Python object
// per number), and lets Ctrl-C cancel a running algorithm.
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "smorg/graph/errors.h"
#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

namespace py = pybind11;
using json = nlohmann::json;

namespace {

using smorg::queries::QueryEngine;
using smorg::queries::RunContext;

py::object to_python(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return py::none();
        case json::value_t::boolean:
            return py::bool_(value.get<bool>());
        case json::value_t::number_integer:
            return py::int_(value.get<std::int64_t>());
        case json::value_t::number_unsigned:
            return py::int_(value.get<std::uint64_t>());
        case json::value_t::number_float:
            return py::float_(value.get<double>());
        case json::value_t::string:
            return py::str(value.get_ref<const std::string&>());
        case json::value_t::array: {
            py::list out(value.size());
            for (std::size_t i = 0; i < value.size(); ++i) out[i] = to_python(value[i]);
            return out;
        }
        case json::value_t::object: {
            py::dict out;
            for (const auto& [key, item] : value.items()) out[py::str(key)] = to_python(item);
            return out;
        }
        default:
            return py::none();
    }
}

// A column of a row result: numbers as one NumPy array (int64 when every value is an integer,
// float64 with NaN for a missing one otherwise), booleans as a bool array, anything else a list.
py::object column(const json& rows, const std::string& key) {
    bool numbers = true, integers = true, booleans = true;
    for (const auto& row : rows) {
        const auto it = row.find(key);
        const bool missing = it == row.end() || it->is_null();
        numbers = numbers && (missing || it->is_number());
        integers = integers && !missing && it->is_number_integer();
        booleans = booleans && !missing && it->is_boolean();
    }
    const auto n = static_cast<py::ssize_t>(rows.size());
    if (booleans && n > 0) {
        py::array_t<bool> out(n);
        auto view = out.mutable_unchecked<1>();
        for (py::ssize_t i = 0; i < n; ++i) view(i) = rows[static_cast<std::size_t>(i)][key].get<bool>();
        return out;
    }
    if (integers && n > 0) {
        py::array_t<std::int64_t> out(n);
        auto view = out.mutable_unchecked<1>();
        for (py::ssize_t i = 0; i < n; ++i) view(i) = rows[static_cast<std::size_t>(i)][key].get<std::int64_t>();
        return out;
    }
    if (numbers) {
        py::array_t<double> out(n);
        auto view = out.mutable_unchecked<1>();
        for (py::ssize_t i = 0; i < n; ++i) {
            const auto& row = rows[static_cast<std::size_t>(i)];
            const auto it = row.find(key);
            view(i) = it == row.end() || it->is_null() ? std::nan("") : it->get<double>();
        }
        return out;
    }
    py::list out(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto it = rows[i].find(key);
        out[i] = it == rows[i].end() ? py::none() : to_python(*it);
    }
    return out;
}

// The rows of an ok answer as columns, in the order their keys first appear.
py::dict columns(const json& rows) {
    std::vector<std::string> keys;
    std::unordered_map<std::string, bool> seen;
    for (const auto& row : rows) {
        if (!row.is_object()) continue;
        for (const auto& [key, value] : row.items()) {
            if (seen.emplace(key, true).second) keys.push_back(key);
        }
    }
    py::dict out;
    for (const auto& key : keys) out[py::str(key)] = column(rows, key);
    return out;
}

class Engine {
public:
    Engine(const std::string& path, bool create, std::optional<std::filesystem::path> output_dir, bool allow_absolute_output,
           std::optional<std::vector<std::filesystem::path>> input_dirs) {
        smorg::queries::EngineOptions options;
        options.create = create;
        options.output_dir = std::move(output_dir);
        options.allow_absolute_output = allow_absolute_output;
        options.input_dirs = std::move(input_dirs);
        py::gil_scoped_release release;
        engine_.emplace(path, options);
    }

    // Answers `request` (JSON text); returns (answer, columns): the answer as Python objects and,
    // when `as_columns` and the answer has rows, those rows as columns (the answer's "rows" then
    // holds None).
    py::tuple execute(const std::string& request, bool as_columns) {
        auto answer = run([&](RunContext& run) { return engine().execute_text(request, run); });
        py::object cols = py::none();
        if (as_columns && answer.is_object() && answer.value("ok", false)) {
            auto& result = answer["result"];
            if (result.is_object() && result.contains("rows") && result["rows"].is_array()) {
                cols = columns(result["rows"]);
                result["rows"] = nullptr;
            }
        }
        return py::make_tuple(to_python(answer), cols);
    }

    // Answers `request` (JSON text) through execute_values: (answer, values as a float64 array in
    // snapshot order, the snapshot's ids or None).
    py::tuple vector(const std::string& request, bool with_ids) {
        std::vector<double> values;
        std::vector<std::string> ids;
        auto answer = run([&](RunContext& run) {
            auto parsed = smorg::queries::parse_request(request);
            if (parsed.error) return *parsed.error;
            return engine().execute_values(parsed.request, run, values, with_ids ? &ids : nullptr);
        });
        if (!answer.is_object() || !answer.value("ok", false)) return py::make_tuple(to_python(answer), py::none(), py::none());
        py::array_t<double> out(static_cast<py::ssize_t>(values.size()));
        std::copy(values.begin(), values.end(), out.mutable_data());
        py::object id_list = py::none();
        if (with_ids) id_list = py::cast(ids);
        return py::make_tuple(to_python(answer), std::move(out), id_list);
    }

    std::vector<std::string> node_ids() const { return engine().node_ids(); }
    std::string path() const { return engine().path(); }
    void close() {
        py::gil_scoped_release release;
        engine_.reset();
    }

private:
    QueryEngine& engine() {
        if (!engine_) throw std::runtime_error("the database is closed");
        return *engine_;
    }
    const QueryEngine& engine() const {
        if (!engine_) throw std::runtime_error("the database is closed");
        return *engine_;
    }

    // Runs `work` on a worker thread without the GIL; the calling thread waits, and every 50 ms
    // takes the GIL to let Python handle signals: a KeyboardInterrupt cancels the run, waits for
    // it to end (promptly: every algorithm checks its RunContext) and is raised.
    json run(const std::function<json(RunContext&)>& work) {
        RunContext context;
        std::packaged_task<json()> task([&] { return work(context); });
        auto done = task.get_future();
        std::exception_ptr interrupted;
        {
            py::gil_scoped_release release;
            std::thread worker(std::move(task));
            while (done.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
                py::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {
                    context.cancel();
                    {
                        py::gil_scoped_release again;
                        done.wait();
                    }
                    interrupted = std::make_exception_ptr(py::error_already_set());
                    break;
                }
            }
            worker.join();
        }
        if (interrupted) std::rethrow_exception(interrupted);
        return done.get();
    }

    std::optional<QueryEngine> engine_;
};

}  // namespace

PYBIND11_MODULE(_smorg, m) {
    m.doc() = "smorg's engine (the smorg package wraps it: use smorg.open)";
    py::class_<Engine>(m, "Engine")
        .def(py::init<const std::string&, bool, std::optional<std::filesystem::path>, bool,
                      std::optional<std::vector<std::filesystem::path>>>(),
             py::arg("path"), py::arg("create"), py::arg("output_dir"), py::arg("allow_absolute_output"), py::arg("input_dirs"))
        .def("execute", &Engine::execute, py::arg("request"), py::arg("as_columns") = false)
        .def("vector", &Engine::vector, py::arg("request"), py::arg("with_ids") = false)
        .def("node_ids", &Engine::node_ids)
        .def("path", &Engine::path)
        .def("close", &Engine::close);
    // One cap for the process, as the command line's --threads: answers do not depend on it.
    m.def(
        "set_threads",
        [](int threads) {
            static std::optional<smorg::queries::ThreadLimit> limit;
            if (threads < 0) throw py::value_error("threads must be >= 0 (0: every core)");
            limit.reset();
            if (threads > 0) limit.emplace(threads);
        },
        py::arg("threads"));
    m.def("version", [] { return std::string(SMORG_VERSION); });
    // The built-in sample organization, as `smorg generate` writes it: (nodes file, edges file).
    m.def(
        "generate",
        [](const std::filesystem::path& dir, std::uint32_t customers, std::uint32_t employees, std::uint64_t seed) {
            smorg::queries::SampleOrgParams params;
            params.customers = customers;
            params.employees = employees;
            params.seed = seed;
            smorg::queries::SampleOrgReport report;
            try {
                py::gil_scoped_release release;
                report = smorg::queries::generate_sample_org(dir, params);
            } catch (const smorg::graph::ParamError& e) {
                throw py::value_error(std::string(e.field()) + ": " + e.what());
            }
            return py::make_tuple(report.nodes_file, report.edges_file);
        },
        py::arg("dir"), py::arg("customers"), py::arg("employees"), py::arg("seed"));
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const smorg::queries::QueryError& e) {
            // Raised again as smorg.QueryError by the package, with code and at.
            py::object error = py::module_::import("smorg").attr("QueryError");
            PyErr_SetObject(error.ptr(), py::make_tuple(smorg::graph::name_of(e.code()), e.what(), e.at(), py::list()).ptr());
        }
    });
}
