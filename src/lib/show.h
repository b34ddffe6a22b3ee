/* show.h — 'folio show' and 'folio status': the manifest and the state, for
 * a person to read (porcelain; scripts read the views instead). */
#ifndef FOLIO_SHOW_H
#define FOLIO_SHOW_H

#include <sqlite3.h>
#include <stdio.h>

#include "config.h"
#include "err.h"

/* Prints candidate's entries and files, slots in the config's order (cfg may
 * be NULL: then by name).  Returns 0, 1 (printing nothing) when
 * the candidate is unknown, -1 with e filled on a database error. */
int show_candidate(sqlite3 *db, const char *candidate, const struct config *cfg, FILE *f,
		   struct ferr *e);

/* Prints every verdict each of the candidate's files has had (replaced rows
 * too), oldest first.  Returns 0, or -1 with e filled. */
int show_history(sqlite3 *db, const char *candidate, FILE *f, struct ferr *e);

/* Prints who holds DATA/folio.lock (root), what a run is doing, files per
 * stage (pending, running, failed, held; "pending validate" counts files
 * judged under another config than cfg), the latest runs, files by state,
 * and what is held for an operator.  Only reads. */
int show_status(sqlite3 *db, const char *root, const struct config *cfg, FILE *f,
		struct ferr *e);

/* Formats seconds as m:ss (or h:mm:ss) into out.  Cannot fail. */
void show_duration(double s, char *out, size_t outsz);

#endif
