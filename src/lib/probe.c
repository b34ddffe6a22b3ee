#include "probe.h"

#include <errno.h>
#include <fcntl.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void probe_codes(const struct probe_result *r, struct reasons *codes)
{
	if (r->corrupt)
		reasons_add(codes, "media-corrupt");
	else if (r->header_mismatch)
		reasons_add(codes, "duration-header-mismatch");
	if (r->streams_known && r->video_streams == 0)
		reasons_add(codes, "no-video-stream");
	if (r->streams_known && r->audio_streams == 0)
		reasons_add(codes, "no-audio-stream");
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

/* A RIFF/WAVE file whose data chunk declares more bytes than the file holds
 * was cut off: libavformat reads what is there without a word, and a full
 * decode reports nothing either.  Walks at most RIFF_MAX_CHUNKS chunk headers
 * from the start.  Returns 1 cut off (r->error filled), 0 not (or not RIFF),
 * -1 the file cannot be read.  *unknown_size: the data chunk's size is a
 * streaming writer's "unknown" (0 or 0xffffffff), so the data runs to the end
 * of the file wherever that is. */
#define RIFF_MAX_CHUNKS 64
static int riff_cut_off(const char *path, struct probe_result *r, bool *unknown_size)
{
	unsigned char h[12];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	off_t at = 12;

	*unknown_size = false;
	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) != 0)
		goto out;
	rc = 0;
	if (pread(fd, h, 12, 0) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		goto out;
	for (int i = 0; i < RIFF_MAX_CHUNKS && at + 8 <= sb.st_size; i++) {
		uint32_t size;
		if (pread(fd, h, 8, at) != 8)
			break;
		size = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 |
		       (uint32_t)h[7] << 24;
		if (memcmp(h, "data", 4) == 0) {
			/* 0 and 0xffffffff: a streaming writer's "unknown" */
			*unknown_size = size == 0 || size == 0xffffffffu;
			if (size != 0 && size != 0xffffffffu && at + 8 + (off_t)size > sb.st_size) {
				snprintf(r->error, sizeof r->error,
					 "the data chunk declares %lu bytes, %lld are present",
					 (unsigned long)size, (long long)(sb.st_size - at - 8));
				rc = 1;
			}
			break;
		}
		at += 8 + (off_t)size + (size & 1);
	}
out:
	close(fd);
	return rc;
}

/* True when every audio and video stream delivered as many packets as its
 * index lists: the data is all there, whatever a header's duration says (a
 * 32-bit mvhd duration that overflowed, or all ones); a file cut off short of
 * its sample table is not complete. */
