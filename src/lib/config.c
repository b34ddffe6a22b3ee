#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "names.h"
#include "sha256.h"

#define LINE_MAX_LEN 4096
#define MAX_KV 2048

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->nkv; i++) {
		free(c->kv[i].section);
		free(c->kv[i].key);
		free(c->kv[i].value);
	}
	free(c->kv);
	for (int i = 0; i < c->njunk_names; i++)
		free(c->junk_names[i]);
	for (int i = 0; i < c->njunk_prefixes; i++)
		free(c->junk_prefixes[i]);
	for (int i = 0; i < c->njunk_dirs; i++)
		free(c->junk_dirs[i]);
	free(c->path);
	free(c);
}

const char *config_get(const struct config *c, const char *section, const char *key)
{
	for (int i = 0; i < c->nkv; i++)
		if (strcmp(c->kv[i].section, section) == 0 && strcmp(c->kv[i].key, key) == 0)
			return c->kv[i].value;
	return NULL;
}

static int kv_line(const struct config *c, const char *section, const char *key)
{
	for (int i = 0; i < c->nkv; i++)
		if (strcmp(c->kv[i].section, section) == 0 && strcmp(c->kv[i].key, key) == 0)
			return c->kv[i].line;
	return 0;
}

int config_get_int(const struct config *c, const char *section, const char *key,
		   long def, long *out, struct ferr *e)
{
	const char *v = config_get(c, section, key);
	char *end;
	long n;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end != '\0')
		return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] %s: not an integer: %s", c->path,
				kv_line(c, section, key), section, key, v);
	*out = n;
	return 0;
}

int config_get_double(const struct config *c, const char *section, const char *key,
		      double def, double *out, struct ferr *e)
{
	const char *v = config_get(c, section, key);
	char *end;
	double d;

	if (v == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end != '\0')
		return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] %s: not a number: %s", c->path,
				kv_line(c, section, key), section, key, v);
	*out = d;
	return 0;
}

void config_section_version(const struct config *c, const char *section, char out[17])
{
	struct sha256 h;
	char hex[65];

	sha256_init(&h);
	for (int i = 0; i < c->nkv; i++) {
		if (strcmp(c->kv[i].section, section) != 0)
			continue;
		sha256_update(&h, c->kv[i].key, strlen(c->kv[i].key) + 1);
		sha256_update(&h, c->kv[i].value, strlen(c->kv[i].value) + 1);
	}
	sha256_final_hex(&h, hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

int config_parse_duration(const char *s, double *out)
{
	double parts[3];
	int n = 0;
	const char *p = s;

	while (*p && n < 3) {
		char *end;
		errno = 0;
		parts[n] = strtod(p, &end);
		if (errno || end == p || parts[n] < 0)
			return -1;
		n++;
		p = end;
		if (*p == ':')
			p++;
		else
			break;
	}
	if (*p != '\0' || n == 0)
		return -1;
	*out = n == 1 ? parts[0] : n == 2 ? parts[0] * 60 + parts[1]
					  : parts[0] * 3600 + parts[1] * 60 + parts[2];
	return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
	static const struct { const char *unit; uint64_t mul; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KB", 1000 }, { "MB", 1000000 }, { "GB", 1000000000 },
		{ "KiB", 1024 }, { "MiB", 1048576 }, { "GiB", 1073741824 },
		{ "TiB", 1099511627776ULL },
	};
	char *end;
	unsigned long long n;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcasecmp(end, units[i].unit) == 0) {
			if (n > UINT64_MAX / units[i].mul)
				return -1;
			*out = n * units[i].mul;
			return 0;
		}
	}
	return -1;
}

int config_parse_local_time(const char *s, const char *tz, time_t *out)
{
	struct tm tm;
	char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%d %H:%M", &tm);
	if (end == NULL) {
		memset(&tm, 0, sizeof tm);
		end = strptime(s, "%Y-%m-%d", &tm);
	}
	if (end == NULL || *end != '\0') {
		free(saved);
		return -1;
	}
	tm.tm_isdst = -1;
	struct tm want = tm;
	setenv("TZ", tz, 1);
	tzset();
	t = mktime(&tm);
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else {
		unsetenv("TZ");
	}
	tzset();
	if (t == (time_t)-1)
		return -1;
	/* mktime normalizes June 31 to July 1: refuse dates that do not exist */
	if (tm.tm_mday != want.tm_mday || tm.tm_mon != want.tm_mon || tm.tm_year != want.tm_year)
		return -1;
	*out = t;
	return 0;
}

