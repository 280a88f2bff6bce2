#include "smorg/graph/vocabulary.h"

#include <stdexcept>

#include "smorg/graph/errors.h"
#include "smorg/graph/text.h"

namespace smorg::graph {

KindId Vocabulary::intern(std::string_view name) {
    if (auto id = find(name)) return *id;
    if (names_.size() >= kMaxSize) {
        throw std::length_error("too many kinds: at most " + std::to_string(kMaxSize) + " distinct kinds, cannot add '" +
                                std::string(name) + "'");
    }
    names_.emplace_back(name);
    return static_cast<KindId>(names_.size() - 1);
}

std::optional<KindId> Vocabulary::find(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == name) return static_cast<KindId>(i);
    }
    return std::nullopt;
}

std::string Vocabulary::joined() const {
    std::string out;
    for (const auto& n : names_) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out.empty() ? std::string("none") : out;
}

void validate_kinds(const std::vector<std::string>& names, const Vocabulary& vocab, std::string_view field,
                    std::string_view what) {
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (vocab.find(names[i])) continue;
        const auto closest = closest_word(names[i], vocab.names());
        throw NotFound(std::string(field) + "/" + std::to_string(i),
                       "unknown " + std::string(what) + " '" + names[i] + "'" +
                           (closest.empty() ? "" : " (did you mean '" + closest + "'?)") +
                           "; this database has: " + vocab.joined());
    }
}

}  // namespace smorg::graph
