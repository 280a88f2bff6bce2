// GraphML, GEXF, GML and Pajek: each feature from a small hand-written file (typed attributes,
// directed and undirected edges, parallel edges, self-loops, kinds from attributes), and each
// malformed case refused whole with its place. The round trips against networkx's and igraph's files
// are in tests/formats/check_graph_formats.py.
#include <catch2/catch.hpp>

#include "smorg/graph/errors.h"

#include "import_support.h"
#include "support/fixtures.h"

using namespace smorg;
using importers::ImportError;
using importers::ImportSpec;

namespace {

struct Fixture {
    testing::TempDir dir;
    std::unique_ptr<importers::Database> db = importers::Database::open((dir / "t.db").string());

    importers::ImportReport load(const std::string& name, const std::string& text, ImportSpec spec = {}) {
        spec.edges = {dir.write(name, text).string()};
        return db->import(spec);
    }
    importers::ImportFailed refused(const std::string& name, const std::string& text, ImportSpec spec = {}) {
        spec.edges = {dir.write(name, text).string()};
        auto failed = testing::failed_import(*db, spec);
        CHECK(db->snapshot()->node_count() == 0);  // nothing of the batch landed
        return failed;
    }
    graph::NodeIndex node(std::string_view id) const {
        const auto n = db->snapshot()->find(id);
        REQUIRE(n);
        return *n;
    }
    graph::AttributeValue value(std::string_view id, std::string_view attribute) const {
        const auto* column = db->snapshot()->attributes().find(attribute);
        REQUIRE(column);
        return column->value(node(id));
    }
    std::string kind(std::string_view id) const {
        const auto s = db->snapshot();
        return std::string(s->node_kinds().name(s->node_kind(node(id))));
    }
    // (source, target, kind, weight) of every stored edge, sorted.
    std::vector<std::tuple<std::string, std::string, std::string, double>> edges() const {
        const auto s = db->snapshot();
        std::vector<std::tuple<std::string, std::string, std::string, double>> out;
        for (graph::NodeIndex u = 0; u < s->node_count(); ++u) {
            for (auto e = s->out_begin(u); e < s->out_end(u); ++e) {
                out.emplace_back(s->id(u), s->id(s->target(e)), s->edge_kinds().name(s->edge_kind(e)), s->weight(e));
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }
};

void check_error(const ImportError& e, std::size_t line, std::size_t column, const std::string& message_part) {
    INFO(e.what());
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    CHECK_THAT(e.message(), Catch::Contains(message_part));
}

ImportError only(const importers::ImportFailed& failed) {
    INFO(failed.what());
    REQUIRE(failed.errors().size() == 1);
    return failed.errors()[0];
}

using Edge = std::tuple<std::string, std::string, std::string, double>;

}  // namespace

TEST_CASE("GraphML: typed keys, defaults, kinds, directed and undirected edges, parallel edges and self-loops",
          "[importers][graphml]") {
    Fixture f;
    const auto report = f.load("g.graphml", R"(<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="d0" for="node" attr.name="clv" attr.type="double"/>
  <key id="d1" for="node" attr.name="age" attr.type="int"/>
  <key id="d2" for="node" attr.name="vip" attr.type="boolean"><default>false</default></key>
  <key id="d3" for="node" attr.name="note" attr.type="string"/>
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <key id="c" for="edge" attr.name="color" attr.type="string"/>
  <key id="g" for="graph" attr.name="title" attr.type="string"/>
  <graph id="G" edgedefault="undirected">
    <data key="g">an org</data>
    <node id="ann"><data key="k">customer</data><data key="d0">100.5</data><data key="d1">41</data><data key="d2">true</data><data key="d3">A &amp; B &lt;x&gt;</data></node>
    <node id="bob"><data key="d0">7</data></node>
    <node id="cé"/>
    <edge source="ann" target="bob"><data key="w">2.5</data><data key="c">red</data></edge>
    <edge source="ann" target="bob"/>
    <edge source="bob" target="bob" directed="true"><data key="w">3</data></edge>
    <edge source="cé" target="ann"/>
  </graph>
</graphml>
)");
    CHECK(report.nodes_added == 3);
    CHECK(report.edges_added == 4);
    CHECK(report.undirected_edges == 3);
    CHECK(f.kind("ann") == "customer");
    CHECK(f.kind("bob") == "unknown");  // no kind: node_kind's default
    CHECK(std::get<double>(f.value("ann", "clv")) == 100.5);
    CHECK(std::get<double>(f.value("ann", "age")) == 41);
    CHECK(std::get<bool>(f.value("ann", "vip")) == true);
    CHECK(std::get<bool>(f.value("bob", "vip")) == false);  // the key's default
    CHECK(std::get<std::string>(f.value("ann", "note")) == "A & B <x>");
    CHECK(std::holds_alternative<std::monostate>(f.value("bob", "age")));
    CHECK(f.edges() == std::vector<Edge>{{"ann", "bob", "interaction", 1},
                                         {"ann", "bob", "interaction", 2.5},
                                         {"bob", "bob", "interaction", 3},
                                         {"cé", "ann", "interaction", 1}});
    // What has no place in smorg's graph is counted, not lost silently.
    std::vector<std::tuple<std::string, std::string, std::uint64_t>> dropped;
    for (const auto& d : report.dropped) dropped.emplace_back(d.element, d.name, d.count);
    std::sort(dropped.begin(), dropped.end());
    CHECK(dropped ==
          std::vector<std::tuple<std::string, std::string, std::uint64_t>>{{"edge", "color", 1}, {"graph", "title", 1}});
}

TEST_CASE("GraphML: kinds come from the attribute node_kind_from and edge_kind_from name", "[importers][graphml]") {
    Fixture f;
    ImportSpec spec;
    spec.node_kind_from = "role";
    spec.edge_kind_from = "relation";
    f.load("g.graphml", R"(<graphml><key id="r" for="node" attr.name="role"/><key id="t" for="edge" attr.name="relation"/>
<graph edgedefault="directed"><node id="a"><data key="r">employee</data></node><node id="b"><data key="r">partner</data></node>
<edge source="a" target="b"><data key="t">referral</data></edge><edge source="b" target="a"/></graph></graphml>)",
           spec);
    CHECK(f.kind("a") == "employee");
    CHECK(f.kind("b") == "partner");
    CHECK(f.edges() == std::vector<Edge>{{"a", "b", "referral", 1}, {"b", "a", "interaction", 1}});
    CHECK(f.db->snapshot()->attributes().find("role") == nullptr);  // the kind, not an attribute

