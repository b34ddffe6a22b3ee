/* config.h — config/folio.conf: a plain INI file, the program's rules.
 *
 * Syntax: "[section]" headers, "key = value" lines, "#" or ";" comments on
 * their own line; keys are unique within a section.  docs/config.md documents
 * every key.  config_load() parses the whole file and checks every rule, so a
 * bad config stops a run before any candidate is judged. */
#ifndef FOLIO_CONFIG_H
#define FOLIO_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "err.h"

#define CONFIG_MAX_ENTRIES 8
#define CONFIG_MAX_SLOTS 16
#define CONFIG_MAX_WINDOWS 16
#define CONFIG_MAX_JUNK 32
#define CONFIG_ID_MAX 16

enum slot_accept { ACCEPT_PDF, ACCEPT_VIDEO, ACCEPT_AUDIO, ACCEPT_DOCUMENT };

struct slot_rule {
	char id[CONFIG_ID_MAX];
	enum slot_accept accept;
	uint64_t max_bytes;
	double min_s, max_s;	/* media only; 0 = no bound */
	bool need_video, need_audio;
	bool allow_encrypted;
};

struct entry_rule {
	char id[CONFIG_ID_MAX];
	int nslots;
	struct slot_rule slots[CONFIG_MAX_SLOTS];
};

struct window {
	char name[CONFIG_ID_MAX];
	time_t opens, closes;	/* closes is the last second still inside */
};

struct archive_limits {
	uint64_t max_members;
	uint64_t max_expanded_bytes;	/* per upload, all layers together */
	double max_ratio;		/* expanded : compressed */
	uint64_t ratio_grace_bytes;	/* ratio checked only past this many bytes */
	int max_depth;			/* archive layers opened */
};

/* [limits]: what one step on one file may take (docs/config.md, docs/operations.md). */
struct step_limits {
	double time_s;			/* wall-clock seconds per file and step */
	uint64_t memory_bytes;		/* address space a step may add; 0 = no limit */
	double normalize_factor;	/* normalize: time_s + this many seconds per
					 * second of video */
	uint64_t min_free_bytes;	/* left free on DATA's file system after a write */
};

struct kv {
	char *section, *key, *value;
	int line;
};

struct config {
	char *path;
	char version[17];	/* first 16 hex digits of the file's SHA-256 */
	struct kv *kv;
	int nkv;

	char timezone[64];
	char legacy_code_page[32];
	int nentries;
	struct entry_rule entries[CONFIG_MAX_ENTRIES];
	int nwindows;
	struct window windows[CONFIG_MAX_WINDOWS];
	struct archive_limits archive;
	int njunk_names, njunk_prefixes, njunk_dirs;
	char *junk_names[CONFIG_MAX_JUNK];
	char *junk_prefixes[CONFIG_MAX_JUNK];
	char *junk_dirs[CONFIG_MAX_JUNK];
	int max_attempts;	/* system failures retried this many times, then held */
	struct step_limits limits;
};

/* The keys [profile] may hold (the transcoder reads them: transcode.c). */
extern const char *const config_profile_keys[];

/* Parses and checks the file at path.  Returns a config the caller frees with
 * config_free(), or NULL with e filled (FERR_CONFIG, "path:line: what"). */
struct config *config_load(const char *path, struct ferr *e);
void config_free(struct config *c);

/* The raw value of key in section, or NULL.  The pointer lives as long as c. */
const char *config_get(const struct config *c, const char *section, const char *key);
/* Typed reads with a default for a missing key; -1 and e filled when the value
 * is malformed. */
int config_get_int(const struct config *c, const char *section, const char *key,
		   long def, long *out, struct ferr *e);
int config_get_double(const struct config *c, const char *section, const char *key,
		      double def, double *out, struct ferr *e);
/* A version string for everything in one section (hash of its keys and values),
 * so results can record what made them.  Writes 16 hex digits and NUL. */
void config_section_version(const struct config *c, const char *section, char out[17]);

const struct entry_rule *config_entry(const struct config *c, const char *id);
/* The slot of entry er named id, compared case-insensitively, or NULL. */
const struct slot_rule *config_slot(const struct entry_rule *er, const char *id);
/* Index of a slot in its entry's config order, or -1. */
int config_slot_index(const struct entry_rule *er, const char *id);

/* True when t falls inside some submission window. */
bool config_in_window(const struct config *c, time_t t);
/* The window that contains t, else the next to open after t, else the last
 * one; NULL only if none is configured. */
const struct window *config_window_for(const struct config *c, time_t t);

/* Parsers shared with tests: "10:00", "0:30", "90", "1:02:03" → seconds;
 * "100 MB", "2 GiB", "512" → bytes. Return 0 or -1. */
int config_parse_duration(const char *s, double *out);
int config_parse_size(const char *s, uint64_t *out);
/* "2026-05-01 00:00" in zone tz → time_t.  Returns 0 or -1. */
int config_parse_local_time(const char *s, const char *tz, time_t *out);
/* 0 when tz names a zone of the tz database ($TZDIR or /usr/share/zoneinfo),
 * else -1: glibc takes an unknown zone for UTC without a word. */
int config_check_timezone(const char *tz);

#endif
