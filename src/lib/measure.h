/* measure.h — the probe stage: libavformat facts for every media file.
 *
 * Runs on active files in state 'probe' (libmagic said video or audio, or
 * could not name the data).  Facts are per content: bytes probed once are
 * never read again.  The kind becomes video when a video stream exists and
 * audio when only audio does, whatever libmagic called the container; data
 * libmagic could not name and libavformat cannot open stays 'other'. */
#ifndef FOLIO_MEASURE_H
#define FOLIO_MEASURE_H

#include "stage.h"

/* Probes every pending file; -1 only when the stage cannot work at all. */
int measure_run(struct stage *s, struct ferr *e);

/* The facts version: bump it when probe.c measures differently, and every
 * content is probed again on the next run. */
#define MEASURE_FACTS_VERSION 2

#endif
