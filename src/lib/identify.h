/* identify.h — a file's real type, from its content (libmagic), never its name.
 *
 * kind is one of video, audio, document, image, archive, other; media files
 * get their final kind from libavformat (probe.h), which knows whether a
 * container holds pictures or only sound. */
#ifndef FOLIO_IDENTIFY_H
#define FOLIO_IDENTIFY_H

#include <stdbool.h>

#include "err.h"

struct identify;	/* a libmagic cookie and its database */

struct ident {
	char mime[128];
	char description[256];
	char kind[16];
	bool archive;		/* an archive libarchive should open */
	bool media;		/* to be opened by libavformat (video/audio, or unknown data) */
	bool encrypted;		/* a password-protected document */
	bool ext_mismatch;	/* the name's extension disagrees with the content */
};

/* Opens libmagic with its default database.  NULL with e filled on failure. */
struct identify *identify_open(struct ferr *e);
void identify_close(struct identify *id);

/* Identifies the file at path; name (as the candidate named it, may be NULL)
 * is used only to compare its extension.  Returns 0, or -1 with e filled
 * (FERR_SYSTEM: the file could not be read or libmagic failed). */
int identify_file(struct identify *id, const char *path, const char *name, struct ident *out,
		  struct ferr *e);

/* The kind for a MIME type (without probing).  Cannot fail. */
const char *identify_kind_of(const char *mime);

#endif
