#include "transcode.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "log.h"

#define FILTER_DESC_MAX 1024
#define URL_MAX 4200
#define MOOV_SCAN_BOXES 64	/* top-level boxes looked at before giving up */

/* ---- the libraries' log ---------------------------------------------------- */

static _Thread_local char last_log[256];
static bool log_verbose;
/* Set when any thread's library said an allocation failed (x264 logs "malloc
 * of size N failed" from its own threads and returns a generic error). */
static volatile sig_atomic_t alloc_failed;

bool tc_alloc_failed(void)
{
	return alloc_failed != 0;
}

static void log_cb(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[512];
	int prefix = 0;
	const AVClass *avc = avcl ? *(const AVClass **)avcl : NULL;
	const char *who = avc && avc->item_name ? avc->item_name(avcl) : "libav";
	size_t n;

	if (level > AV_LOG_ERROR && !(log_verbose && level <= AV_LOG_WARNING))
		return;
	av_log_format_line2(avcl, level, fmt, vl, line, sizeof line, &prefix);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0)
		return;
	if (level <= AV_LOG_ERROR)
		snprintf(last_log, sizeof last_log, "%.40s: %.200s", who, line);
	if (level <= AV_LOG_ERROR && (strstr(line, "Cannot allocate memory") != NULL ||
				      (strstr(line, "alloc") != NULL && strstr(line, "fail") != NULL)))
		alloc_failed = 1;
	if (log_verbose)
		log_debug("%s: %s", who, line);
}

void tc_log_install(bool verbose)
{
	log_verbose = verbose;
	av_log_set_callback(log_cb);
}

/* Fills e from a libav error code, with the last error the library logged on
 * this thread (often the more precise text).  Running out of memory or disk
 * is the machine's failure; anything else is taken as the content's. */
static int av_fail(struct ferr *e, int err, const char *what)
{
	char buf[AV_ERROR_MAX_STRING_SIZE];
	enum ferr_class cls = FERR_CONTENT;

	av_strerror(err, buf, sizeof buf);
	if (err == AVERROR(ENOMEM))
		alloc_failed = 1;
	if (err == AVERROR(ENOMEM) || err == AVERROR(ENOSPC) || err == AVERROR(EDQUOT) ||
	    err == AVERROR(EIO) || err == AVERROR(EROFS) || err == AVERROR(EMFILE) ||
	    err == AVERROR(ENFILE) || err == AVERROR(EFBIG))
		cls = FERR_SYSTEM;
	if (last_log[0] && cls == FERR_CONTENT)
		ferr_set(e, cls, "%s: %s (%s)", what, buf, last_log);
	else
		ferr_set(e, cls, "%s: %s", what, buf);
	return -1;
}

/* ---- the profile ----------------------------------------------------------- */

static int prof_str(const struct config *c, const char *key, const char *def, char *out,
		    size_t n, struct ferr *e)
{
	const char *v = config_get(c, "profile", key);
	size_t len;

	if (v == NULL)
		v = def;
	len = strlen(v);
	if (len >= n)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: longer than %zu characters",
				c->path, key, n - 1);
	memcpy(out, v, len + 1);
	return 0;
}

static int prof_int(const struct config *c, const char *key, long def, long lo, long hi,
		    int *out, struct ferr *e)
{
	long v;

	if (config_get_int(c, "profile", key, def, &v, e) != 0)
		return -1;
	if (v < lo || v > hi)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: %ld is outside %ld..%ld",
				c->path, key, v, lo, hi);
	*out = (int)v;
	return 0;
}

static int prof_dbl(const struct config *c, const char *key, double def, double lo, double hi,
		    double *out, struct ferr *e)
{
	double v;

	if (config_get_double(c, "profile", key, def, &v, e) != 0)
		return -1;
	if (!(v >= lo && v <= hi))
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: %g is outside %g..%g",
				c->path, key, v, lo, hi);
	*out = v;
	return 0;
}

static int prof_bool(const struct config *c, const char *key, bool def, bool *out,
		     struct ferr *e)
{
	const char *v = config_get(c, "profile", key);

	if (v == NULL)
		*out = def;
	else if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: want yes or no, not %s",
				c->path, key, v);
	return 0;
}

/* "128k", "1M", "96000" → bits per second. */
static int prof_bitrate(const struct config *c, const char *key, const char *def,
			int64_t *out, struct ferr *e)
{
	const char *v = config_get(c, "profile", key);
	char *end;
	long long n;

	if (v == NULL)
		v = def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == 0 && (*end == 'k' || *end == 'K') && end[1] == '\0')
		n *= 1000;
	else if (errno == 0 && *end == 'M' && end[1] == '\0')
		n *= 1000000;
	else if (errno != 0 || end == v || *end != '\0')
		n = -1;
	if (n < 8000 || n > 1000000)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: want a bit rate from 8k to 1M, not %s",
				c->path, key, v);
	*out = n;
	return 0;
}

/* A comma-separated list with the spaces taken out, for libavformat. */
static int prof_list(const struct config *c, const char *key, const char *def, char *out,
		     size_t n, struct ferr *e)
{
	char raw[TC_OPTS_MAX];
	size_t k = 0;

	if (prof_str(c, key, def, raw, sizeof raw, e) != 0)
		return -1;
	for (const char *s = raw; *s; s++)
		if (*s != ' ' && *s != '\t' && k + 1 < n)
			out[k++] = *s;
	out[k] = '\0';
	if (k == 0)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] %s: empty", c->path, key);
	return 0;
}

/* The encoder's own settings, tried once on a tiny picture: a preset or a
 * video_options key the encoder refuses is the operator's mistake, found when
 * the config is read rather than recorded against every candidate's video. */
