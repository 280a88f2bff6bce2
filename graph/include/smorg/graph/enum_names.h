#pragma once

// Enumerators are spelled exactly like their JSON strings, so one table both renders and parses
// them. Specialize EnumNames<E> with `static constexpr std::array<std::string_view, N> names`, in
// enumerator order (enumerators must run 0, 1, ... N-1).

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "smorg/graph/types.h"

namespace smorg::graph {

template <class E>
struct EnumNames;

template <class E>
std::string_view name_of(E value) {
    return EnumNames<E>::names[static_cast<std::size_t>(value)];
}

template <class E>
std::optional<E> parse_enum(std::string_view text) {
    const auto& names = EnumNames<E>::names;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == text) return static_cast<E>(i);
    }
    return std::nullopt;
}

// "a, b or c": for error messages.
template <class E>
std::string allowed_names() {
    const auto& names = EnumNames<E>::names;
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += (i + 1 == names.size()) ? " or " : ", ";
        out += '"';
        out += names[i];
        out += '"';
    }
    return out;
}

template <>
struct EnumNames<Provenance> {
    static constexpr std::array<std::string_view, 5> names{"owned", "copied", "borrowed", "displayed", "derived"};
};

}  // namespace smorg::graph
