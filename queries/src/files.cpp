#include "files.h"

#include <algorithm>

#include "smorg/graph/files.h"
#include "smorg/graph/text.h"

namespace smorg::queries {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void refuse(const std::string& message, const std::string& at) {
    throw QueryError(ErrorCode::permission_denied, message, at);
}

bool climbs(const fs::path& p) {
    for (const auto& part : p) {
        if (part == "..") return true;
    }
    return false;
}

// True when `inside` is `dir` or lies under it (both canonical).
bool within(const fs::path& inside, const fs::path& dir) {
    auto a = inside.begin(), b = dir.begin();
    for (; b != dir.end(); ++a, ++b) {
        if (a == inside.end() || *a != *b) return false;
    }
    return true;
}

}  // namespace

fs::path output_path(const OpContext& ctx, const std::string& requested, const std::string& at) {
    const auto& options = ctx.options;
    if (requested.empty()) throw QueryError(ErrorCode::invalid_argument, "give a file name", at);
    if (!options.output_dir) {
        refuse(
            "this engine writes no files: it was opened without an output directory (EngineOptions::output_dir; "
            "the command line's --output-dir)",
            at);
    }
    const fs::path asked(requested);
    std::error_code ec;
    fs::path target;
    if (asked.is_absolute()) {
        if (!options.allow_absolute_output) {
            refuse("absolute paths are not allowed here: give a name relative to the output directory", at);
        }
        target = asked;
    } else {
        if (climbs(asked)) refuse("'..' is not allowed: give a name inside the output directory", at);
        const auto dir = fs::weakly_canonical(*options.output_dir, ec);
        target = dir / asked;
        // Symlinked folders must not lead out of the output directory either.
        const auto parent = fs::weakly_canonical(target.parent_path(), ec);
        if (ec || !within(parent, dir)) refuse("the name leads out of the output directory", at);
        target = parent / target.filename();
    }
    if (target.filename().empty()) throw QueryError(ErrorCode::invalid_argument, "give a file name, not a folder", at);
    if (fs::is_directory(target, ec)) throw QueryError(ErrorCode::invalid_argument, "'" + target.string() + "' is a folder", at);
    // Never over the store: by name (they may not exist yet) and by identity (hard links, symlinks).
    const auto& db = ctx.db.path();
    if (db != ":memory:") {
        const auto canonical_target = fs::weakly_canonical(target, ec);
        for (const char* suffix : {"", "-wal", "-shm", "-journal", ".snapshot"}) {
            const fs::path own = db + suffix;
            if (fs::weakly_canonical(own, ec) == canonical_target || graph::same_file(own, target)) {
                refuse("refusing to write over the database or its companion file '" + own.string() + "'", at);
            }
        }
    }
    return target;
}

void write_output(const fs::path& path, const std::string& content, const std::string& at) {
    try {
        graph::AtomicFile file(path);
        file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
        file.commit();
    } catch (const graph::FileError& e) {
        throw QueryError(ErrorCode::failed_precondition, e.what(), at);
    }
}

std::string input_path(const OpContext& ctx, const std::string& requested, const std::string& at) {
    const auto& options = ctx.options;
    if (requested.empty()) throw QueryError(ErrorCode::invalid_argument, "give a file name", at);
    std::string target = requested;
    if (options.input_dirs) {
        if (options.input_dirs->empty()) {
            refuse(
                "this engine imports no files by name: it was opened without an import directory "
                "(EngineOptions::input_dirs; the server's --import-dir)",
                at);
        }
        const fs::path asked(requested);
        if (!asked.is_absolute() && climbs(asked)) refuse("'..' is not allowed: give a name inside the import directory", at);
        std::error_code ec;
        const auto canonical = fs::weakly_canonical(asked.is_absolute() ? asked : options.input_dirs->front() / asked, ec);
        const bool inside = !ec && std::any_of(options.input_dirs->begin(), options.input_dirs->end(), [&](const fs::path& dir) {
            std::error_code dir_ec;
            const auto root = fs::weakly_canonical(dir, dir_ec);
            return !dir_ec && within(canonical, root);
        });
        if (!inside) refuse("imports read only files inside the import directory", at);
        target = canonical.string();
    }
    // A name that leads nowhere is the caller's slip, not damaged data: say so at its field.
    std::error_code ec;
    if (!fs::exists(target, ec)) {
        throw QueryError(ErrorCode::not_found,
                         "no file '" + graph::printable(requested) + "'" + (options.input_dirs ? " in the import directory" : ""),
                         at);
    }
    return target;
}

PictureRequest PictureRequest::read(FieldReader& reader) {
    PictureRequest p;
    p.svg = reader.maybe<std::string>("svg");
    p.inline_svg = reader.optional<bool>("inline_svg", false);
    return p;
}

void PictureRequest::resolve(const OpContext& ctx, const FieldReader& reader) {
    if (svg) path = output_path(ctx, *svg, reader.at("svg"));
}

void PictureRequest::deliver(json& answer, const std::string& picture, const FieldReader& reader) const {
    if (path) {
        write_output(*path, picture, reader.at("svg"));
        answer["svg"] = *svg;
    }
    if (inline_svg) answer["svg_inline"] = picture;
}

}  // namespace smorg::queries
