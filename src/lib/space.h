/* space.h — free space on the data directory's file system.
 *
 * Extracting, storing and normalizing refuse a write that would leave less
 * than [limits] min_free free on DATA's file system, rather than fill it: a
 * full disk breaks SQLite's journal, every other stage and whatever else
 * shares that file system.  A refusal is a system failure (FERR_SYSTEM,
 * retried on the next run, held after max_attempts), never a verdict on the
 * candidate's content.  The check is advisory (another program may fill the
 * disk between the check and the write): a real ENOSPC in the middle of a
 * write is a system failure as well, and the writer removes its partial
 * temporary file. */
#ifndef FOLIO_SPACE_H
#define FOLIO_SPACE_H

#include <stdint.h>

#include "err.h"

/* Bytes a streaming writer may write between two checks (store_write). */
#define SPACE_CHECK_EVERY (1u << 20)

/* Checks that writing expected more bytes to the file system holding path
 * leaves at least min_free bytes available (to an unprivileged user: what
 * statvfs calls f_bavail).  min_free 0 turns the check off.  what names the
 * write in the message.  Returns 0, or -1 with e filled (FERR_SYSTEM, the
 * message says "not enough free space").  Cannot fail otherwise: a file
 * system statvfs cannot read is not refused here (its writes will tell). */
int space_check(const char *path, uint64_t min_free, uint64_t expected, const char *what,
		struct ferr *e);
/* The same for the file system holding the open file fd. */
int space_check_fd(int fd, uint64_t min_free, uint64_t expected, const char *what,
		   struct ferr *e);

#endif
