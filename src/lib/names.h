/* names.h — file and member names as folio records them: valid UTF-8 in NFC.
 *
 * Member names are attacker-controlled bytes.  Valid UTF-8 is kept (in NFC);
 * anything else is decoded with the configured legacy code page (CP437 by
 * default, any ICU converter name) and flagged as repaired.  Control
 * characters (U+0000-001F, U+007F-009F) become U+FFFD, also flagged as
 * repaired.  The raw bytes are kept by the callers for provenance. */
#ifndef FOLIO_NAMES_H
#define FOLIO_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define NAME_MAX_BYTES 4096

/* True when the n bytes at s are well-formed UTF-8 with no NUL.  Cannot fail. */
bool names_valid_utf8(const char *s, size_t n);

/* Writes the NFC form of raw (n bytes) into out: raw itself normalized when it
 * is valid UTF-8, else raw decoded from code_page (*repaired set true); any
 * control character replaced by U+FFFD (*repaired set true).
 * Returns 0, or -1 with e filled (unknown code page: FERR_CONFIG; a name that
 * does not fit in outsz: FERR_CONTENT). */
int names_to_nfc(const char *raw, size_t n, const char *code_page, char *out, size_t outsz,
		 bool *repaired, struct ferr *e);

/* Checks that code_page names a converter ICU knows.  Returns 0 or -1. */
int names_check_code_page(const char *code_page, struct ferr *e);

#endif