static bool index_complete(AVFormatContext *fc, const char *format, const int64_t *count)
{
	/* only QuickTime's sample tables and AVI's idx1 list every packet; a
	 * FLAC seek table or an ASF index lists a few, which proves nothing */
	if (strncmp(format, "mov,", 4) != 0 && strcmp(format, "avi") != 0)
		return false;
	for (unsigned i = 0; i < fc->nb_streams; i++) {
		AVStream *st = fc->streams[i];
		enum AVMediaType t = st->codecpar->codec_type;
		if ((t != AVMEDIA_TYPE_AUDIO && t != AVMEDIA_TYPE_VIDEO) ||
		    (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
			continue;
		if (count[i] < avformat_index_get_entries_count(st))
			return false;
	}
	return true;
}

/* The decoders of a file's audio and video streams, one per stream (NULL where
 * none: other streams, or a codec this libavcodec cannot decode, which is no
 * fault of the file). */
struct decoders {
	AVCodecContext **ctx;
	unsigned n;
	AVFrame *frame;
};

static void decoders_free(struct decoders *d)
{
	for (unsigned i = 0; d->ctx && i < d->n; i++)
		avcodec_free_context(&d->ctx[i]);
	av_freep(&d->ctx);
	av_frame_free(&d->frame);
}

/* Returns 0, or -1 out of memory. */
static int decoders_open(AVFormatContext *fc, struct decoders *d)
{
	d->n = fc->nb_streams;
	d->ctx = av_calloc(d->n ? d->n : 1, sizeof *d->ctx);
	d->frame = av_frame_alloc();
	if (d->ctx == NULL || d->frame == NULL)
		return -1;
	for (unsigned i = 0; i < d->n; i++) {
		const AVCodecParameters *par = fc->streams[i]->codecpar;
		const AVCodec *codec;
		AVCodecContext *c;
		if ((par->codec_type != AVMEDIA_TYPE_AUDIO && par->codec_type != AVMEDIA_TYPE_VIDEO) ||
		    (fc->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC))
			continue;
		codec = avcodec_find_decoder(par->codec_id);
		if (codec == NULL)
			continue;
		c = avcodec_alloc_context3(codec);
		if (c == NULL)
			return -1;
		c->thread_count = 1;
		/* of video only the key frames are decoded; the decoder still sees
		 * every packet, so its state (references, picture order) holds */
		if (par->codec_type == AVMEDIA_TYPE_VIDEO)
			c->skip_frame = AVDISCARD_NONKEY;
		if (avcodec_parameters_to_context(c, par) < 0 || avcodec_open2(c, codec, NULL) < 0) {
			/* a decoder that will not start proves nothing about the data */
			avcodec_free_context(&c);
			continue;
		}
		d->ctx[i] = c;
	}
	return 0;
}

/* Feeds one packet (NULL: the end) to stream si's decoder and drains it.
 * Returns 0, 1 a decoding error (r->error filled), -1 out of memory. */
static int decode(struct decoders *d, unsigned si, const AVPacket *pkt, struct probe_result *r)
{
	AVCodecContext *c = si < d->n ? d->ctx[si] : NULL;
	int ret;

	if (c == NULL)
		return 0;
	/* a decoder full of frames refuses the packet (EAGAIN) until drained:
	 * twice at most, as every send is followed by draining */
	for (int tries = 0; tries < 2; tries++) {
		bool refused;
		ret = avcodec_send_packet(c, pkt);
		refused = ret == AVERROR(EAGAIN);
		/* every pass takes a frame out of the decoder, which holds finitely many */
		while (ret >= 0 || ret == AVERROR(EAGAIN)) {
			ret = avcodec_receive_frame(c, d->frame);
			if (ret < 0)
				break;
			av_frame_unref(d->frame);
		}
		if (!refused)
			break;
	}
	if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
		return 0;
	if (ret == AVERROR(ENOMEM))
		return -1;
	set_error(r, c->codec_type == AVMEDIA_TYPE_AUDIO ? "decoding audio" : "decoding video", ret);
	return 1;
}

int probe_file(const char *path, const struct probe_limits *lim, struct probe_result *out,
	       struct ferr *e)
{
	AVFormatContext *fc = NULL;
	AVDictionary *opts = NULL;
	AVPacket *pkt = NULL;
	struct decoders dec = { 0 };
	struct probe_result r;
	int64_t *first = NULL, *last = NULL, *count = NULL;
	bool riff_unknown = false, riff_cut = false;
	int ret, rc = -1;
	unsigned ns;

	memset(&r, 0, sizeof r);
	r.duration_s = r.header_duration_s = -1;
	snprintf(r.method, sizeof r.method, "packets");
	av_log_set_level(AV_LOG_QUIET);
	av_dict_set(&opts, "protocol_whitelist", "file", 0);
	av_dict_set(&opts, "format_whitelist", FORMAT_WHITELIST, 0);
	/* "file:" always: a relative name with a colon ("a:b.mp4") would otherwise
	 * be read as a protocol */
	char url[4200];
	if (snprintf(url, sizeof url, "file:%s", path) >= (int)sizeof url) {
		av_dict_free(&opts);
		ferr_set(e, FERR_SYSTEM, "%s: path too long", path);
		goto out;
	}
	ret = avformat_open_input(&fc, url, NULL, &opts);
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
	r.streams_known = true;
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
	count = av_malloc_array(ns ? ns : 1, sizeof *count);
	pkt = av_packet_alloc();
	if (first == NULL || last == NULL || count == NULL || pkt == NULL || decoders_open(fc, &dec) != 0) {
		ferr_set(e, FERR_SYSTEM, "libavformat: out of memory");
		goto out;
	}
	for (unsigned i = 0; i < ns; i++) {
		first[i] = last[i] = AV_NOPTS_VALUE;
		count[i] = 0;
	}
	if (strcmp(r.format, "wav") == 0) {
		int cut = riff_cut_off(path, &r, &riff_unknown);
		if (cut < 0) {
			ferr_errno(e, errno, "cannot read %s", path);
			goto out;
		}
		riff_cut = cut == 1;
	}
	/* bounded by lim->max_packets */
	for (;;) {
		ret = av_read_frame(fc, pkt);
		if (ret == AVERROR_EOF)
			break;
		if (ret == AVERROR(ENOMEM)) {
			ferr_set(e, FERR_SYSTEM, "libavformat: out of memory");
			goto out;
		}
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
		bool timed = (type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO) &&
			     !(fc->streams[si]->disposition & AV_DISPOSITION_ATTACHED_PIC);
		if (timed && !(pkt->flags & AV_PKT_FLAG_DISCARD) && ts != AV_NOPTS_VALUE) {
			int64_t end = ts + (pkt->duration > 0 ? pkt->duration : 0);
			if (first[si] == AV_NOPTS_VALUE || ts < first[si])
				first[si] = ts;
			if (last[si] == AV_NOPTS_VALUE || end > last[si])
				last[si] = end;
		}
		if (si < ns)
			count[si]++;
		/* a WAV of unknown data size (streamed) ends wherever the writer
		 * stopped: a short last packet of whole sample frames is no damage */
		if (timed && (pkt->flags & AV_PKT_FLAG_CORRUPT) && riff_unknown &&
		    fc->streams[si]->codecpar->block_align > 0 &&
		    pkt->size % fc->streams[si]->codecpar->block_align == 0)
			pkt->flags &= ~AV_PKT_FLAG_CORRUPT;
		if (timed && (pkt->flags & AV_PKT_FLAG_CORRUPT)) {
			snprintf(r.error, sizeof r.error, "packet %llu of stream %u is damaged",
				 (unsigned long long)r.packets, si);
			r.corrupt = true;
			av_packet_unref(pkt);
			break;
		}
		/* Every audio packet is decoded (cheap, and the only way to see a
		 * damaged FLAC or AAC frame); of video only the key frames
		 * (skip_frame): the whole picture stream is the normalizer's job,
		 * and would make probing as slow as transcoding. */
		if (timed) {
			int d = decode(&dec, si, pkt, &r);
			if (d < 0) {
				ferr_set(e, FERR_SYSTEM, "libavcodec: out of memory");
				goto out;
			}
			if (d > 0) {
				av_packet_unref(pkt);
				break;
			}
		}
		av_packet_unref(pkt);
	}
	for (unsigned i = 0; i < ns && !r.corrupt; i++) {
		int d = decode(&dec, i, NULL, &r);
		if (d < 0) {
			ferr_set(e, FERR_SYSTEM, "libavcodec: out of memory");
			goto out;
		}
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
	if (stop >= start)
		r.duration_s = stop - start;
	else if (r.packets == 0)
		r.duration_s = 0;	/* nothing there: what the header says is checked below */
	if (!r.corrupt && riff_cut)
		r.corrupt = true;	/* r.error holds riff_cut_off()'s message */
	/* A header that counts from 0 while the packets start later (-output_ts_offset,
	 * a camera's time of day, a cut from a longer stream) holds the start in its
	 * duration: a QuickTime empty edit, Matroska's and MPEG-TS's timestamps. */
	double header = r.header_duration_s, begin = start;
	if (header > 0 && isfinite(begin) && begin > PROBE_HEADER_TOL_S &&
	    fabs(header - begin - r.duration_s) <= PROBE_HEADER_TOL_S)
		header -= begin;
	if (!r.corrupt && header > 0 && r.duration_s >= 0 &&
	    fabs(header - r.duration_s) > PROBE_HEADER_TOL_S) {
		if (r.duration_s < header && (r.packets == 0 ||
		    (indexed_format(r.format) && !index_complete(fc, r.format, count)))) {
			snprintf(r.error, sizeof r.error,
				 "data ends at %.2f s, the file's index says %.2f s", r.duration_s,
				 header);
			r.corrupt = true;
		} else {
			r.header_mismatch = true;
		}
	}
	if (!r.corrupt && r.packets > 0 && r.video_streams + r.audio_streams > 0 &&
	    r.duration_s < 0) {
		snprintf(r.error, sizeof r.error, "no timed packets could be read");
		r.corrupt = true;
	}
	rc = 0;
out:
	if (rc == 0)
		*out = r;
	decoders_free(&dec);
	av_packet_free(&pkt);
	av_free(first);
	av_free(last);
	av_free(count);
	avformat_close_input(&fc);
	return rc;
}
