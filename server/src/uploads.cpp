#include "uploads.h"

#include <cstdlib>
#include <fstream>
#include <set>
#include <system_error>

#include "smorg/queries/query_engine.h"

namespace smorg::server::detail {

namespace fs = std::filesystem;

namespace {

const std::set<std::string> kRoles{"nodes", "edges", "labels"};
// Import fields that are not strings, as the query string spells them.
const std::set<std::string> kBooleans{"create_missing"};
const std::set<std::string> kIntegers{"max_errors", "max_file_bytes"};

// The last part of an uploaded file name, without control characters; `fallback` when nothing is left.
std::string safe_name(const std::string& given, const std::string& fallback) {
    const auto slash = given.find_last_of("/\\");
    std::string name;
    for (const char c : slash == std::string::npos ? given : given.substr(slash + 1)) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) name += c;
    }
    if (name.empty() || name == "." || name == "..") return fallback;
    return name;
}

std::string default_name(const std::string& role) { return role == "nodes" ? "upload.csv" : "upload.txt"; }

json invalid(const std::string& message, const std::string& at) {
    return queries::error_response(queries::ErrorCode::invalid_argument, message, at);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace

ImportUpload::ImportUpload(const httplib::Request& req, const fs::path& root) {
    request_["op"] = "import";
    const auto type = req.get_header_value("Content-Type");
    if (type.rfind("application/json", 0) == 0) {
        // The import op's own fields: files by path, read under the import directory only.
        auto parsed = queries::parse_request(req.body);
        if (parsed.error) {
            error_ = std::move(parsed.error);
        } else if (!parsed.request.is_object()) {
            error_ = invalid("an import is a JSON object of the import op's fields", "");
        } else if (parsed.request.contains("op") && parsed.request["op"] != "import") {
            error_ = invalid("/v1/import takes the import op only", "/op");
        } else {
            request_ = std::move(parsed.request);
            request_["op"] = "import";
        }
        return;
    }
    std::string pattern = (root / "upload-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        error_ = queries::error_response(queries::ErrorCode::failed_precondition, "the server cannot stage the upload", "");
        return;
    }
    dir_ = pattern;
    try {
        if (req.is_multipart_form_data()) {
            from_multipart(req);
        } else {
            from_body(req);
        }
        // The batch records the uploaded names, not where they were staged.
        if (!error_ && !request_.contains("source")) {
            std::string source;
            for (const auto& [path, name] : names_) source += (source.empty() ? "" : ", ") + name;
            request_["source"] = source;
        }
    } catch (const std::exception& e) {
        error_ = queries::error_response(queries::ErrorCode::failed_precondition,
                                         std::string("the server cannot stage the upload: ") + e.what(), "");
    }
}

ImportUpload::~ImportUpload() {
    if (dir_.empty()) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::vector<fs::path> ImportUpload::readable() const {
    if (dir_.empty()) return {};
    return {dir_};
}

void ImportUpload::stage(const std::string& role, const std::string& name, const std::string& content) {
    // One folder per file, so that two parts may carry the same name.
    const auto folder = dir_ / std::to_string(names_.size());
    fs::create_directory(folder);
    const auto path = folder / name;
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) throw std::runtime_error("the staging folder is not writable");
    names_.emplace_back(path.string(), name);
    if (role == "labels") {
        request_["labels"] = path.string();
    } else {
        if (!request_.contains(role)) request_[role] = json::array();
        request_[role].push_back(path.string());
    }
}

void ImportUpload::from_multipart(const httplib::Request& req) {
    if (req.files.count("params") > 1) {
        error_ = invalid("give one params part", "/params");
        return;
    }
    if (const auto it = req.files.find("params"); it != req.files.end()) {
        auto parsed = queries::parse_request(it->second.content);
        if (parsed.error) {
            error_ = std::move(parsed.error);
            (*error_)["error"]["at"] = "/params" + (*error_)["error"].value("at", "");
            return;
        }
        if (!parsed.request.is_object()) {
            error_ = invalid("the params part is a JSON object of the import op's fields", "/params");
            return;
        }
        for (const auto& [key, value] : parsed.request.items()) {
            if (kRoles.count(key) || key == "op") {
                error_ = invalid("'" + key + "' comes from the upload's parts, not from params", "/params/" + key);
                return;
            }
            request_[key] = value;
        }
    }
    if (req.files.count("labels") > 1) {
        error_ = invalid("give one labels part", "/labels");
        return;
    }
    for (const auto& [part, file] : req.files) {
        if (part == "params") continue;
        if (!kRoles.count(part)) {
            error_ = invalid("unknown part '" + part + "'; the parts are nodes, edges, labels and params", "/" + part);
            return;
        }
        stage(part, safe_name(file.filename, default_name(part)), file.content);
    }
    if (names_.empty()) error_ = invalid("the upload holds no nodes, edges or labels part", "");
}

void ImportUpload::from_body(const httplib::Request& req) {
    const auto role = req.get_param_value("role");
    if (!kRoles.count(role)) {
        error_ = invalid("give role=nodes, role=edges or role=labels in the query string: which file the body is", "/role");
        return;
    }
    for (const auto& [key, value] : req.params) {
        if (key == "role" || key == "name") continue;
        if (kRoles.count(key) || key == "op") {
            error_ = invalid("'" + key + "' cannot be given with an uploaded body", "/" + key);
            return;
        }
        if (key == "columns") {
            json columns = json::array();
            std::size_t start = 0;
            for (auto comma = value.find(',');; comma = value.find(',', start)) {
                columns.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            request_[key] = std::move(columns);
        } else if (kBooleans.count(key)) {
            if (value != "true" && value != "false") {
                error_ = invalid(key + " is true or false", "/" + key);
                return;
            }
            request_[key] = value == "true";
        } else if (kIntegers.count(key)) {
            char* end = nullptr;
            const auto n = std::strtoll(value.c_str(), &end, 10);
            if (value.empty() || *end != '\0') {
                error_ = invalid(key + " is a whole number", "/" + key);
                return;
            }
            request_[key] = n;
        } else {
            request_[key] = value;
        }
    }
    stage(role, safe_name(req.get_param_value("name"), default_name(role)), req.body);
}

void ImportUpload::rename_in(json& response) const {
    if (names_.empty()) return;
    if (response.is_string()) {
        auto text = response.get<std::string>();
        for (const auto& [path, name] : names_) replace_all(text, path, name);
        response = std::move(text);
    } else if (response.is_structured()) {
        for (auto& child : response) rename_in(child);
    }
}

}  // namespace smorg::server::detail
