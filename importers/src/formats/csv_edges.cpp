// Edge files in CSV: a header naming source, target and any of kind, weight, timestamp, value; parsed
// in parallel chunks that start at record boundaries.
#include <algorithm>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "../chunks.h"
#include "../csv.h"
#include "../stager.h"
#include "../text.h"

namespace smorg::importers::detail {

void Stager::csv_edges(const std::string& file, const std::string& text) {
    CsvReader header_reader(text, 1);
    CsvRecord header;
    CsvSyntaxError syntax;
    if (!header_reader.next(header, syntax) || header.fields.empty()) {
        if (!syntax.message.empty()) {
            error(file, syntax.line, syntax.column, "", syntax.message);
        } else {
            error(file, 1, 1, "", "the file is empty: an edges CSV needs a header row (source,target,...)");
        }
        return;
    }
    std::vector<EdgeColumn> columns;
    bool header_ok = true;
    std::vector<EdgeColumn> seen;
    for (const auto& f : header.fields) {
        if (!check_text(file, f.line, f.column, f.text, "")) {
            header_ok = false;
            continue;
        }
        std::string name(trim(f.text));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const auto column = edge_column(name);
        if (!column || *column == EdgeColumn::skip) {
            error(file, f.line, f.column, std::string(trim(f.text)),
                  "unknown edge column '" + std::string(trim(f.text)) +
                      "' (edges have source, target, kind, weight, timestamp, value; people's attributes go in a nodes file)");
            header_ok = false;
            if (errors_.full()) return;
            continue;
        }
        if (std::find(seen.begin(), seen.end(), *column) != seen.end()) {
            error(file, f.line, f.column, name, "column '" + name + "' appears twice in the header");
            header_ok = false;
        }
        seen.push_back(*column);
        columns.push_back(*column);
    }
    if (header_ok) {
        for (auto required : {EdgeColumn::source, EdgeColumn::target}) {
            if (std::find(seen.begin(), seen.end(), required) == seen.end()) {
                error(file, 1, 1, "", "an edges CSV needs 'source' and 'target' columns");
                header_ok = false;
                break;
            }
        }
    }
    if (!header_ok) return;

    const std::string_view body(text.data() + header_reader.position(), text.size() - header_reader.position());
    const auto pieces = split_chunks(body, chunk_bytes(), true);
    std::vector<EdgeChunk> chunks(pieces.size());
    const std::size_t first_line = header_reader.line();
    const std::size_t width = columns.size();
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, pieces.size(), 1), [&](const auto& r) {
        for (std::size_t c = r.begin(); c != r.end(); ++c) {
            if (run_.cancelled()) return;
            auto& out = chunks[c];
            out.errors.max = errors_.max();
            const auto& piece = pieces[c];
            CsvReader reader(body.substr(piece.begin, piece.end - piece.begin), first_line + piece.line - 1);
            CsvRecord record;
            CsvSyntaxError bad;
            const std::uint16_t default_kind = out.kind(spec_.edge_kind, first_line + piece.line - 1, 1);
            while (reader.next(record, bad)) {
                if (!bad.message.empty()) {
                    out.errors.add(file, bad.line, bad.column, "", bad.message);
                    continue;
                }
                if (record.blank()) continue;
                if (record.fields.size() != width) {
                    out.errors.add(file, record.line, 1, "",
                                   "expected " + std::to_string(width) + " fields as in the header, found " +
                                       std::to_string(record.fields.size()));
                    continue;
                }
                EdgeDraft draft;
                draft.kind = default_kind;
                bool ok = true;
                for (std::size_t k = 0; k < width && ok; ++k) {
                    const auto& f = record.fields[k];
                    const auto bad_utf8 = invalid_utf8_at(f.text);
                    if (bad_utf8 != std::string_view::npos || f.text.find('\0') != std::string_view::npos) {
                        out.errors.add(file, f.line, f.column + std::min(bad_utf8, f.text.find('\0')), "",
                                       bad_utf8 != std::string_view::npos ? "invalid UTF-8" : "a NUL byte");
                        ok = false;
                        break;
                    }
                    ok = edge_field(out, draft, columns[k], trim(f.text), file, f.line, f.column, false);
                }
                if (!ok) {
                    drop_row(out);
                    continue;
                }
                add_edge(out, draft);
            }
            if (!bad.message.empty()) out.errors.add(file, bad.line, bad.column, "", bad.message);
            out.lines = reader.line() - (first_line + piece.line - 1);
        }
    });
    run_.throw_if_cancelled();
    batch_.report.lines += 1;  // the header
    absorb(file, chunks, false, spec_.create_missing);
}

}  // namespace smorg::importers::detail
