/* JSON output escapes what a hostile name may hold. */
#include <stdlib.h>

#include "check.h"
#include "json.h"

static const char *render(void (*fn)(FILE *, const char *), const char *s)
{
	static char buf[1024];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	fn(f, s);
	fclose(f);
	return buf;
}

int main(void)
{
	CHECK_STR(render(json_str, "plain"), "\"plain\"");
	CHECK_STR(render(json_str, NULL), "null");
	CHECK_STR(render(json_str, "a\"b\\c"), "\"a\\\"b\\\\c\"");
	CHECK_STR(render(json_str, "line\nbreak\t\x01\x7f"), "\"line\\u000abreak\\u0009\\u0001\\u007f\"");
	CHECK_STR(render(json_str, "caf\xc3\xa9"), "\"caf\xc3\xa9\"");
	CHECK_STR(render(json_list, "a,b"), "[\"a\",\"b\"]");
	CHECK_STR(render(json_list, ""), "[]");
	CHECK_STR(render(json_list, NULL), "[]");
	CHECK_STR(render(json_list, "x,,y,"), "[\"x\",\"y\"]");
	return CHECK_DONE();
}
