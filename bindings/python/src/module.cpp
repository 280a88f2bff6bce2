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

// The rows of an ok answer as columns, in the order their keys first appear: numbers as one NumPy
// array (int64 when every row has an integer, float64 with NaN for a missing one otherwise),
// booleans (in every row) as a bool array, anything else a list (None where a row lacks it). Two
// passes over the rows, each visiting every value once.
py::dict columns(const json& rows) {
    struct Slot {
        std::string key;
        std::size_t present = 0;
        bool numbers = true, integers = true, booleans = true;
        py::object out;
        void* data = nullptr;  // the array's memory, for the numeric forms
    };
    std::vector<Slot> slots;
    std::unordered_map<std::string, std::size_t> index;
    auto slot_of = [&](const std::string& key) -> Slot& {
        auto [it, added] = index.try_emplace(key, slots.size());
        if (added) {
            slots.emplace_back();
            slots.back().key = key;
        }
        return slots[it->second];
    };
    for (const auto& row : rows) {
        if (!row.is_object()) continue;
        for (auto it = row.begin(); it != row.end(); ++it) {
            auto& slot = slot_of(it.key());
            const auto& v = it.value();
            if (!v.is_null()) ++slot.present;
            slot.numbers = slot.numbers && (v.is_null() || v.is_number());
            slot.integers = slot.integers && v.is_number_integer();
            slot.booleans = slot.booleans && v.is_boolean();
        }
    }
    const auto n = static_cast<py::ssize_t>(rows.size());
    enum class Form : std::uint8_t { booleans, integers, numbers, objects };
    std::vector<Form> forms;
    for (auto& slot : slots) {
        const bool every_row = slot.present == rows.size();
        if (slot.booleans && every_row) {
            forms.push_back(Form::booleans);
            py::array_t<bool> out(n);
            slot.data = out.mutable_data();
            slot.out = std::move(out);
        } else if (slot.integers && every_row) {
            forms.push_back(Form::integers);
            py::array_t<std::int64_t> out(n);
            slot.data = out.mutable_data();
            slot.out = std::move(out);
        } else if (slot.numbers) {
            forms.push_back(Form::numbers);
            py::array_t<double> out(n);
            std::fill(out.mutable_data(), out.mutable_data() + n, std::nan(""));
            slot.data = out.mutable_data();
            slot.out = std::move(out);
        } else {
            forms.push_back(Form::objects);
            py::list out(rows.size());
            for (py::ssize_t i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = py::none();
            slot.out = std::move(out);
        }
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (!row.is_object()) continue;
        const auto i = static_cast<py::ssize_t>(r);
        for (auto it = row.begin(); it != row.end(); ++it) {
            const auto s = index.find(it.key())->second;
            const auto& v = it.value();
            auto& slot = slots[s];
            switch (forms[s]) {
                case Form::booleans:
                    static_cast<bool*>(slot.data)[r] = v.get<bool>();
                    break;
                case Form::integers:
                    static_cast<std::int64_t*>(slot.data)[r] = v.get<std::int64_t>();
                    break;
                case Form::numbers:
                    if (!v.is_null()) static_cast<double*>(slot.data)[r] = v.get<double>();
                    break;
                case Form::objects:
                    PyList_SetItem(slot.out.ptr(), i, to_python(v).release().ptr());  // steals; drops the None
                    break;
            }
        }
    }
    py::dict result;
    for (auto& slot : slots) result[py::str(slot.key)] = std::move(slot.out);
    return result;
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