    Fixture g;
    ImportSpec typo;
    typo.node_kind_from = "rol";
    const auto failed = g.refused("g.graphml", R"(<graphml><key id="r" for="node" attr.name="role"/>
<graph><node id="a"><data key="r">employee</data></node></graph></graphml>)",
                                  typo);
    check_error(only(failed), 1, 1, "no node of the file has the attribute 'rol'");
    // node_kind_from without a graph file is refused before anything is read.
    ImportSpec csv;
    csv.node_kind_from = "role";
    csv.edges = {"edges.csv"};
    CHECK_THROWS_AS(g.db->import(csv), graph::ParamError);
}

TEST_CASE("GraphML: malformed files are refused whole, each problem at its line and column", "[importers][graphml][errors]") {
    Fixture f;
    SECTION("malformed XML") {
        const auto e = only(f.refused("g.graphml", "<graphml>\n  <graph>\n    <node id=\"a\">\n  </graph>\n</graphml>\n"));
        check_error(e, 4, 5, "malformed XML");
    }
    SECTION("a truncated file") {
        const auto e = only(f.refused("g.graphml", "<graphml>\n<graph>\n<node id=\"a\"/>\n<edge source=\"a\" targ"));
        CHECK(e.line() == 4);
        CHECK_THAT(e.message(), Catch::Contains("malformed XML"));
    }
    SECTION("data for an undeclared key, a value of the wrong type, a missing id, an edge without target") {
        const auto failed = f.refused("g.graphml", R"(<graphml><key id="n" for="node" attr.name="n" attr.type="int"/>
<graph>
<node id="a"><data key="x">1</data></node>
<node id="b"><data key="n">many</data></node>
<node/>
<edge source="a"/>
</graph></graphml>
)");
        REQUIRE(failed.errors().size() == 4);
        check_error(failed.errors()[0], 3, 14, "which no <key> declares");
        check_error(failed.errors()[1], 4, 14, "declared a number, got \"many\"");
        check_error(failed.errors()[2], 5, 1, "a <node> without an id");
        check_error(failed.errors()[3], 6, 1, "needs source and target");
    }
    SECTION("a node declared twice, an edge to a node nobody declares") {
        const auto failed = f.refused(
            "g.graphml",
            "<graphml><graph>\n<node id=\"a\"/>\n<node id=\"a\"/>\n<edge source=\"a\" target=\"z\"/>\n</graph></graphml>");
        REQUIRE(failed.errors().size() == 2);
        check_error(failed.errors()[0], 3, 1, "declared twice (first at line 2)");
        check_error(failed.errors()[1], 4, 1, "unknown node 'z'");
    }
    SECTION("nested graphs and hyperedges are refused, not flattened") {
        const auto failed =
            f.refused("g.graphml", "<graphml><graph>\n<node id=\"a\"><graph/></node>\n<hyperedge/>\n</graph></graphml>");
        REQUIRE(failed.errors().size() == 2);
        check_error(failed.errors()[0], 2, 14, "nested <graph>");
        check_error(failed.errors()[1], 3, 1, "<hyperedge>");
    }
    SECTION("an attribute name that is not UTF-8") {
        const auto e = only(f.refused("g.graphml",
                                      "<graphml><key id=\"d\" for=\"node\" attr.name=\"f\xA5g\"/><graph>\n"
                                      "<node id=\"a\"><data key=\"d\">x</data></node></graph></graphml>"));
        check_error(e, 2, 15, "invalid UTF-8");
    }
    SECTION("a weight smorg cannot keep") {
        const auto e =
            only(f.refused("g.graphml", R"(<graphml><key id="w" for="edge" attr.name="weight" attr.type="double"/><graph>
<node id="a"/><node id="b"/>
<edge source="a" target="b"><data key="w">-1</data></edge></graph></graphml>)"));
        check_error(e, 3, 29, "weight must be > 0");
    }
}

TEST_CASE("GEXF: attribute types and defaults, labels as names, edge weights, types and kinds", "[importers][gexf]") {
    Fixture f;
    const auto report = f.load("g.gexf", R"(<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <graph mode="static" defaultedgetype="directed">
    <attributes class="node">
      <attribute id="0" title="kind" type="string"/>
      <attribute id="1" title="score" type="float"/>
      <attribute id="2" title="active" type="boolean"><default>true</default></attribute>
    </attributes>
    <attributes class="edge">
      <attribute id="0" title="value" type="double"/>
    </attributes>
    <nodes>
      <node id="n1" label="Ann Lee"><attvalues><attvalue for="0" value="customer"/><attvalue for="1" value="0.25"/></attvalues><viz:size value="3"/></node>
      <node id="n2" label="n2"><attvalues><attvalue for="2" value="false"/></attvalues></node>
    </nodes>
    <edges>
      <edge id="0" source="n1" target="n2" weight="2" kind="referral"><attvalues><attvalue for="0" value="120"/></attvalues></edge>
      <edge id="1" source="n1" target="n2" type="undirected"/>
      <edge id="2" source="n2" target="n2" label="self"/>
    </edges>
  </graph>
</gexf>
)");
    CHECK(report.nodes_added == 2);
    CHECK(report.undirected_edges == 1);
    CHECK(f.kind("n1") == "customer");
    CHECK(std::get<std::string>(f.value("n1", "name")) == "Ann Lee");
    CHECK(std::holds_alternative<std::monostate>(f.value("n2", "name")));  // the label only repeats the id
    CHECK(std::get<double>(f.value("n1", "score")) == 0.25);
    CHECK(std::get<bool>(f.value("n1", "active")) == true);
    CHECK(std::get<bool>(f.value("n2", "active")) == false);
    CHECK(f.edges() ==
          std::vector<Edge>{{"n1", "n2", "interaction", 1}, {"n1", "n2", "referral", 2}, {"n2", "n2", "interaction", 1}});
    const auto s = f.db->snapshot();
    bool valued = false;
    for (auto e = s->out_begin(f.node("n1")); e < s->out_end(f.node("n1")); ++e) valued = valued || s->value(e) == 120.0;
    CHECK(valued);
    std::vector<std::string> dropped;
    for (const auto& d : report.dropped) dropped.push_back(d.element + " " + d.name);
    std::sort(dropped.begin(), dropped.end());
    CHECK(dropped == std::vector<std::string>{"edge label", "node <viz:size>"});
}

TEST_CASE("GEXF: malformed files are refused at their element", "[importers][gexf][errors]") {
    Fixture f;
    const auto failed = f.refused("g.gexf", R"(<gexf><graph defaultedgetype="directed">
<attributes class="node"><attribute id="0" title="n" type="integer"/></attributes>
<nodes>
<node id="a"><attvalues><attvalue for="0" value="x"/><attvalue for="9" value="1"/></attvalues></node>
<node id="b"><nodes/></node>
</nodes>
<edges><edge id="0" source="a" target="b" type="sideways"/></edges>
</graph></gexf>
)");
    REQUIRE(failed.errors().size() == 4);
    check_error(failed.errors()[0], 4, 25, "declared a number, got \"x\"");
    check_error(failed.errors()[1], 4, 54, "which no <attribute> declares");
    check_error(failed.errors()[2], 5, 14, "a hierarchy of nodes");
    check_error(failed.errors()[3], 7, 8, "type must be directed, undirected or mutual");
}

TEST_CASE("GML: labels name nodes, numbers and strings are typed, graphics are dropped, parallel edges need multigraph",
          "[importers][gml]") {
    Fixture f;
    const auto report = f.load("g.gml", R"(# written by hand
Creator "test"
graph [
  directed 1
  multigraph 1
  node [ id 0 label "ann" kind "customer" clv 12.5 team "A &amp; B &#233;" graphics [ x 1.0 y 2.0 ] ]
  node [ id 1 label "bob" clv 3 ]
  edge [ source 0 target 1 weight 2 key 0 ]
  edge [ source 0 target 1 key 1 ]
  edge [ source 1 target 1 kind "communication" ]
]
)");
    CHECK(report.nodes_added == 2);
    CHECK(report.undirected_edges == 0);
    CHECK(f.kind("ann") == "customer");
    CHECK(std::get<double>(f.value("ann", "clv")) == 12.5);
    CHECK(std::get<std::string>(f.value("ann", "team")) == "A & B \xC3\xA9");
    CHECK(f.edges() == std::vector<Edge>{{"ann", "bob", "interaction", 1},
                                         {"ann", "bob", "interaction", 2},
                                         {"bob", "bob", "communication", 1}});

    Fixture ids;  // without labels, nodes are named by id; GML graphs are undirected unless they say so
    const auto by_id = ids.load("g.gml", "graph [ node [ id 7 ] node [ id 9 ] edge [ source 7 target 9 ] ]");
    CHECK(by_id.undirected_edges == 1);
    CHECK(ids.edges() == std::vector<Edge>{{"7", "9", "interaction", 1}});
}

TEST_CASE("GML: malformed files are refused at their token", "[importers][gml][errors]") {
    Fixture f;
    SECTION("a parallel edge without multigraph, an unknown id, a duplicate id") {
        const auto failed =
            f.refused("g.gml",
                      "graph [\n node [ id 0 ]\n node [ id 1 ]\n node [ id 1 ]\n"
                      " edge [ source 0 target 1 ]\n edge [ source 1 target 0 ]\n edge [ source 0 target 5 ]\n]\n");
        REQUIRE(failed.errors().size() == 3);
        check_error(failed.errors()[0], 4, 2, "node id 1 is given twice (first at line 3)");
        check_error(failed.errors()[1], 6, 2, "parallel edges need 'multigraph 1'");
        check_error(failed.errors()[2], 7, 25, "no node has id 5");
    }
    SECTION("an unclosed list") { check_error(only(f.refused("g.gml", "graph [\n node [ id 0\n")), 3, 1, "never closed"); }
    SECTION("an unclosed string") {
        check_error(only(f.refused("g.gml", "graph [\n node [ id 0 label \"ann ]\n]\n")), 2, 20, "never closed");
    }
    SECTION("a label missing where others have one") {
        check_error(only(f.refused("g.gml", "graph [\n node [ id 0 label \"a\" ]\n node [ id 1 ]\n]")), 3, 2,
                    "has no label while others do");
    }
    SECTION("any blank separates tokens (a vertical tab once made the reader stand still)") {
        Fixture g;
        CHECK(g.load("g.gml", "graph [\v node [ id 0 ]\f]\n").nodes_added == 1);
    }
    SECTION("lists nested too deep") {
        std::string deep = "graph [ node [ id 0 x ";
        for (int i = 0; i < 100; ++i) deep += "[ a ";
        check_error(only(f.refused("g.gml", deep)), 1, 23 + 4 * 62, "nest deeper than 64");
    }
}

TEST_CASE("Pajek: labels name vertices, arcs and edges, arc lists, relation names as kinds, weights", "[importers][pajek]") {
    Fixture f;
    const auto report = f.load("g.net", R"(% a comment
*Network test
*Vertices 4
1 "Ann Lee" 0.1 0.2 0.3 ellipse dept Sales
2 "bob"
3 "cé"
*Arcs :1 "referral"
1 2 2.5
1 2
*Edges
2 3 1 c Blue
*Arcslist
3 1 2
)");
    CHECK(report.nodes_added == 4);  // vertex 4 has no line: it is named by its number
    CHECK(report.undirected_edges == 1);
    CHECK(std::get<std::string>(f.value("Ann Lee", "dept")) == "Sales");
    CHECK(f.edges() == std::vector<Edge>{{"Ann Lee", "bob", "referral", 1},
                                         {"Ann Lee", "bob", "referral", 2.5},
                                         {"bob", "cé", "interaction", 1},
                                         {"cé", "Ann Lee", "interaction", 1},
                                         {"cé", "bob", "interaction", 1}});
    CHECK(f.kind("4") == "unknown");  // vertex 4 has no line: named by its number, of node_kind
}

TEST_CASE("Pajek: malformed files are refused at their line and column", "[importers][pajek][errors]") {
    Fixture f;
    const auto failed = f.refused("g.net", "*Vertices 2\n1 \"a\"\n2 \"a\"\n*Arcs\n1 3\n1 2 -4\n*Matrix\n");
    REQUIRE(failed.errors().size() == 4);
    check_error(failed.errors()[0], 3, 3, "names vertices 1 and 2");
    check_error(failed.errors()[1], 5, 3, "expected a vertex number in [1, 2]");
    check_error(failed.errors()[2], 6, 5, "weight must be > 0");
    check_error(failed.errors()[3], 7, 1, "not matrices");
    check_error(only(f.refused("g.net", "*Vertices 99999999999\n")), 1, 11, "vertex count");
    check_error(only(f.refused("g.net", "1 2\n")), 1, 1, "outside any section");
}

TEST_CASE("formats are told by extension, then by content; files of other kinds are named", "[importers][formats]") {
    Fixture f;
    SECTION("GraphML and GML without their extensions") {
        f.load("graph.xml", "<?xml version=\"1.0\"?>\n<!-- c -->\n<graphml><graph><node id=\"a\"/></graph></graphml>");
        f.load("graph.txt", "Creator \"x\"\ngraph\n[\n node [ id 5 ]\n]\n");
        CHECK(f.db->snapshot()->node_count() == 2);
    }
    SECTION("a file smorg does not read is named, not parsed as an edge list") {
        check_error(only(f.refused("map.xml", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>")), 1, 1, "root is <svg>");
        check_error(only(f.refused("g.dot", "digraph smorg {\n a -> b\n}\n")), 1, 1, "a Graphviz DOT file");
        check_error(only(f.refused("book.txt", std::string("PK\x03\x04rest", 8))), 1, 1, "a ZIP archive");
        check_error(only(f.refused("g.json", "{\n \"nodes\": []\n}\n")), 1, 1, "JSON Lines");
    }
    SECTION("gzip-compressed graph files") {
        const auto text = std::string("graph [ node [ id 1 ] node [ id 2 ] edge [ source 1 target 2 ] ]");
        CHECK(f.db->import(testing::edges_spec(f.dir.write("g.gml.gz", testing::gzipped(text)))).edges_added == 1);
    }
}

TEST_CASE("an import's memory estimate holds a graph file's document as well as its text", "[importers][formats]") {
    Fixture f;
    const std::string xml = "<graphml><graph><node id=\"a\"/></graph></graphml>";
    ImportSpec spec;
    spec.edges = {f.dir.write("g.graphml", xml).string(), f.dir.write("e.csv", "source,target\n").string()};
    const auto e = importers::estimate(spec);
    CHECK(e.work == static_cast<double>(xml.size() + 14));
    CHECK(e.memory_bytes == 10.0 * static_cast<double>(xml.size()) + 3.0 * 14);
    CHECK(e.field == "edges");
}
