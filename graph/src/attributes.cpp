#include "smorg/graph/attributes.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "smorg/graph/errors.h"

namespace smorg::graph {

std::string_view to_string(AttributeType type) noexcept {
    switch (type) {
        case AttributeType::string:
            return "string";
        case AttributeType::number:
            return "number";
        case AttributeType::boolean:
            return "boolean";
    }
    return "string";
}

namespace {
constexpr std::uint8_t kBoolUnset = 2;
constexpr double kUnset = std::numeric_limits<double>::quiet_NaN();
}  // namespace

bool AttributeColumn::has(NodeIndex node) const noexcept {
    switch (type_) {
        case AttributeType::string:
            return code(node) != 0;
        case AttributeType::number:
            return node < numbers_.size() && !std::isnan(numbers_[node]);
        case AttributeType::boolean:
            return node < booleans_.size() && booleans_[node] != kBoolUnset;
    }
    return false;
}

std::optional<double> AttributeColumn::number(NodeIndex node) const noexcept {
    if (type_ != AttributeType::number || !has(node)) return std::nullopt;
    return numbers_[node];
}

std::optional<bool> AttributeColumn::boolean(NodeIndex node) const noexcept {
    if (type_ != AttributeType::boolean || !has(node)) return std::nullopt;
    return booleans_[node] == 1;
}

std::string_view AttributeColumn::string(NodeIndex node) const noexcept {
    if (type_ != AttributeType::string) return {};
    return dictionary_[code(node)];
}

AttributeValue AttributeColumn::value(NodeIndex node) const {
    if (!has(node)) return std::monostate{};
    switch (type_) {
        case AttributeType::string:
            return std::string(string(node));
        case AttributeType::number:
            return numbers_[node];
        case AttributeType::boolean:
            return booleans_[node] == 1;
    }
    return std::monostate{};
}

void AttributeColumn::resize(NodeIndex nodes) {
    switch (type_) {
        case AttributeType::string:
            codes_.resize(nodes, 0);
            break;
        case AttributeType::number:
            numbers_.resize(nodes, kUnset);
            break;
        case AttributeType::boolean:
            booleans_.resize(nodes, kBoolUnset);
            break;
    }
}

std::uint32_t AttributeColumn::code_for(const std::string& text) {
    if (lookup_.size() + 1 != dictionary_.size()) {
        lookup_.clear();
        for (std::uint32_t c = 1; c < dictionary_.size(); ++c) lookup_.emplace(dictionary_[c], c);
    }
    auto [it, added] = lookup_.emplace(text, static_cast<std::uint32_t>(dictionary_.size()));
    if (added) dictionary_.push_back(text);
    return it->second;
}

void AttributeColumn::set(NodeIndex node, const AttributeValue& value) {
    if (node >= std::max({codes_.size(), numbers_.size(), booleans_.size()})) resize(node + 1);
    if (std::holds_alternative<std::monostate>(value)) {
        switch (type_) {
            case AttributeType::string:
                codes_[node] = 0;
                break;
            case AttributeType::number:
                numbers_[node] = kUnset;
                break;
            case AttributeType::boolean:
                booleans_[node] = kBoolUnset;
                break;
        }
        return;
    }
    switch (type_) {
        case AttributeType::string:
            if (const auto* s = std::get_if<std::string>(&value)) {
                codes_[node] = s->empty() ? 0 : code_for(*s);
                return;
            }
            break;
        case AttributeType::number:
            if (const auto* d = std::get_if<double>(&value)) {
                numbers_[node] = *d;
                return;
            }
            break;
        case AttributeType::boolean:
            if (const auto* b = std::get_if<bool>(&value)) {
                booleans_[node] = *b ? 1 : 0;
                return;
            }
            break;
    }
    throw ParamError(name_, "attribute '" + name_ + "' holds " + std::string(to_string(type_)) + " values");
}

void AttributeColumn::compact_dictionary() {
    if (type_ != AttributeType::string) return;
    std::vector<std::uint32_t> remap(dictionary_.size(), 0);
    for (auto c : codes_) remap[c] = 1;
    std::vector<std::string> kept{""};
    for (std::uint32_t c = 1; c < dictionary_.size(); ++c) {
        if (remap[c]) {
            remap[c] = static_cast<std::uint32_t>(kept.size());
            kept.push_back(std::move(dictionary_[c]));
        }
    }
    remap[0] = 0;
    for (auto& c : codes_) c = remap[c];
    dictionary_ = std::move(kept);
    lookup_.clear();
}

std::size_t AttributeColumn::memory_bytes() const noexcept {
    std::size_t bytes = codes_.capacity() * sizeof(std::uint32_t) + numbers_.capacity() * sizeof(double) + booleans_.capacity();
    for (const auto& s : dictionary_) bytes += sizeof(std::string) + (s.size() > 15 ? s.capacity() : 0);
    return bytes;
}

const AttributeColumn* AttributeTable::find(std::string_view name) const noexcept {
    for (const auto& c : columns_) {
        if (c.name() == name) return &c;
    }
    return nullptr;
}

AttributeColumn* AttributeTable::find(std::string_view name) noexcept {
    for (auto& c : columns_) {
        if (c.name() == name) return &c;
    }
    return nullptr;
}

std::optional<AttributeType> AttributeTable::reserved_type(std::string_view name) noexcept {
    if (name == attributes::name || name == attributes::department) return AttributeType::string;
    if (name == attributes::clv) return AttributeType::number;
    return std::nullopt;
}

AttributeColumn& AttributeTable::column(std::string_view name, AttributeType type, NodeIndex nodes) {
    if (auto* c = find(name)) {
        if (c->type() != type) {
            throw ParamError(std::string(name), "attribute '" + std::string(name) + "' holds " +
                                                    std::string(to_string(c->type())) + " values, not " +
                                                    std::string(to_string(type)));
        }
        return *c;
    }
    if (auto reserved = reserved_type(name); reserved && *reserved != type) {
        throw ParamError(std::string(name),
                         "attribute '" + std::string(name) + "' must hold " + std::string(to_string(*reserved)) + " values");
    }
    auto& c = columns_.emplace_back(std::string(name), type);
    c.resize(nodes);
    return c;
}

}  // namespace smorg::graph
