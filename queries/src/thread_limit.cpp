#include <optional>

#include <tbb/global_control.h>

#include "smorg/queries/query_engine.h"

namespace smorg::queries {

struct ThreadLimit::Impl {
    std::optional<tbb::global_control> control;
};

ThreadLimit::ThreadLimit(int threads) : impl_(std::make_unique<Impl>()) {
    if (threads > 0) {
        impl_->control.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
    }
}

ThreadLimit::~ThreadLimit() = default;

}  // namespace smorg::queries
