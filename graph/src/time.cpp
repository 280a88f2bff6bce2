#include "smorg/graph/time.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace smorg::graph {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at text[pos].
bool digits(std::string_view text, std::size_t pos, std::size_t width, unsigned& out) noexcept {
    if (pos + width > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + static_cast<unsigned>(text[i] - '0');
    }
    return true;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    // Plain integer seconds.
    {
        Timestamp value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size()) {
            if (value == kNoTimestamp) return std::nullopt;
            return value;
        }
    }
    unsigned year = 0, month = 0, day = 0;
    if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, month) || text[7] != '-' ||
        !digits(text, 8, 2, day)) {
        return std::nullopt;
    }
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
    std::int64_t seconds = days_from_civil(year, month, day) * 86400;
    std::size_t pos = 10;
    if (pos == text.size()) return seconds;
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    unsigned hour = 0, minute = 0, second = 0;
    if (!digits(text, pos + 1, 2, hour) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(text, pos + 4, 2, minute)) {
        return std::nullopt;
    }
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
        if (!digits(text, pos + 1, 2, second)) return std::nullopt;
        pos += 3;
        if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
            ++pos;
            const std::size_t start = pos;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
            if (pos == start) return std::nullopt;
        }
    }
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    seconds += hour * 3600 + minute * 60 + second;
    if (pos == text.size()) return seconds;
    if ((text[pos] == 'Z' || text[pos] == 'z') && pos + 1 == text.size()) return seconds;
    if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '+' ? 1 : -1;
        unsigned oh = 0, om = 0;
        if (!digits(text, pos + 1, 2, oh)) return std::nullopt;
        std::size_t after = pos + 3;
        if (after < text.size() && text[after] == ':') ++after;
        if (!digits(text, after, 2, om) || after + 2 != text.size() || oh > 23 || om > 59) return std::nullopt;
        return seconds - sign * static_cast<std::int64_t>(oh * 3600 + om * 60);
    }
    return std::nullopt;
}

namespace {

struct Civil {
    std::int64_t year;
    unsigned month, day;
    std::int64_t seconds;  // of the day
};

// The UTC date and time of day of `t` (Hinnant's civil_from_days).
Civil civil_of(Timestamp t) noexcept {
    std::int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    const std::int64_t rem = t - days * 86400;
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    return {y, m, d, rem};
}

}  // namespace

std::string format_timestamp(Timestamp t) {
    const auto c = civil_of(t);
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year), c.month, c.day,
                  static_cast<long long>(c.seconds / 3600), static_cast<long long>(c.seconds % 3600 / 60),
                  static_cast<long long>(c.seconds % 60));
    return buffer;
}

std::optional<TimeStep> parse_time_step(std::string_view text) noexcept {
    std::int64_t count = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc() || end == text.data() || count <= 0 || count > TimeStep::kMaxCount) return std::nullopt;
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    using U = TimeStep::Unit;
    static constexpr std::pair<std::string_view, U> kUnits[] = {
        {"h", U::hour}, {"d", U::day}, {"w", U::week}, {"mo", U::month}, {"y", U::year}};
    for (const auto& [name, u] : kUnits) {
        if (unit == name) return TimeStep{count, u};
    }
    return std::nullopt;
}

Timestamp advance(Timestamp t, const TimeStep& step, std::int64_t times) noexcept {
    const std::int64_t n = step.count * times;
    switch (step.unit) {
        case TimeStep::Unit::hour:
            return t + n * 3600;
        case TimeStep::Unit::day:
            return t + n * 86400;
        case TimeStep::Unit::week:
            return t + n * 7 * 86400;
        case TimeStep::Unit::month:
        case TimeStep::Unit::year: {
            const auto c = civil_of(t);
            const std::int64_t months = step.unit == TimeStep::Unit::year ? 12 * n : n;
            const std::int64_t index = c.year * 12 + (c.month - 1) + months;
            const std::int64_t year = index >= 0 ? index / 12 : -((-index + 11) / 12);
            const auto month = static_cast<unsigned>(index - year * 12 + 1);
            const unsigned day = std::min(c.day, days_in_month(year, month));
            return days_from_civil(year, month, day) * 86400 + c.seconds;
        }
    }
    return t;
}

}  // namespace smorg::graph
