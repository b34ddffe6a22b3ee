/* inspect.h — 'folio inspect FILE...': what folio sees in any file, for an
 * operator asking "why?".  One JSON object per line per file, with the
 * manifest's fact columns (mime_type, kind, duration_s, width, height,
 * video_codec, audio_codec), the file-level reason codes, how the duration was
 * measured and, for archives, every member (recursively, two layers deep)
 * with its verdict and reasons as unpacking alone decides them.  Slot rules
 * (type allowed, durations, lateness) need an entry and are not applied.
 * Nothing is written but a private temporary directory, removed after. */
#ifndef FOLIO_INSPECT_H
#define FOLIO_INSPECT_H

#include <stdio.h>

#include "config.h"
#include "err.h"

/* Inspects path and prints its JSON line to f.  Returns 0, 1 when the file
 * cannot be read (its line says why), -1 with e filled on system failure. */
int inspect_file(const struct config *cfg, const char *path, FILE *f, struct ferr *e);

#endif
