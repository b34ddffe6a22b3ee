#include "show.h"

#include <math.h>
#include <string.h>

#include "db.h"

void show_duration(double s, char *out, size_t outsz)
{
	long t = lround(s);

	if (t >= 3600)
		snprintf(out, outsz, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, outsz, "%ld:%02ld", t / 60, t % 60);
}

/* Candidates' names are shown to an operator's terminal: control characters
 * (escapes, newlines faking extra lines) are shown as '?'.  Writes into out. */
static const char *tame(const char *s, char *out, size_t outsz)
{
	size_t i = 0;

	for (; *s && i + 1 < outsz; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	out[i] = '\0';
	return out;
}

int show_candidate(sqlite3 *db, const char *candidate, FILE *f, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT entry_id, status, missing_slots FROM manifest_entries WHERE candidate_id = ?1"
		" ORDER BY entry_id", e);
	int found = 0;

	sqlite3_stmt *known = db_prepare(db, "SELECT 1 FROM files WHERE candidate_id = ?1 LIMIT 1", e);

	if (st == NULL || known == NULL) {
		sqlite3_finalize(st);
		sqlite3_finalize(known);
		return -1;
	}
	sqlite3_bind_text(known, 1, candidate, -1, SQLITE_STATIC);
	found = sqlite3_step(known) == SQLITE_ROW;
	sqlite3_finalize(known);
	if (!found) {
		sqlite3_finalize(st);
		return 1;
	}
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	fprintf(f, "candidate %s\n", candidate);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *miss = db_col_text(st, 2);
		found = 1;
		fprintf(f, "  entry %s: %s%s%s\n", db_col_text(st, 0), db_col_text(st, 1),
			*miss ? ", missing " : "", miss);
	}
	sqlite3_finalize(st);
	st = db_prepare(db,
		"SELECT entry_id, COALESCE(slot_id, '-'), verdict, source_path, COALESCE(kind, '-'),"
		" duration_s, size_bytes, reasons, normalized_path FROM manifest_files"
		" WHERE candidate_id = ?1 ORDER BY entry_id, slot_id IS NULL, slot_id, source_path", e);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, candidate, -1, SQLITE_STATIC);
	fprintf(f, "\n  %-5s %-4s %-11s %-8s %8s %10s  %s\n", "ENTRY", "SLOT", "VERDICT", "KIND",
		"LENGTH", "BYTES", "FILE / REASONS");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char dur[32] = "";
		found = 1;
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			show_duration(sqlite3_column_double(st, 5), dur, sizeof dur);
		char name[4096], entry[64];
		fprintf(f, "  %-5s %-4s %-11s %-8s %8s %10lld  %s\n",
			tame(db_col_text(st, 0), entry, sizeof entry), db_col_text(st, 1),
			db_col_text(st, 2), db_col_text(st, 4), dur, sqlite3_column_int64(st, 6),
			tame(db_col_text(st, 3), name, sizeof name));
		if (*db_col_text(st, 7))
			fprintf(f, "  %53s  reasons: %s\n", "", db_col_text(st, 7));
		if (*db_col_text(st, 8))
			fprintf(f, "  %53s  for scorers: %s\n", "", db_col_text(st, 8));
	}
	sqlite3_finalize(st);
	return 0;
}

int show_status(sqlite3 *db, FILE *f, struct ferr *e)
{
	sqlite3_stmt *st = db_prepare(db,
		"SELECT id, datetime(CAST(started_at AS INTEGER), 'unixepoch'),"
		" COALESCE(finished_at - started_at, -1),"
		" COALESCE(status, '') FROM runs ORDER BY id DESC LIMIT 5", e);

	if (st == NULL)
		return -1;
	fprintf(f, "latest runs:\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "  run %-5lld %s UTC  %7.1fs  %s\n", sqlite3_column_int64(st, 0),
			db_col_text(st, 1), sqlite3_column_double(st, 2), db_col_text(st, 3));
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT state, COUNT(*) FROM files WHERE active = 1 GROUP BY state"
			    " ORDER BY state", e);
	if (st == NULL)
		return -1;
	fprintf(f, "files by state:\n");
	while (sqlite3_step(st) == SQLITE_ROW)
		fprintf(f, "  %-10s %lld\n", db_col_text(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	st = db_prepare(db, "SELECT candidate_id, entry_id, source_path, held_state, attempts,"
			    " COALESCE(last_error, '') FROM files WHERE active = 1 AND state = 'held'"
			    " ORDER BY candidate_id, id", e);
	if (st == NULL)
		return -1;
	int held = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (held++ == 0)
			fprintf(f, "held for an operator (fix the cause, then 'folio reprocess"
				   " CANDIDATE'):\n");
		char name[4096], why[1024];
		fprintf(f, "  %s/%s/%s: at %s after %d attempts: %s\n", db_col_text(st, 0),
			db_col_text(st, 1), tame(db_col_text(st, 2), name, sizeof name),
			db_col_text(st, 3), sqlite3_column_int(st, 4),
			tame(db_col_text(st, 5), why, sizeof why));
	}
	sqlite3_finalize(st);
	if (!held)
		fprintf(f, "nothing held for an operator\n");
	return 0;
}
