// GML (the Graph Modelling Language): `graph [ directed 1 node [ id 0 label "a" ... ] edge [ source 0
// target 1 ... ] ]`. Nodes are named by their labels when they have them, as networkx reads GML, else
// by their ids; edges name nodes by id. Numbers and strings become typed values; nested lists (a
// node's `graphics`) are dropped and counted. Parallel edges need `multigraph 1`.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <unordered_map>

#include "smorg/graph/text.h"

#include "../text.h"
#include "graph_file.h"

namespace smorg::importers::detail {

namespace {

constexpr std::size_t kMaxDepth = 64;

struct Token {
    enum Type { key, integer, real, string, open, close, end, bad } type = end;
    std::string_view text;
    std::size_t offset = 0;
};

class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}
    Token next() {
        while (at_ < text_.size()) {
            const char c = text_[at_];
            if (std::isspace(static_cast<unsigned char>(c))) {  // the same blanks that end a token
                ++at_;
            } else if (c == '#') {  // a comment runs to the end of the line
                while (at_ < text_.size() && text_[at_] != '\n') ++at_;
            } else {
                break;
            }
        }
        Token t;
        t.offset = at_;
        if (at_ >= text_.size()) return t;
        const char c = text_[at_];
        const std::size_t start = at_;
        if (c == '[' || c == ']') {
            ++at_;
            t.type = c == '[' ? Token::open : Token::close;
            t.text = text_.substr(start, 1);
            return t;
        }
        if (c == '"') {
            const auto close = text_.find('"', at_ + 1);
            if (close == std::string_view::npos) {
                t.type = Token::bad;
                t.text = "a string that is never closed (a missing '\"')";
                at_ = text_.size();
                return t;
            }
            t.type = Token::string;
            t.text = text_.substr(at_ + 1, close - at_ - 1);
            at_ = close + 1;
            return t;
        }
        while (at_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[at_])) && text_[at_] != '[' &&
               text_[at_] != ']' && text_[at_] != '"')
            ++at_;
        if (at_ == start) {  // no character of a token here: never stand still
            ++at_;
            t.type = Token::bad;
            t.text = "an unexpected character";
            return t;
        }
        t.text = text_.substr(start, at_ - start);
        const auto first = static_cast<unsigned char>(t.text[0]);
        if (std::isalpha(first) || first == '_') {
            t.type = Token::key;
            for (const char k : t.text) {
                if (!std::isalnum(static_cast<unsigned char>(k)) && k != '_') t.type = Token::bad;
            }
            // (INF and NAN, reals in networkx's GML, read as keys: smorg keeps finite numbers only.)
            if (t.type == Token::bad) t.text = "a malformed key";
            return t;
        }
        std::int64_t i = 0;
        if (auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
            ec == std::errc() && p == t.text.data() + t.text.size()) {
            t.type = Token::integer;
        } else if (parse_number(t.text)) {
            t.type = Token::real;
        } else if (std::all_of(t.text.begin() + (t.text[0] == '-' || t.text[0] == '+' ? 1 : 0), t.text.end(),
                               [](char d) { return std::isdigit(static_cast<unsigned char>(d)) != 0; })) {
            t.type = Token::real;  // an integer beyond 64 bits: read as a (rounded) number
        } else {
            t.type = Token::bad;
            t.text = "a value that is neither a number, a \"string\" nor a [list]";
        }
        return t;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
};