static int try_video_encoder(const struct config *c, const struct tc_profile *p,
			     const AVCodec *vc, struct ferr *e)
{
	AVCodecContext *ctx = avcodec_alloc_context3(vc);
	AVDictionary *o = NULL;
	const AVDictionaryEntry *left;
	char crf[16];
	int err;

	if (ctx == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	ctx->width = 64;
	ctx->height = 64;
	ctx->pix_fmt = AV_PIX_FMT_YUV420P;
	ctx->time_base = (AVRational){ 1, 30 };
	ctx->framerate = (AVRational){ 30, 1 };
	ctx->thread_count = 1;
	snprintf(crf, sizeof crf, "%d", p->crf);
	av_dict_set(&o, "preset", p->preset, 0);
	av_dict_set(&o, "crf", crf, 0);
	av_dict_set(&o, "profile", p->video_profile, 0);
	if (p->video_options[0] && av_dict_parse_string(&o, p->video_options, "=", ":", 0) < 0) {
		av_dict_free(&o);
		avcodec_free_context(&ctx);
		return ferr_set(e, FERR_CONFIG, "%s: [profile] video_options: not k=v:k=v: %s",
				c->path, p->video_options);
	}
	last_log[0] = '\0';
	int level = av_log_get_level();
	if (level > AV_LOG_ERROR)
		av_log_set_level(AV_LOG_ERROR);	/* the trial's own chatter */
	err = avcodec_open2(ctx, vc, &o);
	av_log_set_level(level);
	left = av_dict_get(o, "", NULL, AV_DICT_IGNORE_SUFFIX);
	if (err >= 0 && left != NULL)
		ferr_set(e, FERR_CONFIG, "%s: [profile] video_options: %s has no option '%s'",
			 c->path, p->video_encoder, left->key);
	else if (err < 0)
		ferr_set(e, FERR_CONFIG, "%s: [profile] preset, crf or video_options: %s refuses"
			 " them%s%s", c->path, p->video_encoder, last_log[0] ? ": " : "", last_log);
	av_dict_free(&o);
	avcodec_free_context(&ctx);
	return err >= 0 && left == NULL ? 0 : -1;
}

int tc_profile_load(const struct config *c, struct tc_profile *out, struct ferr *e)
{
	struct tc_profile p;
	const AVCodec *vc, *ac;
	const char *dur;

	/* its keys were checked by config_load() (config_profile_keys) */
	memset(&p, 0, sizeof p);
	config_section_version(c, "profile", p.version);
	if (prof_str(c, "video_encoder", "libx264", p.video_encoder, sizeof p.video_encoder, e) ||
	    prof_str(c, "video_profile", "high", p.video_profile, sizeof p.video_profile, e) ||
	    prof_str(c, "preset", "veryfast", p.preset, sizeof p.preset, e) ||
	    prof_int(c, "crf", 23, 0, 51, &p.crf, e) ||
	    prof_str(c, "video_options", "", p.video_options, sizeof p.video_options, e) ||
	    prof_str(c, "scale_flags", "bicubic", p.scale_flags, sizeof p.scale_flags, e) ||
	    prof_str(c, "tonemap", "hable", p.tonemap, sizeof p.tonemap, e) ||
	    prof_int(c, "max_width", 1280, 16, 8192, &p.max_width, e) ||
	    prof_int(c, "max_height", 720, 16, 8192, &p.max_height, e) ||
	    prof_bool(c, "portrait_box", true, &p.portrait_box, e) ||
	    prof_int(c, "max_fps", 30, 1, 240, &p.max_fps, e) ||
	    prof_str(c, "audio_encoder", "aac", p.audio_encoder, sizeof p.audio_encoder, e) ||
	    prof_bitrate(c, "audio_bitrate", "128k", &p.audio_bitrate, e) ||
	    prof_int(c, "audio_rate", 48000, 8000, 96000, &p.audio_rate, e) ||
	    prof_int(c, "audio_max_channels", 2, 1, 2, &p.audio_max_channels, e) ||
	    prof_dbl(c, "loudness_target", -16, -70, -5, &p.loudness_target, e) ||
	    prof_dbl(c, "loudness_tolerance", 2, 0, 20, &p.loudness_tolerance, e) ||
	    prof_dbl(c, "true_peak", -1.5, -9, 0, &p.true_peak, e) ||
	    prof_dbl(c, "loudness_range", 11, 1, 50, &p.loudness_range, e) ||
	    prof_dbl(c, "silence_peak", -60, -120, 0, &p.silence_peak, e) ||
	    prof_dbl(c, "poster_at", 0.10, 0, 1, &p.poster_at, e) ||
	    prof_int(c, "poster_quality", 3, 2, 31, &p.poster_quality, e) ||
	    prof_dbl(c, "duration_tolerance", 0.5, 0, 60, &p.duration_tolerance, e) ||
	    prof_int(c, "max_streams", 16, 1, 1024, &p.max_streams, e) ||
	    prof_int(c, "max_decode_errors", 16, 0, 100000, &p.max_decode_errors, e) ||
	    prof_list(c, "demuxers", "mov,matroska,avi,asf,mpegts,mpeg,flv,ogg",
		      p.demuxers, sizeof p.demuxers, e))
		return -1;
	{
		long px;
		if (config_get_int(c, "profile", "max_pixels", 7680L * 4320, &px, e) != 0)
			return -1;
		if (px < 256 || px > 16384L * 16384)
			return ferr_set(e, FERR_CONFIG, "%s: [profile] max_pixels: %ld is outside 256..%ld",
					c->path, px, 16384L * 16384);
		p.max_pixels = px;
	}
	dur = config_get(c, "profile", "max_duration");
	if (dur == NULL)
		p.max_duration = 20 * 60;
	else if (config_parse_duration(dur, &p.max_duration) != 0 || p.max_duration <= 0)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] max_duration: not a duration: %s",
				c->path, dur);
	if (strcasecmp(p.video_profile, "high") == 0)
		p.video_profile_id = FF_PROFILE_H264_HIGH;
	else if (strcasecmp(p.video_profile, "main") == 0)
		p.video_profile_id = FF_PROFILE_H264_MAIN;
	else
		return ferr_set(e, FERR_CONFIG, "%s: [profile] video_profile: want high or main, not %s",
				c->path, p.video_profile);
	vc = avcodec_find_encoder_by_name(p.video_encoder);
	if (vc == NULL || vc->id != AV_CODEC_ID_H264)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] video_encoder: %s is not an H.264 encoder"
				" of this libavcodec", c->path, p.video_encoder);
	ac = avcodec_find_encoder_by_name(p.audio_encoder);
	if (ac == NULL || ac->id != AV_CODEC_ID_AAC)
		return ferr_set(e, FERR_CONFIG, "%s: [profile] audio_encoder: %s is not an AAC encoder"
				" of this libavcodec", c->path, p.audio_encoder);
	if (avcodec_find_encoder(AV_CODEC_ID_MJPEG) == NULL)
		return ferr_set(e, FERR_CONFIG, "this libavcodec has no JPEG encoder for posters");
	if (try_video_encoder(c, &p, vc, e) != 0)
		return -1;
	*out = p;
	return 0;
}

/* ---- one normalization ----------------------------------------------------- */

struct tc {
	const struct tc_profile *p;
	const struct tc_job *job;
	struct ferr *e;
	struct tc_result res;

	AVFormatContext *ic, *oc;
	AVStream *ivs, *ias, *ovs, *oas;
	AVCodecContext *vdec, *venc, *adec, *aenc;
	AVFilterGraph *vg, *ag;
	AVFilterContext *vsrc, *vsink, *asrc, *asink;
	AVPacket *pkt;
	AVFrame *frame, *filt;
	bool dst_made, poster_made;

	/* what the source is and what it becomes */
	int rotation;			/* clockwise degrees applied: 0, 90, 180, 270 */
	bool hflip, vflip;
	bool hdr;
	int scale_w, scale_h;		/* before rotation */
	AVRational fps;			/* of the output */
	AVRational src_fps;
	int out_channels;

	int64_t start;			/* source start, AV_TIME_BASE units */
	double end_s;			/* furthest packet end seen, from start */
	int64_t v_last_pts;
	int64_t a_next;			/* next audio pts, encoder time base */
	bool a_started;
	double peak;			/* of the decoded source audio, linear */
	int decode_errors;
	double last_tick;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_source(const struct tc_profile *p, const char *path, AVFormatContext **out,
		       struct ferr *e)
{
	AVFormatContext *ic = NULL;
	AVDictionary *o = NULL;
	char url[URL_MAX];
	int err;

