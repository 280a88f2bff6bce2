/* A C program using smorg through its C ABI: import a small network from memory into a database
 * that lives in memory, rank it by PageRank, and show an error answer.
 *   cc top_pagerank.c -lsmorg (or CMake: target_link_libraries(... smorg::shared))
 */
#include <smorg/c/smorg.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    char* error = NULL;
    smorg_db* db = smorg_open(":memory:", 1, &error);
    if (!db) {
        fprintf(stderr, "cannot open: %s\n", error ? error : "out of memory");
        smorg_free(error);
        return 1;
    }
    printf("smorg %s\n", smorg_version());

    /* Rows held in memory: no file is written or read. */
    char* answer = smorg_import(db,
                                "{\"node_rows\": [{\"id\": \"ana\", \"kind\": \"customer\", \"name\": \"Ana\"},"
                                "                 {\"id\": \"ben\", \"kind\": \"customer\", \"name\": \"Ben\"},"
                                "                 {\"id\": \"cai\", \"kind\": \"customer\", \"name\": \"Cai\"},"
                                "                 {\"id\": \"eva\", \"kind\": \"employee\", \"name\": \"Eva\"}],"
                                " \"edge_rows\": [{\"source\": \"ana\", \"target\": \"ben\", \"kind\": \"referral\"},"
                                "                 {\"source\": \"ana\", \"target\": \"cai\", \"kind\": \"referral\"},"
                                "                 {\"source\": \"ben\", \"target\": \"cai\", \"kind\": \"referral\"},"
                                "                 {\"source\": \"eva\", \"target\": \"ana\", \"kind\": \"interaction\"},"
                                "                 {\"source\": \"cai\", \"target\": \"eva\", \"kind\": \"interaction\"}]}",
                                NULL);
    if (!answer || !strstr(answer, "\"ok\":true")) {
        fprintf(stderr, "import failed: %s\n", answer ? answer : "out of memory");
        smorg_free(answer);
        smorg_close(db);
        return 1;
    }
    smorg_free(answer);

    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"pagerank\", \"top\": 3}", NULL);
    printf("%s\n", answer ? answer : "out of memory");
    int ok = answer && strstr(answer, "\"ok\":true") != NULL;
    smorg_free(answer);

    /* A mistake is an answer too, naming the field at fault. */
    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"pagerank\", \"top\": -1}", NULL);
    printf("%s\n", answer ? answer : "out of memory");
    ok = ok && answer && strstr(answer, "\"at\":\"/top\"") != NULL;
    smorg_free(answer);

    smorg_close(db);
    return ok ? 0 : 1;
}
