#pragma once

// POST /v1/import: the request's files, staged in a private folder for the import op to read, and
// the answer's file names turned back into the names they were uploaded under.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <httplib.h>

namespace smorg::server::detail {

using json = nlohmann::json;

// One import request, built from an upload (multipart parts, or the body as one file described by
// the query string) or from a JSON body of the import op's fields. Its staged files live in a
// folder of their own (mode 0700, under `root`), removed with it.
class ImportUpload {
public:
    ImportUpload(const httplib::Request& req, const std::filesystem::path& root);
    ~ImportUpload();
    ImportUpload(const ImportUpload&) = delete;
    ImportUpload& operator=(const ImportUpload&) = delete;

    // The error response when the upload cannot make an import request.
    const std::optional<json>& error() const { return error_; }
    const json& request() const { return request_; }
    // The folders this import may read (the staged files'), for QueryEngine::execute.
    std::vector<std::filesystem::path> readable() const;
    // Every staged path in the answer's strings becomes the name it was uploaded under.
    void rename_in(json& response) const;

private:
    void stage(const std::string& role, const std::string& name, const std::string& content);
    void from_multipart(const httplib::Request& req);
    void from_body(const httplib::Request& req);

    std::filesystem::path dir_;
    json request_ = json::object();
    std::optional<json> error_;
    std::vector<std::pair<std::string, std::string>> names_;  // staged path, uploaded name
};

}  // namespace smorg::server::detail