	if (snprintf(url, sizeof url, "file:%s", path) >= (int)sizeof url)
		return ferr_set(e, FERR_SYSTEM, "%s: path too long", path);
	/* The source is hostile: only plain files, and only demuxers that cannot
	 * be told to open other files or URLs (no hls, concat, image2 ...). */
	av_dict_set(&o, "protocol_whitelist", "file", 0);
	av_dict_set(&o, "format_whitelist", p->demuxers, 0);
	err = avformat_open_input(&ic, url, NULL, &o);
	av_dict_free(&o);
	if (err < 0)
		return av_fail(e, err, "opening source");
	if (ic->nb_streams > (unsigned)p->max_streams) {
		ferr_set(e, FERR_CONTENT, "source has %u streams, more than max_streams (%d)",
			 ic->nb_streams, p->max_streams);
		avformat_close_input(&ic);
		return -1;
	}
	err = avformat_find_stream_info(ic, NULL);
	if (err < 0) {
		av_fail(e, err, "reading stream info");
		avformat_close_input(&ic);
		return -1;
	}
	*out = ic;
	return 0;
}

static int open_decoder(AVStream *st, int threads, AVCodecContext **out, struct ferr *e)
{
	const AVCodec *c = avcodec_find_decoder(st->codecpar->codec_id);
	AVCodecContext *d;
	int err;

	if (c == NULL)
		return ferr_set(e, FERR_CONTENT, "no decoder for %s",
				avcodec_get_name(st->codecpar->codec_id));
	d = avcodec_alloc_context3(c);
	if (d == NULL)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	err = avcodec_parameters_to_context(d, st->codecpar);
	if (err >= 0) {
		d->pkt_timebase = st->time_base;
		d->thread_count = threads;
		d->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
		err = avcodec_open2(d, c, NULL);
	}
	if (err < 0) {
		avcodec_free_context(&d);
		return av_fail(e, err, "opening decoder");
	}
	*out = d;
	return 0;
}

/* A frame callback for decode(). */
typedef int frame_fn(void *arg, AVFrame *f);

/* Sends pkt (NULL: flush) to dec and hands every frame out to fn.  Corrupt
 * packets are skipped up to max_errors in all, as players do. */
static int decode(AVCodecContext *dec, const AVPacket *pkt, AVFrame *frame, frame_fn *fn,
		  void *arg, int *errors, int max_errors, const char *what, struct ferr *e)
{
	int err = avcodec_send_packet(dec, pkt);

	if (err == AVERROR_INVALIDDATA && pkt != NULL && ++*errors <= max_errors)
		return 0;
	if (err < 0 && err != AVERROR_EOF)
		return av_fail(e, err, what);
	for (;;) {
		err = avcodec_receive_frame(dec, frame);
		if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
			return 0;
		if (err == AVERROR_INVALIDDATA && ++*errors <= max_errors)
			continue;
		if (err < 0)
			return av_fail(e, err, what);
		err = fn(arg, frame);
		av_frame_unref(frame);
		if (err != 0)
			return -1;
	}
}

/* Largest absolute sample of f, 0..1 (or more for float overs). */
static double frame_peak(const AVFrame *f)
{
	enum AVSampleFormat fmt = f->format;
	int ch = f->ch_layout.nb_channels;
	int planar = av_sample_fmt_is_planar(fmt);
	int planes = planar ? ch : 1;
	int n = planar ? f->nb_samples : f->nb_samples * ch;
	double m = 0;

#define PEAK_LOOP(type, expr)                                                   \
	for (int pl = 0; pl < planes; pl++) {                                   \
		const type *s = (const type *)f->extended_data[pl];             \
		for (int i = 0; i < n; i++) {                                   \
			double v = fabs((double)(expr));                        \
			if (v > m)                                              \
				m = v;                                          \
		}                                                               \
	}
	switch (av_get_packed_sample_fmt(fmt)) {
	case AV_SAMPLE_FMT_U8: PEAK_LOOP(uint8_t, (s[i] - 128) / 128.0) break;
	case AV_SAMPLE_FMT_S16: PEAK_LOOP(int16_t, s[i] / 32768.0) break;
	case AV_SAMPLE_FMT_S32: PEAK_LOOP(int32_t, s[i] / 2147483648.0) break;
	case AV_SAMPLE_FMT_S64: PEAK_LOOP(int64_t, s[i] / 9223372036854775808.0) break;
	case AV_SAMPLE_FMT_FLT: PEAK_LOOP(float, s[i]) break;
	case AV_SAMPLE_FMT_DBL: PEAK_LOOP(double, s[i]) break;
	default: m = 1.0; break;	/* not measurable: never call it silent */
	}
#undef PEAK_LOOP
	return m;
}

/* Decoders may leave a layout as "n channels, order unknown"; filters want
 * a named layout, so give it the default one for that count. */
static void fix_layout(AVFrame *f)
{
	if (f->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {
		int n = f->ch_layout.nb_channels;
		av_channel_layout_uninit(&f->ch_layout);
		av_channel_layout_default(&f->ch_layout, n);
	}
}

/* Builds src → desc → sink.  src's args are the buffer filter's. */
static int build_graph(AVFilterGraph **gp, AVFilterContext **srcp, AVFilterContext **sinkp,
		       bool video, const char *args, const char *desc, int threads,
		       struct ferr *e)
{
	AVFilterGraph *g = avfilter_graph_alloc();
	AVFilterInOut *in = avfilter_inout_alloc(), *out = avfilter_inout_alloc();
	AVFilterContext *src = NULL, *sink = NULL;
	int err = AVERROR(ENOMEM);

	if (g == NULL || in == NULL || out == NULL)
		goto fail;
	g->nb_threads = threads;
	err = avfilter_graph_create_filter(&src, avfilter_get_by_name(video ? "buffer" : "abuffer"),
					   "in", args, NULL, g);
	if (err < 0)
		goto fail;
	err = avfilter_graph_create_filter(&sink, avfilter_get_by_name(video ? "buffersink" :
								      "abuffersink"),
					   "out", NULL, NULL, g);
	if (err < 0)
		goto fail;
	out->name = av_strdup("in");
	out->filter_ctx = src;
	in->name = av_strdup("out");
	in->filter_ctx = sink;
	err = avfilter_graph_parse_ptr(g, desc, &in, &out, NULL);
	if (err < 0)
		goto fail;
	err = avfilter_graph_config(g, NULL);
	if (err < 0)
		goto fail;
	avfilter_inout_free(&in);
	avfilter_inout_free(&out);
	*gp = g;
	*srcp = src;
	*sinkp = sink;
	return 0;
fail:
	avfilter_inout_free(&in);
	avfilter_inout_free(&out);
	avfilter_graph_free(&g);
	return av_fail(e, err, video ? "building video filters" : "building audio filters");
}

static int audio_src_args(const AVFrame *f, AVRational tb, char *args, size_t n)
{
	char layout[128];

	if (av_channel_layout_describe(&f->ch_layout, layout, sizeof layout) < 0)
		return -1;
	if (snprintf(args, n, "time_base=%d/%d:sample_rate=%d:sample_fmt=%s:channel_layout=%s",
		     tb.num, tb.den, f->sample_rate, av_get_sample_fmt_name(f->format),
		     layout) >= (int)n)
		return -1;
	return 0;
}

/* ---- measuring audio that may be copied ------------------------------------ */

struct meter {
	AVFilterGraph *g;
	AVFilterContext *src, *sink;
	AVFrame *out;
	AVRational tb;
	double peak, lufs;
	struct ferr *e;
};

static int meter_pull(struct meter *m)
{
	int err;
	AVDictionaryEntry *de;

	while ((err = av_buffersink_get_frame(m->sink, m->out)) >= 0) {
		de = av_dict_get(m->out->metadata, "lavfi.r128.I", NULL, 0);
		if (de != NULL)
			m->lufs = strtod(de->value, NULL);
		av_frame_unref(m->out);
	}
	if (err != AVERROR(EAGAIN) && err != AVERROR_EOF)
		return av_fail(m->e, err, "measuring loudness");
	return 0;
}

static int meter_frame(void *arg, AVFrame *f)
{
	struct meter *m = arg;
	char args[256];
	int err;
	double pk = frame_peak(f);

	if (pk > m->peak)
		m->peak = pk;
	fix_layout(f);
	if (m->g == NULL) {
		if (audio_src_args(f, m->tb, args, sizeof args) != 0)
			return ferr_set(m->e, FERR_CONTENT, "audio layout not understood");
		if (build_graph(&m->g, &m->src, &m->sink, false, args, "ebur128=metadata=1", 1,
				m->e) != 0)
			return -1;
	}
	err = av_buffersrc_add_frame(m->src, f);
	if (err < 0)
		return av_fail(m->e, err, "measuring loudness");
	return meter_pull(m);
}

/* Integrated loudness (LUFS) and sample peak (linear) of stream ai of path,
 * decoding nothing else.  lufs is NAN when no block was measured. */
static int measure_audio(const struct tc_profile *p, const char *path, int ai, double *lufs,
			 double *peak, struct ferr *e)
{
	AVFormatContext *ic = NULL;
	AVCodecContext *dec = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	struct meter m = { .out = av_frame_alloc(), .lufs = NAN, .e = e };
	int rc = -1, err, errors = 0;

	if (pkt == NULL || frame == NULL || m.out == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	if (open_source(p, path, &ic, e) != 0)
		goto out;
	if (ai >= (int)ic->nb_streams ||
	    ic->streams[ai]->codecpar->codec_type != AVMEDIA_TYPE_AUDIO) {
		ferr_set(e, FERR_CONTENT, "audio stream changed between reads");
		goto out;
	}
	for (unsigned i = 0; i < ic->nb_streams; i++)
		if ((int)i != ai)
			ic->streams[i]->discard = AVDISCARD_ALL;
	m.tb = ic->streams[ai]->time_base;
	if (open_decoder(ic->streams[ai], 1, &dec, e) != 0)
		goto out;
	while ((err = av_read_frame(ic, pkt)) >= 0) {
		int r = 0;
		if (pkt->stream_index == ai)
			r = decode(dec, pkt, frame, meter_frame, &m, &errors, p->max_decode_errors,
				   "decoding audio", e);
		av_packet_unref(pkt);
		if (r != 0)
			goto out;
	}
	if (err != AVERROR_EOF) {
		av_fail(e, err, "reading source");
		goto out;
	}
	if (decode(dec, NULL, frame, meter_frame, &m, &errors, p->max_decode_errors,
		   "decoding audio", e) != 0)
		goto out;
	if (m.g != NULL) {
		err = av_buffersrc_add_frame(m.src, NULL);
		if (err < 0) {
			av_fail(e, err, "measuring loudness");
			goto out;
		}
		if (meter_pull(&m) != 0)
			goto out;
	}
	*lufs = m.lufs;
	*peak = m.peak;
	rc = 0;
out:
	avfilter_graph_free(&m.g);
	av_frame_free(&m.out);
	av_frame_free(&frame);
	av_packet_free(&pkt);
	avcodec_free_context(&dec);
	avformat_close_input(&ic);
	return rc;
}

/* ---- deciding ---------------------------------------------------------------- */

static bool close_q(AVRational a, AVRational b)
{
	double x = av_q2d(a), y = av_q2d(b);

	return x > 0 && y > 0 && fabs(x - y) <= 0.001 * y;
}

/* The source's display matrix as ffmpeg's own player applies it. */
static void read_rotation(struct tc *t)
{
	size_t sz = 0;
	const int32_t *m = (const int32_t *)av_stream_get_side_data(t->ivs,
								  AV_PKT_DATA_DISPLAYMATRIX, &sz);
	double theta = 0;
	int q;

	if (m == NULL || sz < 9 * sizeof(int32_t))
		return;
	theta = -round(av_display_rotation_get(m));
	if (isnan(theta))
		return;
	theta -= 360 * floor(theta / 360 + 0.9 / 360);
	/* odd angles are taken to the nearest quarter turn */
	q = ((int)lround(theta / 90) % 4) * 90;
	if (q == 90) {
		t->rotation = 90;
		t->hflip = m[3] > 0;	/* transpose=cclock_flip is clock + flip */
	} else if (q == 180) {
		t->hflip = m[0] < 0;
		t->vflip = m[4] < 0;
		if (!t->hflip && !t->vflip)
			t->rotation = 180;
	} else if (q == 270) {
		t->rotation = 270;
		t->hflip = m[3] < 0;
	} else {
		t->vflip = m[4] < 0;
	}
}

static AVRational pick_fps(const struct tc *t)
{
	AVRational r = t->src_fps;
	double f = av_q2d(r), max = t->p->max_fps;
	int k;

	if (!(r.num > 0 && r.den > 0) || f <= 0 || f > 1000)
		return (AVRational){ t->p->max_fps, 1 };
	if (f <= max + 0.01)
		return r;
	/* 60 → 30, 50 → 25, 120 → 30: keep frames evenly spaced when a
	 * whole divisor lands close enough below the limit */
	k = (int)ceil(f / max - 1e-9);
	if (f / k >= 0.75 * max)
		return av_mul_q(r, (AVRational){ 1, k });
	return (AVRational){ t->p->max_fps, 1 };
}

static int analyse(struct tc *t)
{
	const struct tc_profile *p = t->p;
	AVCodecParameters *cp;
	int best = -1, bw, bh, dw, dh, ow, oh;
	int64_t bestpx = -1;
	AVRational sar;
	double scale;
	bool square, cfr;

	for (unsigned i = 0; i < t->ic->nb_streams; i++) {
		AVStream *st = t->ic->streams[i];
		int64_t px = (int64_t)st->codecpar->width * st->codecpar->height;
		if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
		    !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) && px > bestpx) {
			best = (int)i;
			bestpx = px;
		}
	}
	if (best < 0)
		return ferr_set(t->e, FERR_CONTENT, "no video stream");
	t->ivs = t->ic->streams[best];
	{
		int ai = av_find_best_stream(t->ic, AVMEDIA_TYPE_AUDIO, -1, best, NULL, 0);
		t->ias = ai >= 0 ? t->ic->streams[ai] : NULL;
	}
	for (unsigned i = 0; i < t->ic->nb_streams; i++)
		if (t->ic->streams[i] != t->ivs && t->ic->streams[i] != t->ias)
			t->ic->streams[i]->discard = AVDISCARD_ALL;

	cp = t->ivs->codecpar;
	if (cp->width <= 0 || cp->height <= 0)
		return ferr_set(t->e, FERR_CONTENT, "video has no frame size");
	if ((int64_t)cp->width * cp->height > p->max_pixels)
		return ferr_set(t->e, FERR_CONTENT, "video is %dx%d, more than max_pixels (%lld)",
				cp->width, cp->height, (long long)p->max_pixels);
	read_rotation(t);
	t->hdr = cp->color_trc == AVCOL_TRC_SMPTE2084 || cp->color_trc == AVCOL_TRC_ARIB_STD_B67;
	t->src_fps = av_guess_frame_rate(t->ic, t->ivs, NULL);
	t->fps = pick_fps(t);

	sar = t->ivs->sample_aspect_ratio.num > 0 ? t->ivs->sample_aspect_ratio :
						  cp->sample_aspect_ratio;
	square = sar.num <= 0 || sar.den <= 0 || sar.num == sar.den;
	dw = square ? cp->width : (int)lround(cp->width * av_q2d(sar));
	dh = cp->height;
	if (dw < 1 || dw > 16384)
		return ferr_set(t->e, FERR_CONTENT, "video aspect ratio %d:%d not usable", sar.num,
				sar.den);
	if (t->rotation == 90 || t->rotation == 270) {
		int s = dw;
		dw = dh;
		dh = s;
	}
	bw = p->max_width;
	bh = p->max_height;
	if (p->portrait_box && dh > dw) {
		bw = p->max_height;
		bh = p->max_width;
	}
	scale = fmin(1.0, fmin((double)bw / dw, (double)bh / dh));
	/* never up, even sizes: floor to the even number below */
	ow = 2 * (int)floor(dw * scale / 2 + 1e-3);
	oh = 2 * (int)floor(dh * scale / 2 + 1e-3);
	if (ow < 2)
		ow = 2;
	if (oh < 2)
		oh = 2;
	t->res.width = ow;
	t->res.height = oh;
	t->scale_w = (t->rotation == 90 || t->rotation == 270) ? oh : ow;
	t->scale_h = (t->rotation == 90 || t->rotation == 270) ? ow : oh;

	cfr = close_q(t->ivs->r_frame_rate, t->ivs->avg_frame_rate);
	t->res.video_copied = cp->codec_id == AV_CODEC_ID_H264 && cp->profile == p->video_profile_id &&
			      cp->format == AV_PIX_FMT_YUV420P && t->rotation == 0 && !t->hflip &&
			      !t->vflip && !t->hdr && square && cp->width == ow && cp->height == oh &&
			      cfr && av_q2d(t->ivs->avg_frame_rate) <= p->max_fps + 0.01;
	if (t->res.video_copied)
		t->fps = t->ivs->avg_frame_rate;
	t->start = t->ic->start_time != AV_NOPTS_VALUE ? t->ic->start_time : 0;
	t->res.has_audio = t->ias != NULL;
	t->res.loudness = NAN;
	if (t->ias) {
		int ch = t->ias->codecpar->ch_layout.nb_channels;
		if (ch < 1)
			return ferr_set(t->e, FERR_CONTENT, "audio has no channels");
		t->out_channels = ch < p->audio_max_channels ? ch : p->audio_max_channels;
	}
	return 0;
}

/* Audio is copied when it already is what the profile would make of it; only
 * then is it worth a separate measuring read. */
static int decide_audio(struct tc *t)
{
	const AVCodecParameters *cp = t->ias->codecpar;
	double lufs = NAN, peak = 0;
	bool silent;

	if (cp->codec_id != AV_CODEC_ID_AAC || cp->profile != FF_PROFILE_AAC_LOW ||
	    cp->sample_rate != t->p->audio_rate || cp->ch_layout.nb_channels > t->p->audio_max_channels)
		return 0;
	if (measure_audio(t->p, t->job->src, t->ias->index, &lufs, &peak, t->e) != 0)
		return -1;
	silent = peak <= 0 || 20 * log10(peak) < t->p->silence_peak;
	t->res.loudness = lufs;
	t->res.audio_silent = silent;
	/* silence has no loudness to correct: re-encoding it changes nothing */
	t->res.audio_copied = silent ||
			      (!isnan(lufs) && fabs(lufs - t->p->loudness_target) <= t->p->loudness_tolerance);
	return 0;
}

/* ---- the output ---------------------------------------------------------------- */

static int create_excl(const char *path, struct ferr *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (fd < 0)
		return ferr_errno(e, errno, "cannot create %s", path);
	if (close(fd) != 0)
		return ferr_errno(e, errno, "cannot close %s", path);
	return 0;
}

/* Tags what the filters make: HDR becomes BT.709; otherwise the source's
 * own tags pass through, except that RGB sources come out as swscale's
 * default BT.601 and HDR transfer tags are never copied. */
static void set_colors(struct tc *t)
{
	const AVCodecParameters *cp = t->ivs->codecpar;
	AVCodecContext *c = t->venc;

	if (t->hdr) {
		c->color_primaries = AVCOL_PRI_BT709;
		c->color_trc = AVCOL_TRC_BT709;
		c->colorspace = AVCOL_SPC_BT709;
	} else if (cp->color_space == AVCOL_SPC_RGB) {
		c->color_primaries = AVCOL_PRI_SMPTE170M;
		c->color_trc = AVCOL_TRC_SMPTE170M;
		c->colorspace = AVCOL_SPC_SMPTE170M;
	} else {
		c->color_primaries = cp->color_primaries;
		c->color_trc = cp->color_trc;
		c->colorspace = cp->color_space;
	}
}

static int open_video_encoder(struct tc *t)
{
	const struct tc_profile *p = t->p;
	const AVCodec *c = avcodec_find_encoder_by_name(p->video_encoder);
	AVDictionary *o = NULL;
	char crf[16];
	int err;

	t->venc = c ? avcodec_alloc_context3(c) : NULL;
	if (t->venc == NULL)
		return ferr_set(t->e, FERR_SYSTEM, "cannot allocate encoder %s", p->video_encoder);
	t->venc->width = t->res.width;
	t->venc->height = t->res.height;
	t->venc->pix_fmt = AV_PIX_FMT_YUV420P;
	t->venc->sample_aspect_ratio = (AVRational){ 1, 1 };
	t->venc->time_base = av_inv_q(t->fps);
	t->venc->framerate = t->fps;
	t->venc->color_range = AVCOL_RANGE_MPEG;
	set_colors(t);
	t->venc->thread_count = t->job->threads;
	if (t->oc->oformat->flags & AVFMT_GLOBALHEADER)
		t->venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	snprintf(crf, sizeof crf, "%d", p->crf);
	av_dict_set(&o, "preset", p->preset, 0);
	av_dict_set(&o, "crf", crf, 0);
	av_dict_set(&o, "profile", p->video_profile, 0);
	if (p->video_options[0] && av_dict_parse_string(&o, p->video_options, "=", ":", 0) < 0) {
		av_dict_free(&o);
		return ferr_set(t->e, FERR_CONFIG, "[profile] video_options: not k=v:k=v: %s",
				p->video_options);
	}
	err = avcodec_open2(t->venc, c, &o);
	av_dict_free(&o);
	if (err < 0)
		return av_fail(t->e, err, "opening video encoder");
	t->ovs = avformat_new_stream(t->oc, NULL);
	if (t->ovs == NULL)
		return ferr_set(t->e, FERR_SYSTEM, "out of memory");
	err = avcodec_parameters_from_context(t->ovs->codecpar, t->venc);
	if (err < 0)
		return av_fail(t->e, err, "video stream parameters");
	t->ovs->time_base = t->venc->time_base;
	t->ovs->avg_frame_rate = t->fps;
	return 0;
}

static int open_audio_encoder(struct tc *t)
{
	const struct tc_profile *p = t->p;
	const AVCodec *c = avcodec_find_encoder_by_name(p->audio_encoder);
	int err;

	t->aenc = c ? avcodec_alloc_context3(c) : NULL;
	if (t->aenc == NULL)
		return ferr_set(t->e, FERR_SYSTEM, "cannot allocate encoder %s", p->audio_encoder);
	t->aenc->sample_rate = p->audio_rate;
	av_channel_layout_default(&t->aenc->ch_layout, t->out_channels);
	t->aenc->sample_fmt = c->sample_fmts ? c->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
	t->aenc->bit_rate = p->audio_bitrate;
	t->aenc->time_base = (AVRational){ 1, p->audio_rate };
	t->aenc->profile = FF_PROFILE_AAC_LOW;
	if (t->oc->oformat->flags & AVFMT_GLOBALHEADER)
		t->aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	err = avcodec_open2(t->aenc, c, NULL);
	if (err < 0)
		return av_fail(t->e, err, "opening audio encoder");
	t->oas = avformat_new_stream(t->oc, NULL);
	if (t->oas == NULL)
		return ferr_set(t->e, FERR_SYSTEM, "out of memory");
	err = avcodec_parameters_from_context(t->oas->codecpar, t->aenc);
	if (err < 0)
		return av_fail(t->e, err, "audio stream parameters");
	t->oas->time_base = t->aenc->time_base;
	return 0;
}

static int copy_stream(struct tc *t, const AVStream *ist, AVStream **ost)
{
	int err;

	*ost = avformat_new_stream(t->oc, NULL);
	if (*ost == NULL)
		return ferr_set(t->e, FERR_SYSTEM, "out of memory");
	/* codec parameters only: metadata and side data stay behind */
	err = avcodec_parameters_copy((*ost)->codecpar, ist->codecpar);
	if (err < 0)
		return av_fail(t->e, err, "copying stream parameters");
	(*ost)->codecpar->codec_tag = 0;
	(*ost)->time_base = ist->time_base;
	(*ost)->avg_frame_rate = ist->avg_frame_rate;
	return 0;
}

static int open_output(struct tc *t)
{
	AVDictionary *o = NULL;
	char url[URL_MAX];
	int err;

	if (snprintf(url, sizeof url, "file:%s", t->job->dst) >= (int)sizeof url)
		return ferr_set(t->e, FERR_SYSTEM, "%s: path too long", t->job->dst);
	if (create_excl(t->job->dst, t->e) != 0)
		return -1;
	t->dst_made = true;
	err = avformat_alloc_output_context2(&t->oc, NULL, "mp4", url);
	if (err < 0)
		return av_fail(t->e, err, "creating output");
	/* no "encoder" tag: the title is the only metadata written */
	t->oc->flags |= AVFMT_FLAG_BITEXACT;
	if (t->res.video_copied ? copy_stream(t, t->ivs, &t->ovs) : open_video_encoder(t))
		return -1;
	if (t->ias && (t->res.audio_copied ? copy_stream(t, t->ias, &t->oas) :
					     open_audio_encoder(t)))
		return -1;
	err = avio_open(&t->oc->pb, url, AVIO_FLAG_WRITE);
	if (err < 0)
		return av_fail(t->e, err, "opening output");
	av_dict_set(&t->oc->metadata, "title", t->job->title, 0);
	av_dict_set(&o, "movflags", "+faststart", 0);
	err = avformat_write_header(t->oc, &o);
	av_dict_free(&o);
	if (err < 0)
		return av_fail(t->e, err, "writing output header");
	return 0;
}

static int write_packet(struct tc *t, AVPacket *pkt, AVRational from, AVStream *ost)
{
	int err;

	pkt->stream_index = ost->index;
	pkt->pos = -1;
	av_packet_rescale_ts(pkt, from, ost->time_base);
	err = av_interleaved_write_frame(t->oc, pkt);
	if (err < 0)
		return av_fail(t->e, err, "writing output");
	return 0;
}

static int encode(struct tc *t, AVCodecContext *enc, AVFrame *f, AVStream *ost)
{
	int err = avcodec_send_frame(enc, f);

	if (err < 0)
		return av_fail(t->e, err, enc == t->venc ? "encoding video" : "encoding audio");
	for (;;) {
		err = avcodec_receive_packet(enc, t->pkt);
		if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
			return 0;
		if (err < 0)
			return av_fail(t->e, err, enc == t->venc ? "encoding video" : "encoding audio");
		if (enc == t->venc && t->pkt->duration <= 0)
			t->pkt->duration = 1;	/* one frame: time base is 1/fps */
		err = write_packet(t, t->pkt, enc->time_base, ost);
		av_packet_unref(t->pkt);
		if (err != 0)
			return -1;
	}
}

/* ---- video ------------------------------------------------------------------- */

static int build_video_graph(struct tc *t, const AVFrame *f)
{
	char args[256], desc[FILTER_DESC_MAX];
	AVRational sar = f->sample_aspect_ratio.num > 0 ? f->sample_aspect_ratio :
							  t->ivs->codecpar->sample_aspect_ratio;
	AVRational tb = t->ivs->time_base;
	size_t n = 0;
	int k;

	if (sar.num <= 0 || sar.den <= 0)
		sar = (AVRational){ 1, 1 };
	if (snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:"
		     "pixel_aspect=%d/%d", f->width, f->height, f->format, tb.num, tb.den,
		     sar.num, sar.den) >= (int)sizeof args)
		return ferr_set(t->e, FERR_SYSTEM, "filter arguments too long");
#define ADD(...)                                                                        \
	do {                                                                            \
		k = snprintf(desc + n, sizeof desc - n, __VA_ARGS__);                   \
		if (k < 0 || (size_t)k >= sizeof desc - n)                              \
			return ferr_set(t->e, FERR_SYSTEM, "filter description too long"); \
		n += (size_t)k;                                                         \
	} while (0)
	/* drop frames first, scale before turning: least work per frame */
	ADD("fps=%d/%d", t->fps.num, t->fps.den);
	if (t->hdr) {
		/* HDR (PQ or HLG) to SDR BT.709: to linear light, tone map, back */
		const char *tin = f->color_trc == AVCOL_TRC_ARIB_STD_B67 ? "arib-std-b67" : "smpte2084";
		ADD(",zscale=tin=%s:pin=bt2020:min=bt2020nc:rin=%s:t=linear:npl=100,"
		    "format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=%s:desat=0,"
		    "zscale=t=bt709:m=bt709:r=tv,format=yuv420p", tin,
		    f->color_range == AVCOL_RANGE_JPEG ? "pc" : "tv", t->p->tonemap);
	}
	/* the matrix stays the source's (converting it would cost a full
	 * pass for nothing the scorers see); only full range is brought to tv */
	ADD(",scale=%d:%d:flags=%s:out_range=tv", t->scale_w, t->scale_h, t->p->scale_flags);
	if (t->rotation == 90)
		ADD(",transpose=%s", t->hflip ? "cclock_flip" : "clock");
	else if (t->rotation == 270)
		ADD(",transpose=%s", t->hflip ? "clock_flip" : "cclock");
	else if (t->rotation == 180)
		ADD(",hflip,vflip");
	else {
		if (t->hflip)
			ADD(",hflip");
		if (t->vflip)
			ADD(",vflip");
	}
	ADD(",setsar=1,format=yuv420p");
#undef ADD
	return build_graph(&t->vg, &t->vsrc, &t->vsink, true, args, desc, t->job->threads, t->e);
}

