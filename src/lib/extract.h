/* extract.h — the unpack stage: archives into members, two layers deep.
 *
 * Every active file in state 'unpack' (an archive, as identify found) is
 * opened with unpack_archive().  Each member becomes a files row below it
 * (depth + 1, source_path ARCHIVE/MEMBER, the archive's upload time and slot
 * folder) and is classified at once, so an archive inside goes back to
 * 'unpack' and is opened in the same run, while depth allows; deeper ones are
 * rejected archive-nested-too-deep.  One archive is one transaction: an
 * archive-level fault rolls back every member row it made. */
#ifndef FOLIO_EXTRACT_H
#define FOLIO_EXTRACT_H

#include "stage.h"

/* Unpacks until no active file is in state 'unpack'.  Returns -1 only when
 * the stage cannot work at all; per-archive failures are recorded on it. */
int extract_run(struct stage *s, struct ferr *e);

#endif
