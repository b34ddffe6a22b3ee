/* Reason lists and the table the reports and docs/reasons.md come from. */
#include "check.h"
#include "reasons.h"

int main(void)
{
	struct reasons r;
	int n = 0, warnings = 0;

	reasons_init(&r);
	CHECK(!reasons_rejects(&r));
	reasons_add(&r, "name-repaired");
	CHECK(!reasons_rejects(&r));
	reasons_add(&r, "late-upload");
	reasons_add(&r, "name-repaired");
	CHECK_STR(r.buf, "name-repaired,late-upload");
	CHECK(reasons_rejects(&r));
	CHECK(reasons_has(&r, "late-upload") && !reasons_has(&r, "late"));
	reasons_add_list(&r, "a,,b,late-upload");
	CHECK_STR(r.buf, "name-repaired,late-upload,a,b");
	CHECK(reasons_list_has("x,duplicate-file", "duplicate-file"));
	CHECK(!reasons_list_has("x,duplicate-file-2", "duplicate-file"));

	for (const struct reason *t = reason_table(); t->code; t++) {
		n++;
		warnings += t->warning;
		CHECK(t->what && strlen(t->what) > 10 && t->fix && strlen(t->fix) > 5);
		CHECK(reason_find(t->code) == t);
	}
	CHECK(n == 31);
	CHECK(warnings == 5);
	CHECK(reason_find("audio-silent")->warning && !reason_find("media-corrupt")->warning);
	CHECK(reason_find("no-such-code") == NULL);
	return CHECK_DONE();
}
