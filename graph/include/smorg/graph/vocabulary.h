#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smorg/graph/types.h"

namespace smorg::graph {

// An open vocabulary of interned names (node kinds, edge kinds): at most 254 entries, ids in
// insertion order. Small enough that lookups are a linear scan over a few short strings.
class Vocabulary {
public:
    static constexpr std::size_t kMaxSize = kNoKind;

    // Returns the id of `name`, adding it when new. Throws std::length_error past kMaxSize.
    KindId intern(std::string_view name);
    std::optional<KindId> find(std::string_view name) const noexcept;
    std::string_view name(KindId id) const { return names_.at(id); }
    std::size_t size() const noexcept { return names_.size(); }
    const std::vector<std::string>& names() const noexcept { return names_; }
    // "a, b, c": for error messages that list what exists.
    std::string joined() const;

    friend bool operator==(const Vocabulary&, const Vocabulary&) = default;

private:
    std::vector<std::string> names_;
};

// Throws NotFound at "<field>/<i>" for the first of `names` that `vocab` does not hold:
// "unknown edge kind 'refferal' (did you mean 'referral'?); this database has: ...". `what` names
// the vocabulary ("node kind", "edge kind").
void validate_kinds(const std::vector<std::string>& names, const Vocabulary& vocab, std::string_view field,
                    std::string_view what);

}  // namespace smorg::graph
