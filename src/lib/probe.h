/* probe.h — what libavformat finds in a media file: streams, codecs and the
 * duration the streams really hold.
 *
 * Duration is measured from packet timestamps (first pts to last pts plus
 * its duration, over the audio and video streams, skipping packets the
 * demuxer marks discard), never taken from the header or the decoded sample
 * count: browser recordings have no header duration, a header can lie, and
 * some decoders return fewer samples than a packet holds (amrnb).  A file
 * that opens with no packet at all measures 0 s.  Every audio packet and
 * every video key frame is decoded.  Then:
 *   - media-corrupt (corrupt): the data the file declares is missing or
 *     cannot be read or decoded: a packet that cannot be read or is flagged
 *     damaged, a decoding error, data ending before the file's own index says
 *     (mov/mp4, wav, flac, avi..., or no packet at all where the header
 *     promises some), a RIFF data chunk larger than the file;
 *   - duration-header-mismatch (header_mismatch, a warning): every packet is
 *     there and decodes, but the container's duration differs from the
 *     measured one by more than PROBE_HEADER_TOL_S.
 * Never both.  no-video-stream / no-audio-stream: the file opened, its
 * streams were read, and none is of that type (probe_codes). */
#ifndef FOLIO_PROBE_H
#define FOLIO_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "reasons.h"

#define PROBE_HEADER_TOL_S 0.1

struct probe_result {
	bool opened;			/* libavformat recognised and opened it */
	bool streams_known;		/* and read its streams: the counts below are facts */
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

/* Adds the content codes of r to codes: media-corrupt or
 * duration-header-mismatch, and no-video-stream / no-audio-stream once the
 * streams are known.  Cannot fail. */
void probe_codes(const struct probe_result *r, struct reasons *codes);

/* "video" when it has a video stream, "audio" when only audio, else NULL. */
const char *probe_kind(const struct probe_result *r);

#endif
