#pragma once

// Where a query may read and write files: EngineOptions' input and output directories, checked once
// here for every op that names a file, with errors at the field that named it.

#include <filesystem>
#include <optional>
#include <string>

#include "op_context.h"

namespace smorg::queries {

// The file an op may create or replace for `requested` (the request's value at `at`): a relative
// name under options.output_dir without "..", or an absolute path when allowed; never the database,
// its WAL, its shared memory or its snapshot cache, never a directory. permission_denied otherwise.
std::filesystem::path output_path(const OpContext& ctx, const std::string& requested, const std::string& at);

// Writes `content` there through a temporary renamed into place (a planted symlink is replaced, not
// followed; a failed write leaves the old file).
void write_output(const std::filesystem::path& path, const std::string& content, const std::string& at);

// The file an import may read for `requested`: anywhere when options.input_dirs is unset, else only
// inside one of them (relative names are taken from the first; symlinks may not lead out).
std::string input_path(const OpContext& ctx, const std::string& requested, const std::string& at);

// A picture an op may draw: `svg` (a file to write) and `inline_svg` (the SVG in the answer).
struct PictureRequest {
    std::optional<std::string> svg;
    bool inline_svg = false;
    std::optional<std::filesystem::path> path;  // where svg goes, once resolved

    // Reads svg and inline_svg.
    static PictureRequest read(FieldReader& reader);
    bool drawn() const noexcept { return svg || inline_svg; }
    // Checks where svg may be written (output_path), before the op runs.
    void resolve(const OpContext& ctx, const FieldReader& reader);
    // Writes the picture to svg and/or puts it in the answer as svg_inline; answer["svg"] names the file.
    void deliver(json& answer, const std::string& picture, const FieldReader& reader) const;
};

}  // namespace smorg::queries