// GML strings escape with HTML character references (&quot; &amp; &#233;), as networkx writes them.
std::string unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const auto semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += text[i];
            continue;
        }
        const auto entity = text.substr(i + 1, semi - i - 1);
        std::uint32_t code = 0;
        bool ok = true;
        if (entity == "quot") {
            code = '"';
        } else if (entity == "amp") {
            code = '&';
        } else if (entity == "lt") {
            code = '<';
        } else if (entity == "gt") {
            code = '>';
        } else if (entity == "apos") {
            code = '\'';
        } else if (entity.size() > 1 && entity[0] == '#') {
            const bool hex = entity[1] == 'x' || entity[1] == 'X';
            const auto digits = entity.substr(hex ? 2 : 1);
            auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
            ok = ec == std::errc() && p == digits.data() + digits.size() && !digits.empty() && code > 0 && code <= 0x10FFFF &&
                 (code < 0xD800 || code > 0xDFFF);
        } else {
            ok = false;
        }
        if (!ok) {
            out += text[i];
            continue;
        }
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
        }
        i = semi;
    }
    return out;
}

class GmlReader {
public:
    GmlReader(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run)
        : file_(file), lexer_(text), lines_(text), errors_(errors), run_(run) {}

    GraphFile read() {
        bool seen_graph = false;
        while (true) {
            const auto key = lexer_.next();
            if (key.type == Token::end) break;
            if (!expect_key(key)) return std::move(g_);
            const auto value = lexer_.next();
            if (key.text == "graph" && value.type == Token::open) {
                if (seen_graph) {
                    error(key, "", "a second graph: smorg reads one graph per file");
                    return std::move(g_);
                }
                seen_graph = true;
                if (!graph()) return std::move(g_);
            } else if (!skip_value(value)) {
                return std::move(g_);
            }
        }
        if (!seen_graph) {
            errors_.add(file_, 1, 1, "", "the file has no graph [ ... ]");
            return std::move(g_);
        }
        resolve();
        return std::move(g_);
    }

private:
    struct Raw {  // an element's values before ids are resolved
        Place at;
        std::optional<std::int64_t> id;
        std::optional<std::string> label;
        std::optional<std::int64_t> source, target;
        Place source_at, target_at;
        std::vector<FileValue> values;
    };

