/* probe.h — what libavformat finds in a media file: streams, codecs and the
 * duration the streams really hold.
 *
 * Duration is measured from packet timestamps (first pts to last pts plus
 * its duration, over the audio and video streams, skipping packets the
 * demuxer marks discard), never taken from the header: browser recordings
 * have none, and a header can lie.  The header is compared with it:
 *   - data ends before the file's own index says (mov/mp4, wav, flac, avi...)
 *     or a packet cannot be read: media-corrupt;
 *   - complete data whose header disagrees by more than PROBE_HEADER_TOL_S:
 *     duration-header-mismatch (a warning).
 * Never both. */
#ifndef FOLIO_PROBE_H
#define FOLIO_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

#define PROBE_HEADER_TOL_S 0.5

struct probe_result {
	bool opened;			/* libavformat recognised and opened it */
	int video_streams, audio_streams;
	char format[64];		/* demuxer name */
	char video_codec[32], audio_codec[32];
	int width, height;		/* coded size of the first video stream */
	int rotation;			/* display rotation, degrees counter-clockwise as ffprobe reports it: 0/90/180/270 */
	double duration_s;		/* measured; < 0 when unknown */
	double header_duration_s;	/* < 0 when the container has none */
	char method[32];		/* "packets" */
	bool corrupt;			/* media-corrupt */
	bool header_mismatch;		/* duration-header-mismatch */
	char error[256];		/* libavformat's own words when corrupt */
	uint64_t packets;
};

struct probe_limits {
	uint64_t max_packets;		/* bound on packets read (hostile files) */
};

/* Probes the file at path.  Content faults are results, not errors: the
 * function returns 0 with out->corrupt set and out->error filled.  Returns -1
 * (e filled, FERR_SYSTEM) only when the machine fails: out of memory. */
int probe_file(const char *path, const struct probe_limits *lim, struct probe_result *out,
	       struct ferr *e);

/* "video" when it has a video stream, "audio" when only audio, else NULL. */
const char *probe_kind(const struct probe_result *r);

#endif
