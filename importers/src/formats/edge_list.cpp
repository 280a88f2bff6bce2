// Edge lists as SNAP publishes them: one edge per line, whitespace separated (or comma separated
// when the first data line has a comma), '#' and '%' comments, columns as the spec names them.
// Endpoints that no file defines are created with the spec's node kind.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "../chunks.h"
#include "../stager.h"
#include "../text.h"

namespace smorg::importers::detail {

void Stager::edge_list(const std::string& file, const std::string& text) {
    std::vector<EdgeColumn> columns;
    for (const auto& name : spec_.columns) columns.push_back(*edge_column(name));  // checked by validate_spec
    const std::size_t width = columns.size();
    std::string names;
    for (const auto& n : spec_.columns) names += (names.empty() ? "" : ",") + n;
    // Comma separated when the first data line has a comma; whitespace otherwise.
    char separator = ' ';
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const auto line = trim(std::string_view(text).substr(start, end - start));
        if (!line.empty() && line[0] != '#' && line[0] != '%') {
            if (line.find(',') != std::string_view::npos) separator = ',';
            break;
        }
        start = end + 1;
    }
    const auto pieces = split_chunks(text, chunk_bytes(), false);
    std::vector<EdgeChunk> chunks(pieces.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pieces.size(), 1), [&](const auto& r) {
        std::vector<std::pair<std::string_view, std::size_t>> fields;  // (text, column)
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            if (run_.cancelled()) return;
            auto& out = chunks[c];
            out.errors.max = errors_.max();
            const auto& piece = pieces[c];
            const std::uint16_t default_kind = out.kind(spec_.edge_kind, piece.line, 1);
            std::size_t line = piece.line;
            for (std::size_t start = piece.begin; start < piece.end; ++line) {
                std::size_t end = text.find('\n', start);
                if (end == std::string::npos || end > piece.end) end = piece.end;
                std::string_view raw(text.data() + start, end - start);
                start = end + 1;
                ++out.lines;
                if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
                const auto content = trim(raw);
                if (content.empty() || content[0] == '#' || content[0] == '%') continue;
                const auto bad_utf8 = invalid_utf8_at(raw);
                if (bad_utf8 != std::string_view::npos || raw.find('\0') != std::string_view::npos) {
                    out.errors.add(file, line, std::min(bad_utf8, raw.find('\0')) + 1, "",
                                   bad_utf8 != std::string_view::npos ? "invalid UTF-8" : "a NUL byte");
                    continue;
                }
                fields.clear();
                std::size_t i = 0;
                while (i < raw.size()) {
                    if (separator == ' ') {
                        while (i < raw.size() && (raw[i] == ' ' || raw[i] == '\t')) ++i;
                        if (i >= raw.size()) break;
                        const std::size_t s = i;
                        while (i < raw.size() && raw[i] != ' ' && raw[i] != '\t') ++i;
                        fields.emplace_back(raw.substr(s, i - s), s + 1);
                    } else {
                        const std::size_t s = i;
                        while (i < raw.size() && raw[i] != ',') ++i;
                        fields.emplace_back(trim(raw.substr(s, i - s)), s + 1);
                        if (i < raw.size()) {
                            ++i;
                            if (i == raw.size()) fields.emplace_back(std::string_view(), i + 1);
                        }
                    }
                }
                if (fields.size() != width) {
                    out.errors.add(
                        file, line, 1, "",
                        "expected " + std::to_string(width) + " columns (" + names + "), found " + std::to_string(fields.size()));
                    continue;
                }
                EdgeDraft draft;
                draft.kind = default_kind;
                bool ok = true;
                for (std::size_t k = 0; k < width && ok; ++k) {
                    ok = edge_field(out, draft, columns[k], fields[k].first, file, line, fields[k].second, true);
                }
                if (!ok || draft.skip) {
                    drop_row(out);
                    if (ok) ++out.skipped_zero;
                    continue;
                }
                add_edge(out, draft);
            }
        }
    });
    run_.throw_if_cancelled();
    absorb(file, chunks, true, false);
}

}  // namespace smorg::importers::detail