static int pull_video(struct tc *t)
{
	int err;

	while ((err = av_buffersink_get_frame(t->vsink, t->filt)) >= 0) {
		t->filt->pict_type = AV_PICTURE_TYPE_NONE;
		t->filt->pts = av_rescale_q(t->filt->pts, av_buffersink_get_time_base(t->vsink),
					    t->venc->time_base);
		err = encode(t, t->venc, t->filt, t->ovs);
		av_frame_unref(t->filt);
		if (err != 0)
			return -1;
	}
	if (err != AVERROR(EAGAIN) && err != AVERROR_EOF)
		return av_fail(t->e, err, "filtering video");
	return 0;
}

static int video_frame(void *arg, AVFrame *f)
{
	struct tc *t = arg;
	int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
	int64_t step = av_rescale_q(1, av_inv_q(t->fps), t->ivs->time_base);
	int err;

	if (t->vg == NULL && build_video_graph(t, f) != 0)
		return -1;
	if (ts == AV_NOPTS_VALUE)
		ts = t->v_last_pts == AV_NOPTS_VALUE ? 0 : t->v_last_pts + (step > 0 ? step : 1);
	else
		ts -= av_rescale_q(t->start, AV_TIME_BASE_Q, t->ivs->time_base);
	t->v_last_pts = ts;
	f->pts = ts;
	err = av_buffersrc_add_frame(t->vsrc, f);
	if (err < 0)
		return av_fail(t->e, err, "filtering video");
	return pull_video(t);
}