int config_check_timezone(const char *tz)
{
	const char *dir = getenv("TZDIR");
	char path[4096];

	if (tz[0] == '\0' || tz[0] == '/' || strstr(tz, "..") != NULL)
		return -1;
	if (snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz) >=
	    (int)sizeof path)
		return -1;
	return access(path, R_OK) == 0 ? 0 : -1;
}

static int split_list(char *v, char **out, int max, int *n)
{
	char *save = NULL;

	*n = 0;
	for (char *tok = strtok_r(v, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (*n >= max)
			return -1;
		out[(*n)++] = tok;
	}
	return 0;
}

static int add_kv(struct config *c, const char *section, const char *key, const char *value,
		  int line, struct ferr *e)
{
	if (config_get(c, section, key) != NULL)
		return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] %s is set twice", c->path, line,
				section, key);
	if (c->nkv >= MAX_KV)
		return ferr_set(e, FERR_CONFIG, "%s:%d: too many settings", c->path, line);
	struct kv *kv = &c->kv[c->nkv];
	kv->section = strdup(section);
	kv->key = strdup(key);
	kv->value = strdup(value);
	kv->line = line;
	c->nkv++;
	if (!kv->section || !kv->key || !kv->value)
		return ferr_set(e, FERR_SYSTEM, "out of memory");
	return 0;
}

static int parse_file(struct config *c, FILE *f, struct ferr *e)
{
	char line[LINE_MAX_LEN], section[128] = "";
	int lineno = 0;
	struct sha256 h;
	char hex[65];

	sha256_init(&h);
	while (fgets(line, sizeof line, f)) {
		char *s, *eq;
		size_t len = strlen(line);

		lineno++;
		sha256_update(&h, line, len);
		if (len == sizeof line - 1 && line[len - 1] != '\n')
			return ferr_set(e, FERR_CONFIG, "%s:%d: line too long", c->path, lineno);
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (close == NULL || close[1] != '\0')
				return ferr_set(e, FERR_CONFIG, "%s:%d: malformed section header",
						c->path, lineno);
			*close = '\0';
			s = trim(s + 1);
			if (*s == '\0' || strlen(s) >= sizeof section)
				return ferr_set(e, FERR_CONFIG, "%s:%d: bad section name", c->path,
						lineno);
			memcpy(section, s, strlen(s) + 1);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			return ferr_set(e, FERR_CONFIG, "%s:%d: expected key = value", c->path,
					lineno);
		if (section[0] == '\0')
			return ferr_set(e, FERR_CONFIG, "%s:%d: setting outside any [section]",
					c->path, lineno);
		*eq = '\0';
		char *key = trim(s), *value = trim(eq + 1);
		if (*key == '\0')
			return ferr_set(e, FERR_CONFIG, "%s:%d: empty key", c->path, lineno);
		if (add_kv(c, section, key, value, lineno, e) != 0)
			return -1;
	}
	if (ferror(f))
		return ferr_errno(e, errno, "cannot read %s", c->path);
	sha256_final_hex(&h, hex);
	memcpy(c->version, hex, 16);
	c->version[16] = '\0';
	return 0;
}

static int need(const struct config *c, const char *section, const char *key, const char **v,
		struct ferr *e)
{
	*v = config_get(c, section, key);
	if (*v == NULL)
		return ferr_set(e, FERR_CONFIG, "%s: [%s] lacks %s", c->path, section, key);
	return 0;
}

static int bad(const struct config *c, const char *section, const char *key, struct ferr *e)
{
	return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] %s: invalid value '%s'", c->path,
			kv_line(c, section, key), section, key, config_get(c, section, key));
}

