/* Names: UTF-8 validation, NFC, legacy code pages, and the path rules. */
#include <stdlib.h>

#include "check.h"
#include "config.h"
#include "judge.h"
#include "names.h"
#include "reasons.h"
#include "scan.h"
#include "unpack.h"

static const char *nfc(const char *raw, const char *cp, bool *rep)
{
	static char out[4096];
	struct ferr e = { 0 };
	if (names_to_nfc(raw, strlen(raw), cp, out, sizeof out, rep, &e) != 0)
		return NULL;
	return out;
}

int main(void)
{
	bool rep;

	CHECK(names_valid_utf8("plain.mp4", 9));
	CHECK(names_valid_utf8("Conversaci\xc3\xb3n", 12));
	CHECK(!names_valid_utf8("Conversaci\xa2n", 11));	/* CP437 ó */
	CHECK(!names_valid_utf8("\xc0\xaf", 2));		/* overlong "/" */
	CHECK(!names_valid_utf8("\xed\xa0\x80", 3));		/* a surrogate */
	CHECK(!names_valid_utf8("a\0b", 3));

	CHECK_STR(nfc("V1_Conversaci\xa2n.wmv", "CP437", &rep), "V1_Conversaci\xc3\xb3n.wmv");
	CHECK(rep);
	CHECK_STR(nfc("W1_R\x82" "flexion.pdf", "CP437", &rep), "W1_R\xc3\xa9" "flexion.pdf");
	/* NFD e + combining acute becomes one code point, and is not a repair */
	CHECK_STR(nfc("Entre\xcc\x81" "e1.zip", "CP437", &rep), "Entr\xc3\xa9" "e1.zip");
	CHECK(!rep);
	/* control characters become U+FFFD, a repair: "bell\a.txt", "a\nb" */
	CHECK_STR(nfc("bell\x07.txt", "CP437", &rep), "bell\xef\xbf\xbd.txt");
	CHECK(rep);
	CHECK_STR(nfc("a\nb\x7f", "CP437", &rep), "a\xef\xbf\xbd" "b\xef\xbf\xbd");
	CHECK_STR(nfc("c1\xc2\x85.txt", "CP437", &rep), "c1\xef\xbf\xbd.txt");	/* U+0085 */
	CHECK(rep);
	/* CP866: "привет" */
	CHECK_STR(nfc("\xaf\xe0\xa8\xa2\xa5\xe2", "CP866", &rep),
		  "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
	struct ferr e = { 0 };
	char out[64];
	CHECK(names_to_nfc("\xff", 1, "no-such-code-page", out, sizeof out, &rep, &e) != 0 &&
	      e.cls == FERR_CONFIG);
	CHECK(names_check_code_page("CP932", &e) == 0);

	struct reasons r;
	reasons_init(&r);
	unpack_check_path("../../../../tmp/folio-escape.txt", &r);
	CHECK_STR(r.buf, "archive-path-traversal");
	reasons_init(&r);
	unpack_check_path("good\\..\\..\\evil.txt", &r);
	CHECK_STR(r.buf, "archive-path-traversal");
	reasons_init(&r);
	unpack_check_path("/etc/folio-absolute.txt", &r);
	CHECK_STR(r.buf, "archive-absolute-path");
	reasons_init(&r);
	unpack_check_path("C:\\Windows\\evil.txt", &r);
	CHECK_STR(r.buf, "archive-absolute-path");
	reasons_init(&r);
	unpack_check_path("dir/..name/ok..txt", &r);
	CHECK_STR(r.buf, "");

	struct config cfg;
	memset(&cfg, 0, sizeof cfg);
	char *jn[] = { ".DS_Store", "Thumbs.db", "desktop.ini" }, *jp[] = { "._" },
	     *jd[] = { "__MACOSX" };
	memcpy(cfg.junk_names, jn, sizeof jn);
	cfg.njunk_names = 3;
	memcpy(cfg.junk_prefixes, jp, sizeof jp);
	cfg.njunk_prefixes = 1;
	memcpy(cfg.junk_dirs, jd, sizeof jd);
	cfg.njunk_dirs = 1;
	CHECK(unpack_is_junk(&cfg, "__MACOSX/Entry 1/._V1.MOV"));
	CHECK(unpack_is_junk(&cfg, "Entry 1/.DS_Store"));
	CHECK(unpack_is_junk(&cfg, "._x"));
	CHECK(unpack_is_junk(&cfg, "a\\Thumbs.db"));
	CHECK(!unpack_is_junk(&cfg, "__MACOSX"));	/* a file of that name is not a folder */
	CHECK(!unpack_is_junk(&cfg, "Entry 1/V1_identify.MOV"));
	CHECK(!unpack_is_junk(&cfg, "my.DS_Store.pdf"));

	struct entry_rule er;
	memset(&er, 0, sizeof er);
	snprintf(er.id, sizeof er.id, "E1");
	const char *ids[] = { "W1", "V1", "V2", "V3", "V10" };
	for (int i = 0; i < 5; i++)
		snprintf(er.slots[i].id, sizeof er.slots[i].id, "%s", ids[i]);
	er.nslots = 5;
	char slot[16];
	judge_slot_from_name(&er, "Entry1.zip/Entry 1/V1_identify.MOV", slot, sizeof slot);
	CHECK_STR(slot, "V1");
	judge_slot_from_name(&er, "v3-rec.webm", slot, sizeof slot);
	CHECK_STR(slot, "V3");
	judge_slot_from_name(&er, "V2 take two.mp4", slot, sizeof slot);
	CHECK_STR(slot, "V2");
	judge_slot_from_name(&er, "w1.pdf", slot, sizeof slot);
	CHECK_STR(slot, "W1");
	judge_slot_from_name(&er, "V1", slot, sizeof slot);
	CHECK_STR(slot, "V1");
	judge_slot_from_name(&er, "V10_x.mp4", slot, sizeof slot);
	CHECK_STR(slot, "V10");
	judge_slot_from_name(&er, "V1x.mp4", slot, sizeof slot);
	CHECK_STR(slot, "");
	/* names shorter than a slot id (read past their end once, found by a tester) */
	char *shortname = strdup("x");
	judge_slot_from_name(&er, shortname, slot, sizeof slot);
	CHECK_STR(slot, "");
	free(shortname);
	judge_slot_from_name(&er, "clip_V1.mp4", slot, sizeof slot);
	CHECK_STR(slot, "");
	judge_slot_from_name(&er, "V1_dir/clip.mp4", slot, sizeof slot);
	CHECK_STR(slot, "");
	return CHECK_DONE();
}