/* ---- audio ------------------------------------------------------------------- */

static int build_audio_graph(struct tc *t, const AVFrame *f)
{
	const struct tc_profile *p = t->p;
	char args[256], desc[FILTER_DESC_MAX];
	const char *layout = t->out_channels == 1 ? "mono" : "stereo";
	int err;

	if (audio_src_args(f, t->ias->time_base, args, sizeof args) != 0)
		return ferr_set(t->e, FERR_CONTENT, "audio layout not understood");
	/* down to the output's channels first (loudness is measured on what is
	 * heard), EBU R128 single pass, then the encoder's rate and format.
	 * loudnorm works at 192 kHz and hands out its first 3 s as one frame;
	 * cut into 100 ms before resampling, or swresample sizes its buffers
	 * for that frame (some 28 MB for stereo, a tenth of the 1080p budget) */
	if (snprintf(desc, sizeof desc,
		     "aformat=channel_layouts=%s,loudnorm=I=%.1f:TP=%.1f:LRA=%.1f,"
		     "asetnsamples=n=19200:p=0,"
		     "aresample=%d,aformat=sample_fmts=%s:sample_rates=%d:channel_layouts=%s",
		     layout, p->loudness_target, p->true_peak, p->loudness_range, p->audio_rate,
		     av_get_sample_fmt_name(t->aenc->sample_fmt), p->audio_rate,
		     layout) >= (int)sizeof desc)
		return ferr_set(t->e, FERR_SYSTEM, "filter description too long");
	err = build_graph(&t->ag, &t->asrc, &t->asink, false, args, desc, 1, t->e);
	if (err == 0 && !(t->aenc->codec->capabilities & AV_CODEC_CAP_VARIABLE_FRAME_SIZE))
		av_buffersink_set_frame_size(t->asink, (unsigned)t->aenc->frame_size);
	return err;
}

