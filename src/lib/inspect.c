#include "inspect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identify.h"
#include "json.h"
#include "probe.h"
#include "reasons.h"
#include "store.h"
#include "unpack.h"

struct ictx {
	const struct config *cfg;
	struct identify *id;
	struct store *st;
	struct unpack_budget *budget;
	FILE *f;
	int depth;
	int count;
	struct reasons *archive_codes;	/* the enclosing archive's faults, once known */
};

static int describe(struct ictx *c, const char *path, const char *name, uint64_t size,
		    const char *sha, struct reasons *codes, bool is_member, struct ferr *e);

static int on_member(void *vctx, const struct unpack_member *m, struct ferr *e)
{
	struct ictx *c = vctx;
	struct reasons codes = m->codes;
	char path[4096];

	if (c->count++)
		fputc(',', c->f);
	if (!m->extracted) {
		fputs("{\"path\":", c->f);
		json_str(c->f, m->name);
		fprintf(c->f, ",\"verdict\":\"%s\",\"reasons\":",
			m->junk ? "skipped" : "rejected");
		json_list(c->f, codes.buf);
		fputc('}', c->f);
		return 0;
	}
	if (store_path(c->st, m->store_rel, path, sizeof path) != 0)
		return ferr_set(e, FERR_SYSTEM, "path too long");
	return describe(c, path, m->name, m->size, m->sha256, &codes, true, e);
}

static int describe(struct ictx *c, const char *path, const char *name, uint64_t size,
		    const char *sha, struct reasons *codes, bool is_member, struct ferr *e)
{
	struct ident id;
	struct probe_result pr = { 0 };
	bool probed = false;
	const char *kind;
	FILE *f = c->f;

	if (identify_file(c->id, path, name, &id, e) != 0)
		return -1;
	kind = id.kind;
	if (id.ext_mismatch)
		reasons_add(codes, "extension-mismatch");
	if (size == 0)
		reasons_add(codes, "empty-file");
	if (id.encrypted)
		reasons_add(codes, "document-encrypted");
	if (size > 0 && id.media) {
		struct probe_limits lim = { .max_packets = 50000000 };
		if (probe_file(path, &lim, &pr, e) != 0)
			return -1;
		probed = true;
		if (!pr.opened && strcmp(id.mime, "application/octet-stream") == 0) {
			probed = false;
		} else {
			if (probe_kind(&pr))
				kind = probe_kind(&pr);
			probe_codes(&pr, codes);
		}
	}
	fputs("{\"path\":", f);
	json_str(f, name);
	fputs(",\"sha256\":", f);
	json_str(f, sha);
	fprintf(f, ",\"size_bytes\":%llu,\"mime_type\":", (unsigned long long)size);
	json_str(f, id.mime);
	fputs(",\"description\":", f);
	json_str(f, id.description);
	fputs(",\"kind\":", f);
	json_str(f, kind);
	if (probed) {
		if (pr.duration_s >= 0)
			fprintf(f, ",\"duration_s\":%.3f", pr.duration_s);
		else
			fputs(",\"duration_s\":null", f);
		fputs(",\"duration_method\":", f);
		json_str(f, pr.method);
		if (pr.header_duration_s >= 0)
			fprintf(f, ",\"header_duration_s\":%.3f", pr.header_duration_s);
		else
			fputs(",\"header_duration_s\":null", f);
		fputs(",\"format\":", f);
		json_str(f, pr.format);
		if (pr.video_streams)
			fprintf(f, ",\"width\":%d,\"height\":%d,\"rotation\":%d", pr.width, pr.height,
				pr.rotation);
		else
			fputs(",\"width\":null,\"height\":null", f);
		fputs(",\"video_codec\":", f);
		json_str(f, pr.video_codec[0] ? pr.video_codec : NULL);
		fputs(",\"audio_codec\":", f);
		json_str(f, pr.audio_codec[0] ? pr.audio_codec : NULL);
		fprintf(f, ",\"video_streams\":%d,\"audio_streams\":%d", pr.video_streams,
			pr.audio_streams);
		if (pr.error[0]) {
			fputs(",\"error\":", f);
			json_str(f, pr.error);
		}
	} else {
		fputs(",\"duration_s\":null,\"duration_method\":null,\"width\":null,\"height\":null,"
		      "\"video_codec\":null,\"audio_codec\":null", f);
	}
	if (id.archive) {
		struct unpack_result res;
		struct ictx sub = *c;
		sub.count = 0;
		sub.depth = c->depth + 1;
		fputs(",\"members\":[", f);
		if (sub.depth > c->cfg->archive.max_depth) {
			reasons_add(codes, "archive-nested-too-deep");
		} else {
			if (unpack_archive(c->st, c->cfg, path, name, c->budget, on_member, &sub,
					   &res, e) != 0)
				return -1;
			reasons_add_list(codes, res.codes.buf);
			if (res.error[0] && res.codes.buf[0]) {
				fputs("],\"error\":", f);
				json_str(f, res.error);
				fputs(",\"members_accepted\":false", f);
				goto reasons;
			}
		}
		fputc(']', f);
	}
reasons:
	fputs(",\"reasons\":", f);
	json_list(f, codes->buf);
	fputs(",\"verdict\":", f);
	if (reasons_has(codes, "junk-file"))
		json_str(f, "skipped");
	else if (reasons_rejects(codes))
		json_str(f, "rejected");
	else if (id.archive)
		json_str(f, "accepted");
	else
		/* accepted as far as content goes; the slot's rules decide the rest */
		json_str(f, is_member ? "accepted" : NULL);
	fputc('}', f);
	return 0;
}

int inspect_file(const struct config *cfg, const char *path, FILE *f, struct ferr *e)
{
	char tmpl[4096], sha[65];
	const char *tmpdir = getenv("TMPDIR");
	struct store st = { 0 };
	struct unpack_budget budget = { 0 };
	struct reasons codes;
	struct ictx c = { .cfg = cfg, .st = &st, .budget = &budget, .f = f };
	struct ferr le = { 0 };
	uint64_t size = 0;
	int rc = -1;

	reasons_init(&codes);
	struct stat sb;
	/* only regular files: a FIFO or a device would block or never end */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		ferr_set(&le, FERR_CONTENT, "%s: not a regular file", path);
	if (le.cls != FERR_NONE || sha256_file(path, sha, &size, &le) != 0) {
		fputs("{\"path\":", f);
		json_str(f, path);
		fputs(",\"error\":", f);
		json_str(f, le.msg);
		fputs("}\n", f);
		return 1;
	}
	if (snprintf(tmpl, sizeof tmpl, "%s/folio-inspect.XXXXXX", tmpdir ? tmpdir : "/tmp") >=
		    (int)sizeof tmpl ||
	    mkdtemp(tmpl) == NULL)
		return ferr_errno(e, errno, "cannot create a temporary directory");
	if (store_open(&st, tmpl, e) != 0)
		goto out;
	c.id = identify_open(e);
	if (c.id == NULL)
		goto out;
	if (unpack_is_junk(cfg, path))
		reasons_add(&codes, "junk-file");
	if (describe(&c, path, path, size, sha, &codes, false, e) != 0)
		goto out;
	fputc('\n', f);
	rc = 0;
out:
	identify_close(c.id);
	store_close(&st);
	fs_remove_tree(tmpl, true);
	return rc;
}
