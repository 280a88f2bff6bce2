// Query goldens: tests/queries/cases/<name>.json holds {"request", "response"} (or an array of such
// pairs); each case runs against a fresh in-memory database holding tests/data/tiny. `took_ms` is
// ignored and numbers compare within 1e-9 relative. "$DATA/" in a request is the fixtures folder.
// SMORG_UPDATE_GOLDEN=1 rewrites the expected responses (review the diff by hand before committing).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"

#include "smorg_test_paths.h"
#include "tiny_support.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kCases = fs::path(SMORG_TEST_SOURCE_DIR) / "tests" / "queries" / "cases";
const std::string kData = (fs::path(SMORG_TEST_SOURCE_DIR) / "tests" / "data").string();

json substitute(const json& value) {
    if (value.is_string()) {
        auto text = value.get<std::string>();
        if (text.rfind("$DATA/", 0) == 0) text = kData + text.substr(5);
        return text;
    }
    if (value.is_structured()) {
        json out = value;
        for (auto& [key, item] : out.items()) item = substitute(item);
        return out;
    }
    return value;
}

// Paths of this checkout in answers read back as "$DATA/...", so goldens hold no machine paths.
void unsubstitute(json& value) {
    if (value.is_string()) {
        auto text = value.get<std::string>();
        for (std::size_t at; (at = text.find(kData)) != std::string::npos;) text.replace(at, kData.size(), "$DATA");
        value = text;
    } else if (value.is_structured()) {
        for (auto& [key, item] : value.items()) unsubstitute(item);
    }
}

void strip_volatile(json& value) {
    if (value.is_object()) {
        value.erase("took_ms");
        value.erase("seconds");
        value.erase("phases");
        value.erase("started_at");
        if (value.contains("store") && value["store"].is_object()) {
            value["store"].erase("path");
            value["store"].erase("file_bytes");
            value["store"].erase("snapshot_bytes");
        }
        value.erase("bytes");
    }
    if (value.is_structured()) {
        for (auto& [key, item] : value.items()) strip_volatile(item);
    }
}

void same(const json& actual, const json& expected, const std::string& at) {
    INFO("at " << (at.empty() ? "/" : at));
    if (expected.is_number() && actual.is_number()) {
        const double a = actual.get<double>(), e = expected.get<double>();
        CHECK(std::abs(a - e) <= 1e-9 * std::max(1.0, std::abs(e)));
        return;
    }
    REQUIRE(actual.type() == expected.type());
    if (expected.is_object()) {
        for (const auto& [key, item] : expected.items()) {
            INFO("missing key " << key);
            REQUIRE(actual.contains(key));
            same(actual[key], item, at + "/" + key);
        }
        for (const auto& [key, item] : actual.items()) {
            INFO("unexpected key " << key);
            CHECK(expected.contains(key));
        }
    } else if (expected.is_array()) {
        REQUIRE(actual.size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) same(actual[i], expected[i], at + "/" + std::to_string(i));
    } else {
        CHECK(actual == expected);
    }
}

}  // namespace

TEST_CASE("query goldens answer as recorded", "[queries][golden]") {
    const bool update = std::getenv("SMORG_UPDATE_GOLDEN") != nullptr;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kCases)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    REQUIRE(!files.empty());
    for (const auto& file : files) {
        DYNAMIC_SECTION(file.filename().string()) {
            std::ifstream in(file);
            json cases = json::parse(in);
            const bool single = cases.is_object();
            if (single) cases = json::array({cases});
            auto engine = smorg::testing::tiny_engine();
            for (auto& c : cases) {
                auto actual = engine.execute(substitute(c.at("request")));
                strip_volatile(actual);
                unsubstitute(actual);
                if (update) {
                    c["response"] = actual;
                } else {
                    INFO("request: " << c.at("request").dump());
                    same(actual, c.at("response"), "");
                }
            }
            if (update) std::ofstream(file) << (single ? cases[0] : cases).dump(2) << '\n';
        }
    }
}