static int pull_audio(struct tc *t)
{
	int err;

	while ((err = av_buffersink_get_frame(t->asink, t->filt)) >= 0) {
		/* the encoder's clock runs on samples out; the first frame's time
		 * keeps the source's offset against the video */
		if (!t->a_started) {
			t->a_next = t->filt->pts == AV_NOPTS_VALUE ? 0 :
				    av_rescale_q(t->filt->pts, av_buffersink_get_time_base(t->asink),
						 t->aenc->time_base);
			t->a_started = true;
		}
		t->filt->pts = t->a_next;
		t->a_next += t->filt->nb_samples;
		err = encode(t, t->aenc, t->filt, t->oas);
		av_frame_unref(t->filt);
		if (err != 0)
			return -1;
	}
	if (err != AVERROR(EAGAIN) && err != AVERROR_EOF)
		return av_fail(t->e, err, "filtering audio");
	return 0;
}

static int audio_frame(void *arg, AVFrame *f)
{
	struct tc *t = arg;
	double pk = frame_peak(f);
	int64_t ts = f->best_effort_timestamp != AV_NOPTS_VALUE ? f->best_effort_timestamp : f->pts;
	int err;

	if (pk > t->peak)
		t->peak = pk;
	fix_layout(f);
	if (t->ag == NULL && build_audio_graph(t, f) != 0)
		return -1;
	f->pts = ts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE :
					ts - av_rescale_q(t->start, AV_TIME_BASE_Q, t->ias->time_base);
	err = av_buffersrc_add_frame(t->asrc, f);
	if (err < 0)
		return av_fail(t->e, err, "filtering audio");
	return pull_audio(t);
}

/* ---- the loop ---------------------------------------------------------------- */

static int copy_packet(struct tc *t, AVPacket *pkt, const AVStream *ist, AVStream *ost)
{
	int64_t off = av_rescale_q(t->start, AV_TIME_BASE_Q, ist->time_base);

	if (pkt->pts != AV_NOPTS_VALUE)
		pkt->pts -= off;
	if (pkt->dts != AV_NOPTS_VALUE)
		pkt->dts -= off;
	return write_packet(t, pkt, ist->time_base, ost);
}

/* Notes how far into the source this packet reaches. */
static void track_end(struct tc *t, const AVPacket *pkt, const AVStream *st)
{
	int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	double end, dur;

	if (ts == AV_NOPTS_VALUE)
		return;
	dur = pkt->duration > 0 ? pkt->duration * av_q2d(st->time_base) :
	      st == t->ivs && t->src_fps.num > 0 ? 1 / av_q2d(t->src_fps) : 0;
	end = ts * av_q2d(st->time_base) + dur - t->start / (double)AV_TIME_BASE;
	if (end > t->end_s && end < 1e9)
		t->end_s = end;
}

static void tick(struct tc *t, bool force)
{
	double now;

	if (t->job->progress == NULL)
		return;
	now = now_s();
	if (!force && now - t->last_tick < 0.25)
		return;
	t->last_tick = now;
	t->job->progress(t->job->progress_arg, t->end_s,
			 t->job->src_duration > 0 ? t->job->src_duration :
			 t->ic->duration > 0 ? t->ic->duration / (double)AV_TIME_BASE : 0);
}

