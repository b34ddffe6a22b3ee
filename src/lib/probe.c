#include "probe.h"

#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Demuxers folio opens.  Playlists and concatenation (hls, concat, image2...)
 * would make libavformat read other files named by the candidate's data. */
#define FORMAT_WHITELIST                                                        \
	"mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,asf,flv,mpeg,mpegts,mpegps,"  \
	"ogg,wav,w64,flac,mp3,aac,amr,ac3,eac3,aiff,caf,dv,h264,hevc,m4v,wv,ape," \
	"mxf,nut,rm,ivf,dts,truehd,opus,gsm,au,voc,yuv4mpegpipe"

/* Containers whose header duration comes from an index of the data itself:
 * when the data ends short of it, the file was cut off. */
static bool indexed_format(const char *name)
{
	static const char *const idx[] = { "mov", "mp4", "wav", "w64", "flac", "avi", "asf",
					   "aiff", "caf", NULL };
	for (int i = 0; idx[i]; i++)
		if (strstr(name, idx[i]) != NULL)
			return true;
	return false;
}

const char *probe_kind(const struct probe_result *r)
{
	if (r->video_streams > 0)
		return "video";
	if (r->audio_streams > 0)
		return "audio";
	return NULL;
}

static void set_error(struct probe_result *r, const char *what, int averr)
{
	char buf[AV_ERROR_MAX_STRING_SIZE];

	av_strerror(averr, buf, sizeof buf);
	snprintf(r->error, sizeof r->error, "%s: %s", what, buf);
	r->corrupt = true;
}

static int rotation_of(AVStream *st)
{
	const uint8_t *m = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
	double theta;
	int deg;

	if (m == NULL)
		return 0;
	theta = av_display_rotation_get((const int32_t *)m);
	if (isnan(theta))
		return 0;
	/* FFmpeg's convention, as ffprobe prints it: degrees counter-clockwise */
	deg = (int)lround(theta) % 360;
	if (deg < 0)
		deg += 360;
	return (deg + 45) / 90 * 90 % 360;
}

int probe_file(const char *path, const struct probe_limits *lim, struct probe_result *out,
	       struct ferr *e)
{
	AVFormatContext *fc = NULL;
	AVDictionary *opts = NULL;
	AVPacket *pkt = NULL;
	struct probe_result r;
	int64_t *first = NULL, *last = NULL;
	int ret, rc = -1;
	unsigned ns;

	memset(&r, 0, sizeof r);
	r.duration_s = r.header_duration_s = -1;
	snprintf(r.method, sizeof r.method, "packets");
	av_log_set_level(AV_LOG_QUIET);
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	av_dict_set(&opts, "format_whitelist", FORMAT_WHITELIST, 0);
	ret = avformat_open_input(&fc, path, NULL, &opts);
	av_dict_free(&opts);
	if (ret < 0) {
		if (ret == AVERROR(ENOMEM)) {
			ferr_set(e, FERR_SYSTEM, "libavformat: out of memory");
			goto out;
		}
		set_error(&r, "cannot open", ret);
		rc = 0;
		goto out;
	}
	r.opened = true;
	snprintf(r.format, sizeof r.format, "%s", fc->iformat->name);
	ret = avformat_find_stream_info(fc, NULL);
	if (ret < 0) {
		set_error(&r, "cannot read stream info", ret);
		rc = 0;
		goto out;
	}
	ns = fc->nb_streams;
	for (unsigned i = 0; i < ns; i++) {
		AVStream *st = fc->streams[i];
		const AVCodecParameters *par = st->codecpar;
		if (par->codec_type == AVMEDIA_TYPE_VIDEO &&
		    !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
			if (r.video_streams++ == 0) {
				snprintf(r.video_codec, sizeof r.video_codec, "%s",
					 avcodec_get_name(par->codec_id));
				r.width = par->width;
				r.height = par->height;
				r.rotation = rotation_of(st);
			}
		} else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
			if (r.audio_streams++ == 0)
				snprintf(r.audio_codec, sizeof r.audio_codec, "%s",
					 avcodec_get_name(par->codec_id));
		}
	}
	if (fc->duration != AV_NOPTS_VALUE && fc->duration > 0)
		r.header_duration_s = fc->duration / (double)AV_TIME_BASE;

	first = av_malloc_array(ns ? ns : 1, sizeof *first);
	last = av_malloc_array(ns ? ns : 1, sizeof *last);
	pkt = av_packet_alloc();
	if (first == NULL || last == NULL || pkt == NULL) {
		ferr_set(e, FERR_SYSTEM, "libavformat: out of memory");
		goto out;
	}
	for (unsigned i = 0; i < ns; i++)
		first[i] = last[i] = AV_NOPTS_VALUE;
	for (;;) {
		ret = av_read_frame(fc, pkt);
		if (ret == AVERROR_EOF)
			break;
		if (ret < 0) {
			set_error(&r, "cannot read packet", ret);
			break;
		}
		if (++r.packets > lim->max_packets) {
			snprintf(r.error, sizeof r.error, "more than %llu packets",
				 (unsigned long long)lim->max_packets);
			r.corrupt = true;
			av_packet_unref(pkt);
			break;
		}
		unsigned si = (unsigned)pkt->stream_index;
		enum AVMediaType type = si < ns ? fc->streams[si]->codecpar->codec_type
						: AVMEDIA_TYPE_UNKNOWN;
		int64_t ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
		if ((type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO) &&
		    !(pkt->flags & AV_PKT_FLAG_DISCARD) && ts != AV_NOPTS_VALUE &&
		    !(fc->streams[si]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
			int64_t end = ts + (pkt->duration > 0 ? pkt->duration : 0);
			if (first[si] == AV_NOPTS_VALUE || ts < first[si])
				first[si] = ts;
			if (last[si] == AV_NOPTS_VALUE || end > last[si])
				last[si] = end;
		}
		av_packet_unref(pkt);
	}
	double start = INFINITY, stop = -INFINITY;
	for (unsigned i = 0; i < ns; i++) {
		if (first[i] == AV_NOPTS_VALUE)
			continue;
		double tb = av_q2d(fc->streams[i]->time_base);
		if (first[i] * tb < start)
			start = first[i] * tb;
		if (last[i] * tb > stop)
			stop = last[i] * tb;
	}
	if (stop > start)
		r.duration_s = stop - start;
	if (!r.corrupt && r.header_duration_s > 0 && r.duration_s >= 0 &&
	    fabs(r.header_duration_s - r.duration_s) > PROBE_HEADER_TOL_S) {
		if (r.duration_s < r.header_duration_s && indexed_format(r.format)) {
			snprintf(r.error, sizeof r.error,
				 "data ends at %.2f s, the file's index says %.2f s", r.duration_s,
				 r.header_duration_s);
			r.corrupt = true;
		} else {
			r.header_mismatch = true;
		}
	}
	if (!r.corrupt && r.video_streams + r.audio_streams > 0 && r.duration_s < 0) {
		snprintf(r.error, sizeof r.error, "no timed packets could be read");
		r.corrupt = true;
	}
	rc = 0;
out:
	if (rc == 0)
		*out = r;
	av_packet_free(&pkt);
	av_free(first);
	av_free(last);
	avformat_close_input(&fc);
	return rc;
}
