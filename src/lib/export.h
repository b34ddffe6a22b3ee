/* export.h — DATA/manifests/<candidate>.sqlite, one scorer's view.
 *
 * Each holds the candidate's rows of manifest_files and manifest_entries as
 * tables (files, entries) with the same two views over them, so a scorer's
 * tool reads it exactly as it reads folio.db.  It is built under tmp/,
 * fsync'd and renamed over the old one: a reader sees the old manifest or the
 * new one, never half of either.  Only candidates marked stale
 * (candidates.manifest_dirty) are rewritten. */
#ifndef FOLIO_EXPORT_H
#define FOLIO_EXPORT_H

#include "stage.h"

/* Rewrites every stale candidate's manifest.  -1 only when the stage cannot
 * work at all; one candidate's failure is logged, counted and retried. */
int export_run(struct stage *s, struct ferr *e);

/* Writes one candidate's manifest to path (atomically).  Returns 0 or -1. */
int export_candidate(struct stage *s, const char *candidate, const char *path, struct ferr *e);

#endif