static int get_size(const struct config *c, const char *sec, const char *key, uint64_t def,
		    uint64_t *out, struct ferr *e)
{
	const char *v = config_get(c, sec, key);
	if (v == NULL) {
		*out = def;
		return 0;
	}
	return config_parse_size(v, out) == 0 ? 0 : bad(c, sec, key, e);
}

static int get_bool(const struct config *c, const char *sec, const char *key, bool def,
		    bool *out, struct ferr *e)
{
	const char *v = config_get(c, sec, key);
	if (v == NULL)
		*out = def;
	else if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return bad(c, sec, key, e);
	return 0;
}

static int load_slot(struct config *c, const char *entry, struct slot_rule *sr, struct ferr *e)
{
	char sec[128];
	const char *v;
	char list[256], *items[8];
	int n;

	snprintf(sec, sizeof sec, "slot.%s.%s", entry, sr->id);
	if (need(c, sec, "accept", &v, e) != 0)
		return -1;
	if (!strcmp(v, "pdf"))
		sr->accept = ACCEPT_PDF;
	else if (!strcmp(v, "video"))
		sr->accept = ACCEPT_VIDEO;
	else if (!strcmp(v, "audio"))
		sr->accept = ACCEPT_AUDIO;
	else if (!strcmp(v, "document"))
		sr->accept = ACCEPT_DOCUMENT;
	else
		return bad(c, sec, "accept", e);
	if (get_size(c, sec, "max_size", 0, &sr->max_bytes, e) != 0 ||
	    get_bool(c, sec, "allow_encrypted", false, &sr->allow_encrypted, e) != 0)
		return -1;
	sr->min_s = sr->max_s = 0;
	if ((v = config_get(c, sec, "min_duration")) && config_parse_duration(v, &sr->min_s))
		return bad(c, sec, "min_duration", e);
	if ((v = config_get(c, sec, "max_duration")) && config_parse_duration(v, &sr->max_s))
		return bad(c, sec, "max_duration", e);
	if (sr->min_s > 0 && sr->max_s > 0 && sr->min_s > sr->max_s)
		return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] min_duration is longer than max_duration",
				c->path, kv_line(c, sec, "min_duration"), sec);
	sr->need_video = sr->need_audio = false;
	if ((v = config_get(c, sec, "streams")) != NULL) {
		if (strlen(v) >= sizeof list)
			return bad(c, sec, "streams", e);
		memcpy(list, v, strlen(v) + 1);
		if (split_list(list, items, 8, &n) != 0)
			return bad(c, sec, "streams", e);
		for (int i = 0; i < n; i++) {
			if (!strcmp(items[i], "video"))
				sr->need_video = true;
			else if (!strcmp(items[i], "audio"))
				sr->need_audio = true;
			else
				return bad(c, sec, "streams", e);
		}
	}
	return 0;
}

/* Every key each section may hold: a misspelt key is an error, never a rule
 * silently gone (a "max_durration" would accept every long video).  [profile]
 * is the transcoder's: its keys are in config_profile_keys. */
const char *const config_profile_keys[] = {
	"video_encoder", "video_profile", "preset", "crf", "video_options", "scale_flags",
	"tonemap", "max_width", "max_height", "portrait_box", "max_fps", "audio_encoder",
	"audio_bitrate", "audio_rate", "audio_max_channels", "loudness_target",
	"loudness_tolerance", "true_peak", "loudness_range", "silence_peak", "poster_at",
	"poster_quality", "duration_tolerance", "max_duration", "max_pixels", "max_streams",
	"max_decode_errors", "demuxers", NULL,
};

static const struct {
	const char *section;	/* a name, or a prefix ending in '.' */
	const char *keys[8];
} known_keys[] = {
	{ "general", { "timezone", "legacy_code_page", "max_attempts" } },
	{ "window.", { "opens", "closes" } },
	{ "archive", { "max_members", "max_expanded", "max_ratio", "ratio_after", "max_depth" } },
	{ "limits", { "time", "memory", "normalize_factor", "min_free" } },
	{ "junk", { "names", "prefixes", "dirs" } },
	{ "entries", { "list" } },
	{ "entry.", { "slots" } },
	{ "slot.", { "accept", "streams", "min_duration", "max_duration", "max_size",
		     "allow_encrypted" } },
};