static int flush(struct tc *t)
{
	int err;

	if (!t->res.video_copied) {
		if (decode(t->vdec, NULL, t->frame, video_frame, t, &t->decode_errors,
			   t->p->max_decode_errors, "decoding video", t->e) != 0)
			return -1;
		if (t->vg == NULL)
			return ferr_set(t->e, FERR_CONTENT, "no video frame could be decoded%s%s",
					last_log[0] ? ": " : "", last_log);
		err = av_buffersrc_add_frame(t->vsrc, NULL);
		if (err < 0)
			return av_fail(t->e, err, "filtering video");
		if (pull_video(t) != 0 || encode(t, t->venc, NULL, t->ovs) != 0)
			return -1;
	}
	if (t->ias && !t->res.audio_copied) {
		if (decode(t->adec, NULL, t->frame, audio_frame, t, &t->decode_errors,
			   t->p->max_decode_errors, "decoding audio", t->e) != 0)
			return -1;
		if (t->ag == NULL)
			return ferr_set(t->e, FERR_CONTENT, "no audio could be decoded%s%s",
					last_log[0] ? ": " : "", last_log);
		err = av_buffersrc_add_frame(t->asrc, NULL);
		if (err < 0)
			return av_fail(t->e, err, "filtering audio");
		if (pull_audio(t) != 0 || encode(t, t->aenc, NULL, t->oas) != 0)
			return -1;
		t->res.audio_silent = t->peak <= 0 || 20 * log10(t->peak) < t->p->silence_peak;
	}
	err = av_write_trailer(t->oc);
	if (err < 0)
		return av_fail(t->e, err, "finishing output");
	err = avio_closep(&t->oc->pb);
	if (err < 0)
		return av_fail(t->e, err, "closing output");
	return 0;
}

static int run(struct tc *t)
{
	int err;

	if (!t->res.video_copied &&
	    open_decoder(t->ivs, t->job->threads, &t->vdec, t->e) != 0)
		return -1;
	if (t->ias && !t->res.audio_copied && open_decoder(t->ias, 1, &t->adec, t->e) != 0)
		return -1;
	while ((err = av_read_frame(t->ic, t->pkt)) >= 0) {
		AVStream *st = t->ic->streams[t->pkt->stream_index];
		int r = 0;

		if (st == t->ivs || st == t->ias)
			track_end(t, t->pkt, st);
		if (t->end_s > t->p->max_duration + 1) {
			av_packet_unref(t->pkt);
			return ferr_set(t->e, FERR_CONTENT, "source runs past max_duration (%.0f s)",
					t->p->max_duration);
		}
		if (st == t->ivs && t->res.video_copied)
			r = copy_packet(t, t->pkt, st, t->ovs);
		else if (st == t->ivs)
			r = decode(t->vdec, t->pkt, t->frame, video_frame, t, &t->decode_errors,
				   t->p->max_decode_errors, "decoding video", t->e);
		else if (st == t->ias && t->res.audio_copied)
			r = copy_packet(t, t->pkt, st, t->oas);
		else if (st == t->ias)
			r = decode(t->adec, t->pkt, t->frame, audio_frame, t, &t->decode_errors,
				   t->p->max_decode_errors, "decoding audio", t->e);
		av_packet_unref(t->pkt);
		if (r != 0)
			return -1;
		tick(t, false);
	}
	if (err != AVERROR_EOF)
		return av_fail(t->e, err, "reading source");
	if (flush(t) != 0)
		return -1;
	tick(t, true);
	return 0;
}

/* ---- checking what was written ------------------------------------------------- */

int tc_moov_first(const char *path, struct ferr *e)
{
	unsigned char h[16];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	off_t at = 0;
	int rc = 0;

	if (fd < 0)
		return ferr_errno(e, errno, "cannot open %s", path);
	for (int i = 0; i < MOOV_SCAN_BOXES; i++) {
		ssize_t k = pread(fd, h, sizeof h, at);
		uint64_t size;

		if (k < 8)
			break;
		size = (uint64_t)h[0] << 24 | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 8 | h[3];
		if (size == 1 && k == 16) {
			size = 0;
			for (int j = 8; j < 16; j++)
				size = size << 8 | h[j];
		}
		if (memcmp(h + 4, "moov", 4) == 0) {
			rc = 1;
			break;
		}
		if (memcmp(h + 4, "mdat", 4) == 0 || size < 8 || size > (uint64_t)INT64_MAX - at)
			break;
		at += (off_t)size;
	}
	close(fd);
	return rc;
}

static bool tag_allowed(const char *key, bool stream)
{
	static const char *const fmt_ok[] = { "major_brand", "minor_version",
					      "compatible_brands", "title", NULL };
	static const char *const st_ok[] = { "handler_name", "vendor_id", "language", NULL };
	const char *const *ok = stream ? st_ok : fmt_ok;

	for (int i = 0; ok[i]; i++)
		if (strcmp(key, ok[i]) == 0)
			return true;
	return false;
}

static int check_tags(const AVDictionary *d, bool stream, struct ferr *e)
{
	const AVDictionaryEntry *de = NULL;

	while ((de = av_dict_get(d, "", de, AV_DICT_IGNORE_SUFFIX)) != NULL)
		if (!tag_allowed(de->key, stream))
			return ferr_set(e, FERR_CONTENT, "output verification: metadata %s left in",
					de->key);
	return 0;
}

/* Re-probes the output as a player would and checks it against the profile. */
static int verify(struct tc *t)
{
	const struct tc_profile *p = t->p;
	AVFormatContext *ic = NULL;
	AVDictionary *o = NULL;
	char url[URL_MAX];
	int nv = 0, na = 0, rc = -1, err;
	double want, got;

	snprintf(url, sizeof url, "file:%s", t->job->dst);
	av_dict_set(&o, "protocol_whitelist", "file", 0);
	av_dict_set(&o, "format_whitelist", "mov", 0);
	err = avformat_open_input(&ic, url, NULL, &o);
	av_dict_free(&o);
	if (err < 0)
		return av_fail(t->e, err, "output verification: opening");
	err = avformat_find_stream_info(ic, NULL);
	if (err < 0) {
		av_fail(t->e, err, "output verification: reading stream info");
		goto out;
	}
	if (check_tags(ic->metadata, false, t->e) != 0)
		goto out;
	for (unsigned i = 0; i < ic->nb_streams; i++) {
		const AVStream *st = ic->streams[i];
		const AVCodecParameters *cp = st->codecpar;
		size_t sz;

		if (check_tags(st->metadata, true, t->e) != 0)
			goto out;
		if (cp->codec_type == AVMEDIA_TYPE_VIDEO) {
			nv++;
			if (cp->codec_id != AV_CODEC_ID_H264 || cp->format != AV_PIX_FMT_YUV420P ||
			    cp->profile != p->video_profile_id || cp->width != t->res.width ||
			    cp->height != t->res.height) {
				ferr_set(t->e, FERR_CONTENT, "output verification: video is %s %s %s"
					 " %dx%d, want h264 %s yuv420p %dx%d",
					 avcodec_get_name(cp->codec_id),
					 avcodec_profile_name(cp->codec_id, cp->profile) ?
					 avcodec_profile_name(cp->codec_id, cp->profile) : "?",
					 av_get_pix_fmt_name(cp->format) ? av_get_pix_fmt_name(cp->format) : "?",
					 cp->width, cp->height, p->video_profile,
					 t->res.width, t->res.height);
				goto out;
			}
			if (av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &sz) != NULL) {
				ferr_set(t->e, FERR_CONTENT, "output verification: rotation matrix left in");
				goto out;
			}
			t->res.fps_num = st->avg_frame_rate.num;
			t->res.fps_den = st->avg_frame_rate.den;
		} else if (cp->codec_type == AVMEDIA_TYPE_AUDIO) {
			na++;
			if (cp->codec_id != AV_CODEC_ID_AAC || cp->sample_rate != p->audio_rate ||
			    cp->ch_layout.nb_channels < 1 ||
			    cp->ch_layout.nb_channels > p->audio_max_channels) {
				ferr_set(t->e, FERR_CONTENT, "output verification: audio is %s %d Hz"
					 " %d channels, want aac %d Hz, at most %d channels",
					 avcodec_get_name(cp->codec_id), cp->sample_rate,
					 cp->ch_layout.nb_channels, p->audio_rate, p->audio_max_channels);
				goto out;
			}
		}
	}
	if (nv != 1 || na != (t->res.has_audio ? 1 : 0)) {
		ferr_set(t->e, FERR_CONTENT, "output verification: %d video and %d audio streams,"
			 " want 1 and %d", nv, na, t->res.has_audio ? 1 : 0);
		goto out;
	}
	want = t->job->src_duration > 0 ? t->job->src_duration : t->end_s;
	got = ic->duration > 0 ? ic->duration / (double)AV_TIME_BASE : 0;
	if (!(fabs(got - want) <= p->duration_tolerance)) {
		ferr_set(t->e, FERR_CONTENT, "output verification: lasts %.3f s, the source %.3f s",
			 got, want);
		goto out;
	}
	err = tc_moov_first(t->job->dst, t->e);
	if (err < 0)
		goto out;
	if (err == 0) {
		ferr_set(t->e, FERR_CONTENT, "output verification: index (moov) not before the media");
		goto out;
	}
	t->res.src_duration = want;
	t->res.out_duration = got;
	rc = 0;
