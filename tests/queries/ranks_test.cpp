// The distributed forms (docs/scale.md) inside one process: P threads, each a rank with its own
// engine over the same database, joined by graph::Ranks collectives over shared memory. The same
// algorithms and the same messages as smorg-mpi's, with no MPI, so that the sanitizer builds run the
// partitioned and sampled code paths too (tests/mpi runs them under mpirun).
#include <barrier>
#include <cmath>
#include <cstring>
#include <thread>

#include <catch2/catch.hpp>

#include "smorg/queries/query_engine.h"
#include "smorg/queries/sample.h"

#include "support/fixtures.h"

using nlohmann::json;
using smorg::queries::EngineOptions;
using smorg::queries::QueryEngine;

namespace {

// The collectives of P ranks that are threads of this process: each rank posts what it gives,
// all meet at a barrier, each takes what it is owed, and all meet again before anyone posts anew.
class Hub {
public:
    explicit Hub(int ranks) : ranks_(ranks), barrier_(ranks), posted_(static_cast<std::size_t>(ranks)) {}
    int ranks() const { return ranks_; }

    struct Post {
        const std::byte* data = nullptr;
        std::size_t size = 0;
        std::vector<std::uint64_t> counts;  // exchange: bytes for each rank
    };
    // Posts, waits for every rank's post, calls take(posts), waits until every rank has taken.
    template <class Take>
    void meet(int rank, Post post, Take&& take) {
        posted_[static_cast<std::size_t>(rank)] = std::move(post);
        barrier_.arrive_and_wait();
        take(posted_);
        barrier_.arrive_and_wait();
    }

private:
    int ranks_;
    std::barrier<> barrier_;
    std::vector<Post> posted_;
};

class ThreadRanks final : public smorg::graph::Ranks {
public:
    ThreadRanks(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
    int rank() const noexcept override { return rank_; }
    int size() const noexcept override { return hub_.ranks(); }

    void sum(std::span<std::uint64_t> values) override {
        std::vector<std::uint64_t> total(values.size(), 0);
        hub_.meet(rank_, {reinterpret_cast<const std::byte*>(values.data()), values.size_bytes(), {}}, [&](const auto& posts) {
            for (const auto& p : posts) {
                const auto* v = reinterpret_cast<const std::uint64_t*>(p.data);
                for (std::size_t i = 0; i < total.size(); ++i) total[i] += v[i];
            }
        });
        std::copy(total.begin(), total.end(), values.begin());
    }
    std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<std::uint64_t>& counts) override {
        std::vector<std::byte> all;
        counts.clear();
        hub_.meet(rank_, {mine.data(), mine.size(), {}}, [&](const auto& posts) {
            for (const auto& p : posts) {
                all.insert(all.end(), p.data, p.data + p.size);
                counts.push_back(p.size);
            }
        });
        return all;
    }
    std::vector<std::byte> exchange(std::span<const std::byte> send, std::span<const std::uint64_t> send_counts,
                                    std::vector<std::uint64_t>& recv_counts) override {
        ++traffic.exchanges;
        for (int r = 0; r < size(); ++r) {
            if (r != rank_) traffic.exchange_bytes += send_counts[static_cast<std::size_t>(r)];
        }
        std::vector<std::byte> in;
        recv_counts.clear();
        hub_.meet(rank_, {send.data(), send.size(), {send_counts.begin(), send_counts.end()}}, [&](const auto& posts) {
            for (const auto& p : posts) {
                std::uint64_t at = 0;
                for (int r = 0; r < rank_; ++r) at += p.counts[static_cast<std::size_t>(r)];
                const auto count = p.counts[static_cast<std::size_t>(rank_)];
                in.insert(in.end(), p.data + at, p.data + at + count);
                recv_counts.push_back(count);
            }
        });
        return in;
    }
    void broadcast(std::string& text, int root) override {
        std::string copy;
        hub_.meet(rank_, {reinterpret_cast<const std::byte*>(text.data()), text.size(), {}}, [&](const auto& posts) {
            const auto& p = posts[static_cast<std::size_t>(root)];
            copy.assign(reinterpret_cast<const char*>(p.data), p.size);
        });
        text = std::move(copy);
    }

private:
    Hub& hub_;
    int rank_;
};

struct Org {
    smorg::testing::TempDir dir;
    std::string db;
};

const Org& org() {
    static const auto made = [] {
        auto o = std::make_unique<Org>();
        const auto files = smorg::queries::generate_sample_org(o->dir / "org", {});
        o->db = (o->dir / "org.db").string();
        EngineOptions options;
        options.create = true;
        QueryEngine engine(o->db, options);
        const auto answer =
            engine.execute({{"op", "import"}, {"nodes", files.nodes_file.string()}, {"edges", files.edges_file.string()}});
        REQUIRE(smorg::queries::response_ok(answer));
        return o;
    }();
    return *made;
}

// Every rank's answer to `request`, rank by rank.
std::vector<json> over_ranks(int ranks, const json& request) {
    Hub hub(ranks);
    std::vector<json> answers(static_cast<std::size_t>(ranks));
    std::vector<std::thread> threads;
    for (int r = 0; r < ranks; ++r) {
        threads.emplace_back([&, r] {
            ThreadRanks mine(hub, r);
            EngineOptions options;
            options.ranks = &mine;
            QueryEngine engine(org().db, options);
            answers[static_cast<std::size_t>(r)] = engine.execute(request);
        });
    }
    for (auto& t : threads) t.join();
    return answers;
}

json without_run(json answer) {
    answer.erase("took_ms");
    answer.erase("took");
    answer.erase("ranks");
    return answer;
}

// Rows by id, scores within `tolerance` relative; everything else equal.
void check_rows_close(const json& expected, const json& got, double tolerance) {
    std::map<std::string, double> scores;
    for (const auto& row : expected["result"]["rows"]) scores[row["id"].get<std::string>()] = row["score"].get<double>();
    REQUIRE(got["result"]["rows"].size() == scores.size());
    for (const auto& row : got["result"]["rows"]) {
        const double want = scores.at(row["id"].get<std::string>());
        const double have = row["score"].get<double>();
        CHECK(std::abs(have - want) <= tolerance * std::max(std::abs(want), std::abs(have)));
    }
}

}  // namespace

