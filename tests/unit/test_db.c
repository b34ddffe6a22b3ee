/* The database: schema creation is idempotent, and the views carry exactly the
 * columns of the scorers' contract (docs/manifest.md), in order. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "db.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	return remove(p);
}

static void columns(sqlite3 *db, const char *view, char *out, size_t outsz)
{
	char sql[128];
	sqlite3_stmt *st;

	out[0] = '\0';
	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", view);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t n = strlen(out);
		snprintf(out + n, outsz - n, "%s%s", n ? "," : "", sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
}

int main(void)
{
	char root[] = "/tmp/folio-test-db-XXXXXX", cols[1024];
	struct ferr e = { 0 };
	sqlite3 *db;

	CHECK(mkdtemp(root) != NULL);
	db = db_open(root, &e);
	CHECK(db != NULL);
	if (db == NULL)
		return CHECK_DONE();
	columns(db, "manifest_files", cols, sizeof cols);
	CHECK_STR(cols, "candidate_id,entry_id,slot_id,source_path,sha256,size_bytes,mime_type,kind,"
			"duration_s,width,height,video_codec,audio_codec,verdict,reasons,"
			"normalized_path,normalized_sha256");
	columns(db, "manifest_entries", cols, sizeof cols);
	CHECK_STR(cols, "candidate_id,entry_id,status,missing_slots");
	sqlite3_stmt *st = db_prepare(db, "PRAGMA journal_mode", &e);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW &&
	      strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0);
	sqlite3_finalize(st);

	/* the view joins facts and appends normalize's warnings to the reasons */
	CHECK(db_exec(db,
		"INSERT INTO uploads(id, candidate_id, entry_id, rel_path) VALUES(1, 'c', 'E1', 'x');"
		"INSERT INTO files(upload_id, candidate_id, entry_id, source_path, upload_time,"
		" sha256, verdict, reasons, post_reasons, normalized_path, active)"
		" VALUES(1, 'c', 'E1', 'x', 0, 'ab', 'accepted', 'name-repaired', 'audio-silent',"
		" 'media/c/E1/V1.mp4', 1),"
		" (1, 'c', 'E1', 'y', 0, 'ab', 'rejected', 'late-upload', '', 'media/c/E1/V2.mp4', 1),"
		" (1, 'c', 'E1', 'old', 0, 'ab', 'accepted', '', '', NULL, 0);"
		"INSERT INTO facts(sha256, kind, duration_s) VALUES('ab', 'video', 31.5);", &e) == 0);
	st = db_prepare(db, "SELECT source_path, kind, duration_s, reasons,"
			    " COALESCE(normalized_path, '-') FROM manifest_files ORDER BY source_path", &e);
	CHECK(st != NULL);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 3), "name-repaired,audio-silent");
	CHECK(sqlite3_column_double(st, 2) == 31.5);
	CHECK(st && sqlite3_step(st) == SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(st, 0), "y");
	/* a rejected file never shows a scorers' copy */
	CHECK_STR((const char *)sqlite3_column_text(st, 4), "-");
	/* an inactive (replaced) row is history, not manifest */
	CHECK(st && sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	db_close(db);

	/* opening again keeps the data: the schema is created only when missing */
	db = db_open(root, &e);
	CHECK(db != NULL);
	st = db ? db_prepare(db, "SELECT COUNT(*) FROM files", &e) : NULL;
	CHECK(st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 3);
	sqlite3_finalize(st);
	db_close(db);
	CHECK(nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
	return CHECK_DONE();
}
