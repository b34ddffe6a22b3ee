/* transcode.h — one video into the scorers' profile, in-process with FFmpeg's
 * libraries (libavformat, libavcodec, libavfilter, libswscale); the ffmpeg
 * program is never spawned.
 *
 * tc_normalize() reads a source, decides per stream whether it already meets
 * the profile (then the stream is copied bit for bit) or must be re-encoded,
 * writes an MP4 with its index in front, re-probes what it wrote, and takes a
 * JPEG poster from the verified output.  docs/normalize.md tells the whole
 * story; docs/config.md (## [profile]) documents every key.
 *
 * Everything here is re-entrant: one call per thread, no shared state except
 * the log capture of tc_log_install(), which is per thread. */
#ifndef FOLIO_TRANSCODE_H
#define FOLIO_TRANSCODE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

#define TC_NAME_MAX 32
#define TC_OPTS_MAX 256

/* The [profile] section, parsed and checked. */
struct tc_profile {
	char version[17];		/* config_section_version(cfg, "profile") */
	char video_encoder[TC_NAME_MAX];
	char video_profile[TC_NAME_MAX];	/* "high" or "main" */
	int video_profile_id;		/* FF_PROFILE_H264_* for video_profile */
	char preset[TC_NAME_MAX];
	int crf;
	char video_options[TC_OPTS_MAX];	/* extra encoder options, k=v:k=v */
	char scale_flags[TC_NAME_MAX];
	char tonemap[TC_NAME_MAX];	/* tonemap filter's algorithm for HDR input */
	int max_width, max_height;	/* landscape box; portrait uses it turned */
	bool portrait_box;		/* portrait output fits max_height x max_width */
	int max_fps;
	char audio_encoder[TC_NAME_MAX];
	int64_t audio_bitrate;		/* bits per second */
	int audio_rate;
	int audio_max_channels;		/* 1 or 2 */
	double loudness_target;		/* LUFS */
	double loudness_tolerance;	/* LU: copied audio may be this far off */
	double true_peak;		/* dBTP */
	double loudness_range;		/* LU */
	double silence_peak;		/* dBFS: audio never louder than this is silent */
	double poster_at;		/* fraction of the duration */
	int poster_quality;		/* JPEG qscale, 2 (best) .. 31 */
	double duration_tolerance;	/* seconds between source and output */
	double max_duration;		/* seconds: longer sources are refused */
	int64_t max_pixels;		/* width x height of a source frame */
	int max_streams;		/* streams in a source container */
	int max_decode_errors;		/* corrupt packets skipped before giving up */
	char demuxers[TC_OPTS_MAX];	/* libavformat demuxers allowed to open a source */
};

/* Reads and checks [profile] (including that both encoders exist in this
 * libavcodec).  Returns 0 and fills p, or -1 with e filled (FERR_CONFIG,
 * naming the key). */
int tc_profile_load(const struct config *cfg, struct tc_profile *p, struct ferr *e);

/* Called from the transcoding thread at most a few times a second: seconds of
 * the source done so far and its whole duration (0 when not known). */
typedef void tc_progress_fn(void *arg, double done_s, double total_s);

struct tc_job {
	const char *src;		/* the original, a regular file */
	const char *dst;		/* the MP4 to write (a temporary name) */
	const char *poster;		/* the JPEG to write (a temporary name) */
	const char *title;		/* the only metadata written */
	double src_duration;		/* exact duration from folio-probe; 0 unknown */
	int threads;			/* codec and filter threads for this job */
	tc_progress_fn *progress;	/* may be NULL */
	void *progress_arg;
};

/* What was done and what the re-probe of the output found. */
struct tc_result {
	bool video_copied;		/* video kept by stream copy */
	bool has_audio;
	bool audio_copied;
	bool audio_silent;		/* peak never above silence_peak */
	double loudness;		/* integrated LUFS of the source audio, or NAN */
	double src_duration;		/* the duration checked against */
	double out_duration;
	int width, height;		/* of the output */
	int fps_num, fps_den;
};

/* Normalizes job->src into job->dst and job->poster (created 0640 with O_EXCL:
 * neither may exist).  On success both files are complete and closed but not
 * yet fsync'd or renamed (the caller commits them), r is filled and 0 is
 * returned.  On failure both files are removed and -1 returned with e filled:
 * FERR_CONTENT when the source cannot be made into the profile (the text is
 * the library's own, e.g. "decoding video: Invalid data found when processing
 * input"), FERR_SYSTEM when the machine failed (no space, no memory). */
int tc_normalize(const struct tc_profile *p, const struct tc_job *job, struct tc_result *r,
		 struct ferr *e);

/* Routes libav* log lines away from stderr: messages at error level or worse
 * are kept per thread and appended to the next error tc_normalize() reports;
 * with verbose they are also printed through log_debug().  Call once, before
 * any thread starts.  Cannot fail. */
void tc_log_install(bool verbose);
/* True once a library (any thread) has reported an allocation that failed:
 * under a memory rlimit that is the limit, not a fault of the content. */
bool tc_alloc_failed(void);

/* Verifies that the top-level boxes of the MP4 at path put moov before mdat.
 * Returns 1 if so, 0 if not, -1 with e filled if it cannot be read. */
int tc_moov_first(const char *path, struct ferr *e);

#endif