    void error(const Token& t, const std::string& field, const std::string& message) {
        const auto at = lines_.at(t.offset);
        errors_.add(file_, at.line, at.column, field, message);
    }
    bool expect_key(const Token& t) {
        if (t.type == Token::key) return true;
        if (t.type == Token::bad) {
            error(t, "", std::string(t.text));
        } else if (t.type == Token::close) {
            error(t, "", "a ']' that closes no list");
        } else {
            error(t, "", "expected a key, got " + shown(t.text));
        }
        return false;
    }
    // Skips one value (a scalar, or a list with all it holds); false after an error.
    bool skip_value(const Token& value, std::size_t depth = 1) {
        if (value.type == Token::integer || value.type == Token::real || value.type == Token::string) return true;
        if (value.type != Token::open) return missing_value(value);
        std::size_t open = 1;
        while (open > 0) {
            const auto t = lexer_.next();
            if (t.type == Token::end) return unclosed(value);
            if (t.type == Token::bad) {
                error(t, "", std::string(t.text));
                return false;
            }
            if (t.type == Token::open && ++open + depth > kMaxDepth) {
                error(t, "", "lists nest deeper than " + std::to_string(kMaxDepth) + " levels");
                return false;
            }
            if (t.type == Token::close) --open;
        }
        return true;
    }
    bool missing_value(const Token& t) {
        if (t.type == Token::bad) {
            error(t, "", std::string(t.text));
        } else if (t.type == Token::end) {
            error(t, "", "the file ends where a value should be (is it truncated?)");
        } else {
            error(t, "", "expected a value, got " + shown(t.text));
        }
        return false;
    }
    bool unclosed(const Token& open) {
        error(open, "", "this list is never closed (a missing ']'; is the file truncated?)");
        return false;
    }
    bool graph() {
        while (true) {
            const auto key = lexer_.next();
            if (key.type == Token::close) return true;
            if (key.type == Token::end) {
                error(key, "", "the graph is never closed (a missing ']'; is the file truncated?)");
                return false;
            }
            if (!expect_key(key)) return false;
            const auto value = lexer_.next();
            if ((key.text == "node" || key.text == "edge") && value.type == Token::open) {
                if (++elements_ % 65536 == 0) run_.throw_if_cancelled();
                Raw raw;
                raw.at = lines_.at(key.offset);
                if (!element(key.text == "node", raw)) return false;
                (key.text == "node" ? nodes_ : edges_).push_back(std::move(raw));
                if (errors_.errors.size() >= errors_.max) return false;
            } else if ((key.text == "directed" || key.text == "multigraph") && value.type != Token::open) {
                if (value.type != Token::integer || (value.text != "0" && value.text != "1")) {
                    error(value, std::string(key.text), std::string(key.text) + " must be 0 or 1, got " + shown(value.text));
                    continue;
                }
                (key.text == "directed" ? directed_ : multigraph_) = value.text == "1";
            } else {
                if (!skip_value(value)) return false;
                g_.drop("graph", key.text);
            }
        }
    }
    bool element(bool node, Raw& raw) {
        const char* what = node ? "node" : "edge";
        while (true) {
            const auto key = lexer_.next();
            if (key.type == Token::close) return true;
            if (key.type == Token::end) {
                error(key, "", std::string("the ") + what + " is never closed (a missing ']'; is the file truncated?)");
                return false;
            }
            if (!expect_key(key)) return false;
            const auto value = lexer_.next();
            if (value.type == Token::open) {
                if (!skip_value(value, 2)) return false;
                g_.drop(what, key.text);  // graphics [ ... ] and other nested lists
                continue;
            }
            if (value.type != Token::integer && value.type != Token::real && value.type != Token::string) {
                return missing_value(value);
            }
            const std::string name(key.text);
            auto integer = [&](std::optional<std::int64_t>& slot, Place* at) {
                std::int64_t v = 0;
                if (value.type != Token::integer ||
                    std::from_chars(value.text.data(), value.text.data() + value.text.size(), v).ec != std::errc()) {
                    error(value, name, name + " must be an integer, got " + shown(value.text));
                    return false;
                }
                if (slot) {
                    error(key, name, "'" + name + "' is given twice");
                    return false;
                }
                slot = v;
                if (at) *at = lines_.at(value.offset);
                return true;
            };
            if (node && name == "id") {
                if (!integer(raw.id, nullptr)) return false;
                continue;
            }
            if (!node && name == "source") {
                if (!integer(raw.source, &raw.source_at)) return false;
                continue;
            }
            if (!node && name == "target") {
                if (!integer(raw.target, &raw.target_at)) return false;
                continue;
            }
            if (!node && name == "key") {  // a multigraph's edge key: smorg's edges are told apart by position
                g_.drop("edge", "key");
                continue;
            }
            FileValue v;
            v.at = lines_.at(key.offset);
            if (value.type == Token::string) {
                v.text = unescape(value.text);
                if (invalid_utf8_at(v.text) != std::string_view::npos || v.text.find('\0') != std::string::npos) {
                    error(value, name, "'" + name + "' holds invalid UTF-8 or a NUL byte");
                    return false;
                }
                if (node && name == "label") {
                    if (raw.label) {
                        error(key, name, "'label' is given twice");
                        return false;
                    }
                    raw.label = v.text;
                    continue;
                }
                if (!v.text.empty()) v.value = v.text;
            } else {
                v.text = std::string(value.text);
                const auto number = parse_number(value.text);
                if (!number) {
                    error(value, name, "'" + name + "' is not a finite number: " + shown(value.text));
                    return false;
                }
                v.value = *number;
                if (node && name == "label") {  // a numeric label names the node as written
                    raw.label = v.text;
                    continue;
                }
            }
            v.name = g_.name(name);
            for (const auto& other : raw.values) {
                if (other.name == v.name) {
                    error(key, name, "'" + name + "' is given twice");
                    return false;
                }
            }
            raw.values.push_back(std::move(v));
        }
    }
    // Names the nodes (labels when they have them) and the edges' ends.
    void resolve() {
        std::size_t labelled = 0;
        for (const auto& n : nodes_) labelled += n.label ? 1u : 0u;
        const bool by_label = labelled > 0;
        std::unordered_map<std::int64_t, std::size_t> by_id;  // id -> node
        std::unordered_map<std::string, std::size_t> names;
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            auto& raw = nodes_[i];
            auto err = [&](const std::string& field, const std::string& message) {
                errors_.add(file_, raw.at.line, raw.at.column, field, message);
            };
            if (!raw.id) {
                err("id", "a node without an id");
                continue;
            }
            if (!by_id.emplace(*raw.id, i).second) {
                err("id", "node id " + std::to_string(*raw.id) + " is given twice (first at line " +
                              std::to_string(nodes_[by_id[*raw.id]].at.line) + ")");
                continue;
            }
            FileNode n;
            n.at = raw.at;
            if (by_label) {
                if (!raw.label) {
                    err("label", "node " + std::to_string(*raw.id) +
                                     " has no label while others do (nodes are named by their labels, as networkx reads GML)");
                    continue;
                }
                n.id = *raw.label;
            } else {
                n.id = std::to_string(*raw.id);
            }
            if (!names.emplace(n.id, i).second) {
                err("label", "label '" + graph::printable(n.id) + "' names two nodes (first at line " +
                                 std::to_string(nodes_[names[n.id]].at.line) + ")");
                continue;
            }
            n.values = std::move(raw.values);
            g_.nodes.push_back(std::move(n));
        }
        std::set<std::tuple<std::int64_t, std::int64_t>> pairs;
        for (auto& raw : edges_) {
            if (errors_.errors.size() >= errors_.max) return;
            auto err = [&](const Place& at, const std::string& field, const std::string& message) {
                errors_.add(file_, at.line, at.column, field, message);
            };
            if (!raw.source || !raw.target) {
                err(raw.at, raw.source ? "target" : "source", "an edge needs a source and a target");
                continue;
            }
            bool ok = true;
            FileEdge e;
            for (auto [end, at, out] :
                 {std::tuple{*raw.source, raw.source_at, &e.source}, std::tuple{*raw.target, raw.target_at, &e.target}}) {
                const auto it = by_id.find(end);
                if (it == by_id.end()) {
                    err(at, out == &e.source ? "source" : "target", "no node has id " + std::to_string(end));
                    ok = false;
                    continue;
                }
                const auto& n = nodes_[it->second];
                *out = by_label ? n.label.value_or("") : std::to_string(end);
            }
            if (!ok) continue;
            if (!multigraph_) {
                const auto key = directed_ ? std::tuple{*raw.source, *raw.target}
                                           : std::tuple{std::min(*raw.source, *raw.target), std::max(*raw.source, *raw.target)};
                if (!pairs.insert(key).second) {
                    err(raw.at, "",
                        "a second edge between " + std::to_string(*raw.source) + " and " + std::to_string(*raw.target) +
                            ": parallel edges need 'multigraph 1' in the graph");
                    continue;
                }
            }
            e.at = raw.at;
            e.directed = directed_;
            e.values = std::move(raw.values);
            g_.edges.push_back(std::move(e));
        }
    }

    const std::string& file_;
    Lexer lexer_;
    LineIndex lines_;
    LocalErrors& errors_;
    graph::RunContext& run_;
    GraphFile g_;
    std::vector<Raw> nodes_, edges_;
    bool directed_ = false;  // GML's default
    bool multigraph_ = false;
    std::size_t elements_ = 0;
};

}  // namespace

GraphFile read_gml(const std::string& file, const std::string& text, LocalErrors& errors, graph::RunContext& run) {
    return GmlReader(file, text, errors, run).read();
}

}  // namespace smorg::importers::detail