static bool key_in(const char *const *keys, size_t n, const char *key)
{
	for (size_t k = 0; k < n && keys[k]; k++)
		if (strcmp(keys[k], key) == 0)
			return true;
	return false;
}

static int check_known_keys(const struct config *c, struct ferr *e)
{
	for (int i = 0; i < c->nkv; i++) {
		const char *sec = c->kv[i].section, *key = c->kv[i].key;
		bool sec_known = false, ok = false;

		if (strcmp(sec, "profile") == 0) {
			sec_known = true;
			ok = key_in(config_profile_keys, SIZE_MAX, key);
		}
		for (size_t k = 0; !sec_known && k < sizeof known_keys / sizeof known_keys[0]; k++) {
			const char *name = known_keys[k].section;
			size_t len = strlen(name);
			if (name[len - 1] == '.' ? strncmp(sec, name, len) == 0 && sec[len] != '\0'
						 : strcmp(sec, name) == 0) {
				sec_known = true;
				ok = key_in(known_keys[k].keys, 8, key);
			}
		}
		if (!sec_known)
			return ferr_set(e, FERR_CONFIG, "%s:%d: [%s]: no such section (docs/config.md)",
					c->path, c->kv[i].line, sec);
		if (!ok)
			return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] %s: no such key (docs/config.md)",
					c->path, c->kv[i].line, sec, key);
	}
	return 0;
}

/* An [entry.X] or [slot.X.Y] that no list names is a rule that never applies:
 * most likely a typo in the list or the header. */
static int check_unused_sections(const struct config *c, struct ferr *e)
{
	for (int i = 0; i < c->nkv; i++) {
		const char *sec = c->kv[i].section;
		bool used = false;

		if (strncmp(sec, "entry.", 6) == 0) {
			used = config_entry(c, sec + 6) != NULL;
		} else if (strncmp(sec, "slot.", 5) == 0) {
			const char *dot = strchr(sec + 5, '.');
			for (int k = 0; dot && k < c->nentries; k++)
				if (strlen(c->entries[k].id) == (size_t)(dot - (sec + 5)) &&
				    strncmp(c->entries[k].id, sec + 5, (size_t)(dot - (sec + 5))) == 0)
					used = config_slot(&c->entries[k], dot + 1) != NULL;
		} else {
			continue;
		}
		if (!used)
			return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] is not listed (in [entries] list,"
					" or the entry's slots), so it would never apply", c->path,
					c->kv[i].line, sec);
	}
	return 0;
}

