/* scan.h — the scan stage: what is new or changed in the inbox.
 *
 * The inbox is read only: INBOX/<candidate>/<entry>/<anything below>.  Every
 * regular file is an upload; its upload time is its modification time.  A
 * file whose size and mtime are what scan saw last costs one stat.  Otherwise
 * it is streamed once into the store (hashed on the way); a changed content
 * under the same name retires that name's earlier rows (kept for history) and
 * starts new ones.  Symbolic links and special files in the inbox are logged
 * and ignored: the portal writes only regular files. */
#ifndef FOLIO_SCAN_H
#define FOLIO_SCAN_H

#include "stage.h"

/* Scans s->inbox into s->db.  Per-file system failures are logged and counted
 * in s->stats (the file is retried on the next run); returns -1 with e filled
 * only when the inbox itself cannot be read. */
int scan_run(struct stage *s, struct ferr *e);

/* Candidate ids become file names (manifests/<id>.sqlite, reports/<id>/): 1 to
 * 64 ASCII letters, digits, '.', '_', '-', starting with a letter or digit,
 * and none of the names reports/ uses itself.  Cannot fail. */
bool scan_candidate_id_ok(const char *id);

/* The slot folder a file was uploaded into: the first component of rel
 * (path relative to the entry folder) when more components follow and it names
 * a slot of the entry (any case).  Writes the slot's configured id into out
 * ("" when none).  Cannot fail. */
void scan_slot_folder(const struct config *cfg, const char *entry, const char *rel, char *out,
		      size_t outsz);

#endif