out:
	avformat_close_input(&ic);
	return rc;
}

/* ---- the poster ---------------------------------------------------------------- */

struct poster {
	int64_t target;		/* stream time base */
	AVFrame *pick;
	bool done;
	struct ferr *e;
};

static int poster_frame(void *arg, AVFrame *f)
{
	struct poster *ps = arg;
	int64_t ts = f->best_effort_timestamp;

	if (ps->done)
		return 0;
	av_frame_unref(ps->pick);
	if (av_frame_ref(ps->pick, f) < 0)
		return ferr_set(ps->e, FERR_SYSTEM, "poster: out of memory");
	if (ts != AV_NOPTS_VALUE && ts >= ps->target)
		ps->done = true;
	return 0;
}

static int write_all(const char *path, const uint8_t *buf, size_t n, struct ferr *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (fd < 0)
		return ferr_errno(e, errno, "cannot create %s", path);
	while (n > 0) {
		ssize_t k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ferr_errno(e, errno, "cannot write %s", path);
			close(fd);
			return -1;
		}
		buf += k;
		n -= (size_t)k;
	}
	if (close(fd) != 0)
		return ferr_errno(e, errno, "cannot close %s", path);
	return 0;
}

/* A JPEG of the output's frame at poster_at of its length.  Taken from the
 * verified output, so it is upright and scaled whatever the source was. */
static int make_poster(struct tc *t)
{
	AVFormatContext *ic = NULL;
	AVCodecContext *dec = NULL, *enc = NULL;
	struct SwsContext *sws = NULL;
	AVFrame *frame = av_frame_alloc(), *jpg = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	struct poster ps = { .pick = av_frame_alloc(), .e = t->e };
	AVDictionary *o = NULL;
	const AVCodec *jc = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
	const AVStream *st;
	char url[URL_MAX];
	int vi, err, errors = 0, rc = -1;

	if (frame == NULL || jpg == NULL || pkt == NULL || ps.pick == NULL || jc == NULL) {
		ferr_set(t->e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	snprintf(url, sizeof url, "file:%s", t->job->dst);
	av_dict_set(&o, "protocol_whitelist", "file", 0);
	av_dict_set(&o, "format_whitelist", "mov", 0);
	err = avformat_open_input(&ic, url, NULL, &o);
	av_dict_free(&o);
	if (err < 0 || (err = avformat_find_stream_info(ic, NULL)) < 0) {
		av_fail(t->e, err, "poster: opening output");
		goto out;
	}
	vi = av_find_best_stream(ic, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (vi < 0) {
		av_fail(t->e, vi, "poster: finding video");
		goto out;
	}
	st = ic->streams[vi];
	for (unsigned i = 0; i < ic->nb_streams; i++)
		if ((int)i != vi)
			ic->streams[i]->discard = AVDISCARD_ALL;
	if (open_decoder(ic->streams[vi], t->job->threads, &dec, t->e) != 0)
		goto out;
	ps.target = av_rescale_q((int64_t)(t->res.out_duration * t->p->poster_at * AV_TIME_BASE),
				 AV_TIME_BASE_Q, st->time_base);
	if (st->start_time != AV_NOPTS_VALUE)
		ps.target += st->start_time;
	if (ps.target > 0)
		av_seek_frame(ic, vi, ps.target, AVSEEK_FLAG_BACKWARD);	/* else decode from 0 */
	while (!ps.done && (err = av_read_frame(ic, pkt)) >= 0) {
		int r = pkt->stream_index == vi ?
			decode(dec, pkt, frame, poster_frame, &ps, &errors, 0, "poster: decoding",
			       t->e) : 0;
		av_packet_unref(pkt);
		if (r != 0)
			goto out;
	}
	if (!ps.done && decode(dec, NULL, frame, poster_frame, &ps, &errors, 0, "poster: decoding",
			       t->e) != 0)
		goto out;
	if (ps.pick->width <= 0) {
		ferr_set(t->e, FERR_CONTENT, "poster: no frame decoded");
		goto out;
	}
	sws = sws_getContext(ps.pick->width, ps.pick->height, ps.pick->format, ps.pick->width,
			     ps.pick->height, AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, NULL, NULL, NULL);
	jpg->width = ps.pick->width;
	jpg->height = ps.pick->height;
	jpg->format = AV_PIX_FMT_YUVJ420P;
	if (sws == NULL || av_frame_get_buffer(jpg, 0) < 0) {
		ferr_set(t->e, FERR_SYSTEM, "poster: out of memory");
		goto out;
	}
	sws_scale(sws, (const uint8_t *const *)ps.pick->data, ps.pick->linesize, 0,
		  ps.pick->height, jpg->data, jpg->linesize);
	enc = avcodec_alloc_context3(jc);
	if (enc == NULL) {
		ferr_set(t->e, FERR_SYSTEM, "poster: out of memory");
		goto out;
	}
	enc->width = jpg->width;
	enc->height = jpg->height;
	enc->pix_fmt = AV_PIX_FMT_YUVJ420P;
	enc->color_range = AVCOL_RANGE_JPEG;
	enc->time_base = (AVRational){ 1, 25 };
	enc->flags |= AV_CODEC_FLAG_QSCALE;
	enc->global_quality = FF_QP2LAMBDA * t->p->poster_quality;
	jpg->quality = enc->global_quality;
	jpg->pts = 0;
	if ((err = avcodec_open2(enc, jc, NULL)) < 0 || (err = avcodec_send_frame(enc, jpg)) < 0 ||
	    (err = avcodec_send_frame(enc, NULL)) < 0 ||
	    (err = avcodec_receive_packet(enc, pkt)) < 0) {
		av_fail(t->e, err, "poster: encoding");
		goto out;
	}
	t->poster_made = true;
	rc = write_all(t->job->poster, pkt->data, (size_t)pkt->size, t->e);
	av_packet_unref(pkt);
out:
	sws_freeContext(sws);
	avcodec_free_context(&enc);
	avcodec_free_context(&dec);
	avformat_close_input(&ic);
	av_frame_free(&ps.pick);
	av_frame_free(&frame);
	av_frame_free(&jpg);
	av_packet_free(&pkt);
	return rc;
}

/* ---- the whole of it --------------------------------------------------------------- */

/* Frees what transcoding used; the analysis results in t stay.  Cannot fail. */
static void release(struct tc *t)
{
	avfilter_graph_free(&t->vg);
	avfilter_graph_free(&t->ag);
	avcodec_free_context(&t->vdec);
	avcodec_free_context(&t->venc);
	avcodec_free_context(&t->adec);
	avcodec_free_context(&t->aenc);
	if (t->oc) {
		avio_closep(&t->oc->pb);
		avformat_free_context(t->oc);
		t->oc = NULL;
	}
	avformat_close_input(&t->ic);
	av_packet_free(&t->pkt);
	av_frame_free(&t->frame);
	av_frame_free(&t->filt);
}

int tc_normalize(const struct tc_profile *p, const struct tc_job *job, struct tc_result *r,
		 struct ferr *e)
{
	struct tc t;
	int rc = -1;

	memset(&t, 0, sizeof t);
	t.p = p;
	t.job = job;
	t.e = e;
	t.v_last_pts = AV_NOPTS_VALUE;
	last_log[0] = '\0';
	t.pkt = av_packet_alloc();
	t.frame = av_frame_alloc();
	t.filt = av_frame_alloc();
	if (t.pkt == NULL || t.frame == NULL || t.filt == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	if (open_source(p, job->src, &t.ic, e) != 0 || analyse(&t) != 0 ||
	    (t.ias && decide_audio(&t) != 0) || open_output(&t) != 0 || run(&t) != 0)
		goto out;
	/* the encoders' memory goes back before the output is read again */
	release(&t);
	if (verify(&t) != 0 || make_poster(&t) != 0)
		goto out;
	*r = t.res;
	rc = 0;
out:
	release(&t);
	if (rc != 0) {
		if (t.dst_made)
			unlink(job->dst);
		if (t.poster_made)
			unlink(job->poster);
	}
	return rc;
}