static int load_rules(struct config *c, struct ferr *e)
{
	const char *v;
	long n;
	char buf[1024], *items[CONFIG_MAX_JUNK];
	int cnt;

	v = config_get(c, "general", "timezone");
	snprintf(c->timezone, sizeof c->timezone, "%s", v ? v : "America/Chicago");
	if (config_check_timezone(c->timezone) != 0)
		return ferr_set(e, FERR_CONFIG, "%s:%d: [general] timezone: '%s' is not a zone of the"
				" tz database (e.g. America/Chicago)", c->path,
				kv_line(c, "general", "timezone"), c->timezone);
	v = config_get(c, "general", "legacy_code_page");
	snprintf(c->legacy_code_page, sizeof c->legacy_code_page, "%s", v ? v : "CP437");
	if (names_check_code_page(c->legacy_code_page, e) != 0)
		return ferr_set(e, FERR_CONFIG, "%s:%d: [general] legacy_code_page: '%s' is not a"
				" code page ICU knows (e.g. CP437, CP932)", c->path,
				kv_line(c, "general", "legacy_code_page"), c->legacy_code_page);
	if (config_get_int(c, "general", "max_attempts", 3, &n, e) != 0)
		return -1;
	if (n < 1 || n > 100)
		return bad(c, "general", "max_attempts", e);
	c->max_attempts = (int)n;

	/* windows: every [window.NAME] section */
	for (int i = 0; i < c->nkv; i++) {
		const char *sec = c->kv[i].section;
		struct window *w;
		if (strncmp(sec, "window.", 7) != 0 || strcmp(c->kv[i].key, "opens") != 0)
			continue;
		if (c->nwindows >= CONFIG_MAX_WINDOWS)
			return ferr_set(e, FERR_CONFIG, "%s: too many windows", c->path);
		w = &c->windows[c->nwindows++];
		snprintf(w->name, sizeof w->name, "%s", sec + 7);
		if (config_parse_local_time(c->kv[i].value, c->timezone, &w->opens) != 0)
			return bad(c, sec, "opens", e);
		if (need(c, sec, "closes", &v, e) != 0)
			return -1;
		if (config_parse_local_time(v, c->timezone, &w->closes) != 0)
			return bad(c, sec, "closes", e);
		w->closes += 59;	/* "23:59" means through the last second of that minute */
		if (w->closes < w->opens)
			return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] closes is before opens (closes"
					" '%s', opens '%s')", c->path, kv_line(c, sec, "closes"), sec, v,
					c->kv[i].value);
	}
	if (c->nwindows == 0)
		return ferr_set(e, FERR_CONFIG, "%s: no [window.*] section", c->path);

	/* archive limits */
	struct archive_limits *a = &c->archive;
	if (config_get_int(c, "archive", "max_members", 1000, &n, e) != 0)
		return -1;
	if (n < 1 || n > 1000000)
		return bad(c, "archive", "max_members", e);
	a->max_members = (uint64_t)n;
	if (get_size(c, "archive", "max_expanded", 17179869184ULL, &a->max_expanded_bytes, e) ||
	    get_size(c, "archive", "ratio_after", 16777216, &a->ratio_grace_bytes, e) ||
	    config_get_double(c, "archive", "max_ratio", 100, &a->max_ratio, e) ||
	    config_get_int(c, "archive", "max_depth", 2, &n, e))
		return -1;
	if (n < 1 || n > 8)
		return bad(c, "archive", "max_depth", e);
	/* isfinite: "nan" and "inf" parse as numbers and would switch the check off */
	if (!isfinite(a->max_ratio) || a->max_ratio < 1)
		return bad(c, "archive", "max_ratio", e);
	a->max_depth = (int)n;

	/* per-step limits */
	struct step_limits *l = &c->limits;
	if (config_get_double(c, "limits", "time", 120, &l->time_s, e) ||
	    get_size(c, "limits", "memory", 2147483648ULL, &l->memory_bytes, e) ||
	    config_get_double(c, "limits", "normalize_factor", 10, &l->normalize_factor, e) ||
	    get_size(c, "limits", "min_free", 268435456ULL, &l->min_free_bytes, e))
		return -1;
	if (!isfinite(l->time_s) || l->time_s < 0.1 || l->time_s > 86400)
		return bad(c, "limits", "time", e);
	if (l->memory_bytes != 0 && l->memory_bytes < 16777216ULL)
		return bad(c, "limits", "memory", e);
	if (!isfinite(l->normalize_factor) || l->normalize_factor < 0 ||
	    l->normalize_factor > 1000)
		return bad(c, "limits", "normalize_factor", e);

	/* junk */
	static const struct { const char *key; const char *def; } junk[3] = {
		{ "names", ".DS_Store, Thumbs.db, desktop.ini" },
		{ "prefixes", "._" },
		{ "dirs", "__MACOSX" },
	};
	for (int k = 0; k < 3; k++) {
		char **dst = k == 0 ? c->junk_names : k == 1 ? c->junk_prefixes : c->junk_dirs;
		int *dn = k == 0 ? &c->njunk_names : k == 1 ? &c->njunk_prefixes : &c->njunk_dirs;
		v = config_get(c, "junk", junk[k].key);
		snprintf(buf, sizeof buf, "%s", v ? v : junk[k].def);
		if (split_list(buf, items, CONFIG_MAX_JUNK, &cnt) != 0)
			return bad(c, "junk", junk[k].key, e);
		for (int i = 0; i < cnt; i++)
			if ((dst[(*dn)++] = strdup(items[i])) == NULL)
				return ferr_set(e, FERR_SYSTEM, "out of memory");
	}

	/* entries, in the order of [entries] list */
	if (need(c, "entries", "list", &v, e) != 0)
		return -1;
	if (strlen(v) >= sizeof buf)
		return bad(c, "entries", "list", e);
	memcpy(buf, v, strlen(v) + 1);
	if (split_list(buf, items, CONFIG_MAX_ENTRIES, &cnt) != 0 || cnt == 0)
		return bad(c, "entries", "list", e);
	for (int i = 0; i < cnt; i++) {
		struct entry_rule *er = &c->entries[c->nentries++];
		char sec[128], sl[512], *slots[CONFIG_MAX_SLOTS];
		int ns;
		if (strlen(items[i]) >= CONFIG_ID_MAX)
			return bad(c, "entries", "list", e);
		snprintf(er->id, sizeof er->id, "%s", items[i]);
		snprintf(sec, sizeof sec, "entry.%s", er->id);
		if (need(c, sec, "slots", &v, e) != 0)
			return -1;
		if (strlen(v) >= sizeof sl)
			return bad(c, sec, "slots", e);
		memcpy(sl, v, strlen(v) + 1);
		if (split_list(sl, slots, CONFIG_MAX_SLOTS, &ns) != 0 || ns == 0)
			return bad(c, sec, "slots", e);
		er->nslots = ns;
		for (int s = 0; s < ns; s++) {
			if (strlen(slots[s]) >= CONFIG_ID_MAX)
				return bad(c, sec, "slots", e);
			for (int k = 0; k < s; k++)
				if (strcasecmp(er->slots[k].id, slots[s]) == 0)
					return ferr_set(e, FERR_CONFIG, "%s:%d: [%s] slots: %s is listed"
							" twice", c->path, kv_line(c, sec, "slots"),
							sec, slots[s]);
			snprintf(er->slots[s].id, CONFIG_ID_MAX, "%s", slots[s]);
			if (load_slot(c, er->id, &er->slots[s], e) != 0)
				return -1;
		}
	}
	return 0;
}

