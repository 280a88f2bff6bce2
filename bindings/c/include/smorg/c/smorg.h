/* smorg's C ABI: the JSON query protocol (docs/queries.md, docs/reference.md) over one database,
 * for any language that can call C. Link libsmorg.so (CMake: smorg::shared).
 *
 * Ownership: every string smorg returns (char *) is the caller's, freed with smorg_free(); every
 * string passed in is only read during the call. Handles (smorg_db, smorg_run) are created and
 * freed by the functions named beside them.
 *
 * Errors: no function throws, aborts or returns a half-written answer. An answer is always JSON:
 * {"ok": true, "op", "result", "took_ms"} or {"ok": false, "error": {"code", "message", "at"}},
 * "at" being the JSON pointer of the field at fault. A NULL return means the machine is out of
 * memory.
 *
 * Threads: one smorg_db may be queried from many threads at once (each request reads the
 * snapshot that was current when it started; imports are serialized). smorg_cancel() may be called
 * from any thread. smorg_close() must not run while a call on the same handle does.
 */
#ifndef SMORG_C_SMORG_H
#define SMORG_C_SMORG_H

#ifdef __cplusplus
extern "C" {
#endif

/* An open database. */
typedef struct smorg_db smorg_db;
/* One call's cancellation handle: pass it to a query, cancel it from another thread. A handle
 * serves one call at a time; once cancelled it stays cancelled (smorg_run_new() another). */
typedef struct smorg_run smorg_run;

/* The library's version, e.g. "0.1.0" (static storage: do not free). */
const char* smorg_version(void);

/* Opens the database at `path` (":memory:" for one never written to disk), creating the file when
 * `create` is non-zero and it does not exist. Returns the handle, or NULL with *error (when error is
 * not NULL) set to an error answer the caller frees: not_found when the file is missing and create
 * is 0, data_loss when it is unreadable. */
smorg_db* smorg_open(const char* path, int create, char** error);

/* Closes the handle and frees what it holds (NULL: nothing happens). */
void smorg_close(smorg_db* db);

/* Answers a request (a JSON object with "op", or an array of them) given as UTF-8 JSON text.
 * `run` may be NULL; when given, smorg_cancel(run) from another thread makes the call return
 * promptly with a "cancelled" error. Returns the answer as JSON text (free it with smorg_free). */
char* smorg_query(smorg_db* db, const char* request, smorg_run* run);

/* Imports one batch: `spec` is the import op's fields as a JSON object ("nodes", "edges",
 * "node_rows", "edge_rows", "format", ...; "op" may be left out). All or nothing: on a data_loss
 * answer nothing was stored, and "errors" lists every problem with its file:line or table row.
 * Returns the answer as JSON text (free it with smorg_free). */
char* smorg_import(smorg_db* db, const char* spec, smorg_run* run);

/* A new cancellation handle, or NULL when out of memory. */
smorg_run* smorg_run_new(void);
/* Asks the call running with `run` to end; safe from any thread, and before or after the call. */
void smorg_cancel(smorg_run* run);
/* Frees the handle (NULL: nothing happens); no call may be using it. */
void smorg_run_free(smorg_run* run);

/* Frees a string smorg returned (NULL: nothing happens). */
void smorg_free(char* text);

#ifdef __cplusplus
}
#endif

#endif /* SMORG_C_SMORG_H */
