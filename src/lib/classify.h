/* classify.h — the identify stage: every new file's type from its content.
 *
 * Results are facts about a content (table facts, keyed by SHA-256), so the
 * same bytes uploaded again are not looked at again.  A file then moves on:
 * archives to 'unpack', media (and data libmagic cannot name) to 'probe',
 * everything else straight to 'validate'. */
#ifndef FOLIO_CLASSIFY_H
#define FOLIO_CLASSIFY_H

#include "identify.h"
#include "stage.h"

/* Classifies one file row inside the caller's transaction: records its facts
 * (unless known), an extension-mismatch warning, and its next state.
 * Returns 0, or -1 with e filled. */
int classify_row(struct stage *s, struct identify *id, long long file_id, struct ferr *e);
/* Ends the worker process classify_row() keeps for libmagic (isolate.h);
 * call before closing the identify handle it was started with. */
void classify_done(void);

/* Classifies every active file in state 'new', each in its own transaction.
 * Failures on one file are recorded on it (stage_item_failed) and the run
 * goes on; returns -1 only when the stage cannot work at all. */
int classify_run(struct stage *s, struct ferr *e);

#endif
