#pragma once

// Boost.Graph adaptor: a Subgraph models VertexListGraph, IncidenceGraph and AdjacencyGraph, with
// an identity vertex_index map and an edge_weight map, so BGL algorithms run on it directly:
//
//     const auto view = graph::Subgraph::of(snapshot, spec);
//     boost::dijkstra_shortest_paths(view, source,
//         boost::weight_map(graph::length_map(view)).distance_map(...).vertex_index_map(
//             get(boost::vertex_index, view)));
//
// Arcs are directed; an undirected view lists each tie from both ends.

#include <cstdint>
#include <utility>

#include <boost/graph/graph_traits.hpp>
#include <boost/graph/properties.hpp>
#include <boost/iterator/counting_iterator.hpp>
#include <boost/iterator/iterator_facade.hpp>
#include <boost/property_map/property_map.hpp>

#include "smorg/graph/subgraph.h"

namespace smorg::graph {

// A BGL edge descriptor: the arc's source and its out-arc number in the view.
struct SubgraphArc {
    NodeIndex source = kNoNode;
    std::uint64_t index = 0;
    friend bool operator==(const SubgraphArc&, const SubgraphArc&) = default;
};

class SubgraphOutArcIterator : public boost::iterator_facade<SubgraphOutArcIterator, SubgraphArc, std::random_access_iterator_tag,
                                                             SubgraphArc, std::ptrdiff_t> {
public:
    SubgraphOutArcIterator() = default;
    SubgraphOutArcIterator(NodeIndex source, std::uint64_t index) : arc_{source, index} {}

private:
    friend class boost::iterator_core_access;
    SubgraphArc dereference() const { return arc_; }
    bool equal(const SubgraphOutArcIterator& other) const { return arc_.index == other.arc_.index; }
    void increment() { ++arc_.index; }
    void decrement() { --arc_.index; }
    void advance(std::ptrdiff_t n) { arc_.index = static_cast<std::uint64_t>(static_cast<std::int64_t>(arc_.index) + n); }
    std::ptrdiff_t distance_to(const SubgraphOutArcIterator& other) const {
        return static_cast<std::ptrdiff_t>(other.arc_.index) - static_cast<std::ptrdiff_t>(arc_.index);
    }
    SubgraphArc arc_;
};

// Readable property map: the weight (tie strength) of an arc.
struct SubgraphWeightMap {
    using key_type = SubgraphArc;
    using value_type = double;
    using reference = double;
    using category = boost::readable_property_map_tag;
    const Subgraph* view = nullptr;
};
inline double get(const SubgraphWeightMap& m, const SubgraphArc& a) { return m.view->arc_weight(a.index); }

// Readable property map: the length of an arc for shortest paths, 1 / weight (weight is tie
// strength), or the weight itself when `weight_is_length`.
struct SubgraphLengthMap {
    using key_type = SubgraphArc;
    using value_type = double;
    using reference = double;
    using category = boost::readable_property_map_tag;
    const Subgraph* view = nullptr;
    bool weight_is_length = false;
};
inline double get(const SubgraphLengthMap& m, const SubgraphArc& a) {
    const double w = m.view->arc_weight(a.index);
    return m.weight_is_length ? w : 1.0 / w;
}

inline SubgraphWeightMap weight_map(const Subgraph& view) { return {&view}; }
inline SubgraphLengthMap length_map(const Subgraph& view, bool weight_is_length = false) { return {&view, weight_is_length}; }

// BGL free functions, found by argument-dependent lookup.
inline std::pair<boost::counting_iterator<NodeIndex>, boost::counting_iterator<NodeIndex>> vertices(const Subgraph& g) {
    return {boost::counting_iterator<NodeIndex>(0), boost::counting_iterator<NodeIndex>(g.node_count())};
}
inline NodeIndex num_vertices(const Subgraph& g) { return g.node_count(); }
inline std::pair<SubgraphOutArcIterator, SubgraphOutArcIterator> out_edges(NodeIndex u, const Subgraph& g) {
    const auto first = g.out_offset(u);
    return {SubgraphOutArcIterator(u, first), SubgraphOutArcIterator(u, first + g.out_degree(u))};
}
inline std::uint64_t out_degree(NodeIndex u, const Subgraph& g) { return g.out_degree(u); }
inline NodeIndex source(const SubgraphArc& a, const Subgraph&) { return a.source; }
inline NodeIndex target(const SubgraphArc& a, const Subgraph& g) { return g.arc_target(a.index); }
inline std::pair<const NodeIndex*, const NodeIndex*> adjacent_vertices(NodeIndex u, const Subgraph& g) {
    const auto span = g.out_neighbors(u);
    return {span.data(), span.data() + span.size()};
}

}  // namespace smorg::graph

namespace boost {

template <>
struct graph_traits<smorg::graph::Subgraph> {
    struct traversal_category : incidence_graph_tag, adjacency_graph_tag, vertex_list_graph_tag {};
    using vertex_descriptor = smorg::graph::NodeIndex;
    using edge_descriptor = smorg::graph::SubgraphArc;
    using directed_category = directed_tag;
    using edge_parallel_category = disallow_parallel_edge_tag;
    using vertex_iterator = counting_iterator<smorg::graph::NodeIndex>;
    using out_edge_iterator = smorg::graph::SubgraphOutArcIterator;
    using adjacency_iterator = const smorg::graph::NodeIndex*;
    using vertices_size_type = smorg::graph::NodeIndex;
    using degree_size_type = std::uint64_t;
    using edges_size_type = std::uint64_t;
    using in_edge_iterator = void;
    using edge_iterator = void;
    static vertex_descriptor null_vertex() { return smorg::graph::kNoNode; }
};

template <>
struct property_map<smorg::graph::Subgraph, vertex_index_t> {
    using type = typed_identity_property_map<smorg::graph::NodeIndex>;
    using const_type = type;
};
template <>
struct property_map<smorg::graph::Subgraph, edge_weight_t> {
    using type = smorg::graph::SubgraphWeightMap;
    using const_type = type;
};

}  // namespace boost

namespace smorg::graph {
inline boost::typed_identity_property_map<NodeIndex> get(boost::vertex_index_t, const Subgraph&) { return {}; }
inline SubgraphWeightMap get(boost::edge_weight_t, const Subgraph& g) { return {&g}; }
}  // namespace smorg::graph