TEST_CASE("ranks run concurrently in one process: the same answers as one engine, and ghost-sized supersteps", "[ranks]") {
    QueryEngine alone(org().db);
    struct Case {
        json request;
        double tolerance;  // 0: exactly the same answer
    };
    const std::vector<Case> cases{
        {{{"op", "centrality"}, {"algorithm", "pagerank"}, {"top", 0}}, 1e-12},
        {{{"op", "centrality"}, {"algorithm", "degree"}, {"top", 0}}, 0},
        {{{"op", "centrality"}, {"algorithm", "betweenness"}, {"top", 0}}, 1e-12},
        {{{"op", "centrality"}, {"algorithm", "betweenness"}, {"pivots", 200}, {"seed", 4}, {"top", 0}}, 1e-12},
        {{{"op", "components"}, {"top", 0}}, 0},
        {{{"op", "communities"}, {"algorithm", "label_propagation"}, {"seed", 3}, {"top", 0}}, 0},
        {{{"op", "spread"}, {"seeds", {"c000001", "i0001"}}, {"simulations", 2500}, {"seed", 9}}, 0},
        {{{"op", "seeds"}, {"k", 4}, {"epsilon", 0.3}, {"seed", 2}}, 0},
    };
    for (const auto& c : cases) {
        const auto expected = without_run(alone.execute(c.request));
        REQUIRE(expected["ok"] == true);
        for (int ranks : {2, 3}) {
            INFO(c.request.dump() << " at " << ranks << " ranks");
            const auto answers = over_ranks(ranks, c.request);
            for (const auto& a : answers) {
                INFO(a.dump().substr(0, 1500));
                REQUIRE(a["ok"] == true);
                CHECK(a["ranks"] == ranks);
                // Every rank has the whole answer, bit for bit the same.
                CHECK(without_run(a) == without_run(answers[0]));
            }
            if (c.tolerance == 0) {
                CHECK(without_run(answers[0]) == expected);
            } else {
                check_rows_close(expected, answers[0], c.tolerance);
            }
            if (c.request["op"] == "centrality" && c.request["algorithm"] == "pagerank") {
                const auto& took = answers[0]["took"];
                CHECK(took["supersteps"] == answers[0]["result"]["iterations"]);
                CHECK(took["ghosts"].get<std::uint64_t>() > 0);
                CHECK(took["bytes_per_superstep"] == 8 * took["ghosts"].get<std::uint64_t>());
                CHECK(took["exchanged_bytes"] ==
                      took["bytes_per_superstep"].get<std::uint64_t>() * took["supersteps"].get<std::uint64_t>());
            }
        }
    }
}

TEST_CASE("over ranks in one process: forms with no distributed form are refused at their field", "[ranks]") {
    for (const auto& [request, at] : std::vector<std::pair<json, std::string>>{
             {{{"op", "stats"}}, "/op"},
             {{{"op", "communities"}, {"algorithm", "louvain"}}, "/algorithm"},
             {{{"op", "centrality"}, {"algorithm", "katz"}}, "/algorithm"},
             {{{"op", "components"}, {"connectivity", "strong"}}, "/connectivity"},
             {{{"op", "centrality"}, {"algorithm", "degree"}, {"write", {{"attribute", "d"}}}}, "/write"},
         }) {
        for (const auto& a : over_ranks(2, request)) {
            INFO(a.dump());
            CHECK(a["ok"] == false);
            CHECK(a["error"]["at"] == at);
        }
    }
}
