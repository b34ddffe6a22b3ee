/* show.h — 'folio show' and 'folio status': the manifest and the state, for
 * a person to read (porcelain; scripts read the views instead). */
#ifndef FOLIO_SHOW_H
#define FOLIO_SHOW_H

#include <sqlite3.h>
#include <stdio.h>

#include "err.h"

/* Prints candidate's entries and files.  Returns 0, 1 (printing nothing) when
 * the candidate is unknown, -1 with e filled on a database error. */
int show_candidate(sqlite3 *db, const char *candidate, FILE *f, struct ferr *e);

/* Prints the latest runs, files by state, and what is held for an operator. */
int show_status(sqlite3 *db, FILE *f, struct ferr *e);

/* Formats seconds as m:ss (or h:mm:ss) into out.  Cannot fail. */
void show_duration(double s, char *out, size_t outsz);

#endif
