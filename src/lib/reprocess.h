/* reprocess.h — 'folio reprocess': an operator's second chance for uploads
 * that hit system failures.  Held files go back to the state they were held
 * in with their attempts reset; the candidates are marked to be judged again. */
#ifndef FOLIO_REPROCESS_H
#define FOLIO_REPROCESS_H

#include <sqlite3.h>

#include "err.h"

/* Releases the held files of the n candidates, in one transaction.
 * Returns 0, or -1 with e filled (FERR_CONFIG: a candidate folio has never
 * seen; nothing is changed then). */
int reprocess_release(sqlite3 *db, int n, char **candidates, struct ferr *e);

#endif
