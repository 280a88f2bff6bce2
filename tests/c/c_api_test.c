/* The C ABI as a C program meets it: open (missing, created), query (ok, failing, malformed),
 * import (good rows, bad rows refused whole), cancel from another thread during a long run, and
 * every handle and string freed (the ASan preset runs this with leak detection). */
#include <pthread.h>
#include <smorg/c/smorg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                              \
        }                                                                            \
    } while (0)

static int contains(const char* text, const char* part) { return text && strstr(text, part) != NULL; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct canceller {
    smorg_run* run;
    useconds_t after_us;
};

static void* cancel_later(void* arg) {
    struct canceller* c = (struct canceller*)arg;
    usleep(c->after_us);
    smorg_cancel(c->run);
    return NULL;
}

/* A side x side grid as edge rows: exact betweenness on it takes far longer than the test waits. */
static char* grid_rows(int side) {
    size_t cap = (size_t)side * (size_t)side * 2 * 64 + 64;
    char* text = malloc(cap);
    size_t n = 0;
    n += (size_t)snprintf(text + n, cap - n, "{\"create_missing\": true, \"edge_rows\": [");
    int first = 1;
    for (int r = 0; r < side; ++r) {
        for (int c = 0; c < side; ++c) {
            if (c + 1 < side) {
                n += (size_t)snprintf(text + n, cap - n, "%s{\"source\":\"n%d_%d\",\"target\":\"n%d_%d\"}", first ? "" : ",", r,
                                      c, r, c + 1);
                first = 0;
            }
            if (r + 1 < side) {
                n += (size_t)snprintf(text + n, cap - n, ",{\"source\":\"n%d_%d\",\"target\":\"n%d_%d\"}", r, c, r + 1, c);
            }
        }
    }
    snprintf(text + n, cap - n, "]}");
    return text;
}

int main(void) {
    CHECK(strlen(smorg_version()) > 0);

    /* A missing file without create: NULL and a not_found answer. */
    char* error = NULL;
    smorg_db* none = smorg_open("/nonexistent-folder/none.db", 0, &error);
    CHECK(none == NULL);
    CHECK(contains(error, "\"code\":\"not_found\""));
    smorg_free(error);

    smorg_db* db = smorg_open(":memory:", 1, &error);
    CHECK(db != NULL && error == NULL);
    if (!db) return 1;

    /* NULL arguments are answers, not crashes. */
    char* answer = smorg_query(NULL, "{}", NULL);
    CHECK(contains(answer, "\"code\":\"invalid_argument\""));
    smorg_free(answer);
    answer = smorg_query(db, NULL, NULL);
    CHECK(contains(answer, "\"code\":\"invalid_argument\""));
    smorg_free(answer);

    /* An empty database: a failed precondition, not a crash. */
    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"pagerank\"}", NULL);
    CHECK(contains(answer, "\"ok\":"));
    smorg_free(answer);

    /* Bad rows are refused whole, naming the row; nothing lands. */
    answer = smorg_import(db, "{\"node_rows\": [{\"id\": \"a\", \"kind\": \"customer\"}, {\"id\": \"\"}]}", NULL);
    CHECK(contains(answer, "\"code\":\"data_loss\""));
    CHECK(contains(answer, "\"at\":\"/node_rows/1/id\""));
    CHECK(contains(answer, "\"row\":1"));
    smorg_free(answer);
    answer = smorg_query(db, "{\"op\": \"stats\"}", NULL);
    CHECK(contains(answer, "\"nodes\":0"));
    smorg_free(answer);

    /* Another op through smorg_import is refused at /op. */
    answer = smorg_import(db, "{\"op\": \"stats\"}", NULL);
    CHECK(contains(answer, "\"at\":\"/op\""));
    smorg_free(answer);

    /* Good rows land. */
    char* rows = grid_rows(150);
    answer = smorg_import(db, rows, NULL);
    CHECK(contains(answer, "\"ok\":true"));
    CHECK(contains(answer, "\"edges_added\":44700"));
    smorg_free(answer);
    free(rows);

    /* Queries: ok, a field out of range, malformed JSON. */
    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"degree\", \"top\": 1}", NULL);
    CHECK(contains(answer, "\"ok\":true"));
    smorg_free(answer);
    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"degree\", \"top\": -1}", NULL);
    CHECK(contains(answer, "\"at\":\"/top\""));
    smorg_free(answer);
    answer = smorg_query(db, "{\"op\": ", NULL);
    CHECK(contains(answer, "\"code\":\"invalid_argument\""));
    smorg_free(answer);

    /* Cancelled before it starts. */
    smorg_run* run = smorg_run_new();
    smorg_cancel(run);
    answer = smorg_query(db, "{\"op\": \"stats\"}", run);
    CHECK(contains(answer, "\"code\":\"cancelled\""));
    smorg_free(answer);
    smorg_run_free(run);

    /* Cancelled from another thread while exact betweenness runs (minutes uncancelled). */
    run = smorg_run_new();
    struct canceller c = {run, 200000};
    pthread_t thread;
    pthread_create(&thread, NULL, cancel_later, &c);
    const double start = now();
    answer = smorg_query(db, "{\"op\": \"centrality\", \"algorithm\": \"betweenness\", \"top\": 3}", run);
    const double took = now() - start;
    pthread_join(thread, NULL);
    CHECK(contains(answer, "\"code\":\"cancelled\""));
    CHECK(took < 10.0);
    smorg_free(answer);
    smorg_run_free(run);

    smorg_close(db);
    smorg_close(NULL);
    smorg_free(NULL);
    smorg_run_free(NULL);
    smorg_cancel(NULL);
    if (failures == 0) printf("c api: all checks passed (cancelled after %.2f s)\n", took);
    return failures == 0 ? 0 : 1;
}