struct config *config_load(const char *path, struct ferr *e)
{
	struct config *c = calloc(1, sizeof *c);
	FILE *f = NULL;

	if (c == NULL || (c->kv = calloc(MAX_KV, sizeof *c->kv)) == NULL ||
	    (c->path = strdup(path)) == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto fail;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		ferr_errno(e, errno, "cannot open config %s", path);
		e->cls = FERR_CONFIG;
		goto fail;
	}
	if (parse_file(c, f, e) != 0 || check_known_keys(c, e) != 0 || load_rules(c, e) != 0 ||
	    check_unused_sections(c, e) != 0)
		goto fail;
	fclose(f);
	return c;
fail:
	if (f)
		fclose(f);
	config_free(c);
	return NULL;
}

const struct entry_rule *config_entry(const struct config *c, const char *id)
{
	for (int i = 0; i < c->nentries; i++)
		if (strcasecmp(c->entries[i].id, id) == 0)
			return &c->entries[i];
	return NULL;
}

const struct slot_rule *config_slot(const struct entry_rule *er, const char *id)
{
	int i = config_slot_index(er, id);
	return i < 0 ? NULL : &er->slots[i];
}

int config_slot_index(const struct entry_rule *er, const char *id)
{
	for (int i = 0; er && i < er->nslots; i++)
		if (strcasecmp(er->slots[i].id, id) == 0)
			return i;
	return -1;
}

bool config_in_window(const struct config *c, time_t t)
{
	for (int i = 0; i < c->nwindows; i++)
		if (t >= c->windows[i].opens && t <= c->windows[i].closes)
			return true;
	return false;
}

const struct window *config_window_for(const struct config *c, time_t t)
{
	const struct window *next = NULL, *last = NULL;

	for (int i = 0; i < c->nwindows; i++) {
		const struct window *w = &c->windows[i];
		if (t >= w->opens && t <= w->closes)
			return w;
		if (w->opens > t && (next == NULL || w->opens < next->opens))
			next = w;
		if (last == NULL || w->closes > last->closes)
			last = w;
	}
	return next ? next : last;
}
