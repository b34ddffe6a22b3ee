/* test_html.c — escaping of hostile names (html.c) and the text buffer (sbuf.c). */
#include <stdlib.h>

#include "check.h"
#include "html.h"
#include "sbuf.h"

static char got[8192];

static const char *clean(const char *s, size_t max, int markup)
{
	struct sbuf b;

	sbuf_init(&b);
	html_clean(&b, s, max, markup != 0);
	snprintf(got, sizeof got, "%s", sbuf_failed(&b) ? "(failed)" : sbuf_str(&b));
	sbuf_free(&b);
	return got;
}

static size_t codepoints(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void test_markup(void)
{
	CHECK_STR(clean("<script>alert(1)</script>.mp4", 0, 1),
		  "&lt;script&gt;alert(1)&lt;/script&gt;.mp4");
	CHECK_STR(clean("a&b \"q\" 'x'", 0, 1), "a&amp;b &quot;q&quot; &#39;x&#39;");
	CHECK_STR(clean("<b>&amp;</b>", 0, 0), "<b>&amp;</b>");	/* plain text keeps them */
	CHECK_STR(clean("\" onmouseover=\"x", 0, 1), "&quot; onmouseover=&quot;x");
	CHECK_STR(clean("Conversaci\xC3\xB3n \xE6\x97\xA5\xE6\x9C\xAC.mp4", 0, 1),
		  "Conversaci\xC3\xB3n \xE6\x97\xA5\xE6\x9C\xAC.mp4");
	CHECK_STR(clean("", 0, 1), "");
}

static void test_controls(void)
{
	/* a terminal escape, a bell, a newline, a tab, DEL and a C1 control (CSI) */
	CHECK_STR(clean("a\x1b[31mb\x07" "c\nd\te\x7f" "f\xC2\x9B" "g", 0, 0),
		  "a\xEF\xBF\xBD[31mb\xEF\xBF\xBD" "c\xEF\xBF\xBD" "d\xEF\xBF\xBD" "e\xEF\xBF\xBD"
		  "f\xEF\xBF\xBD" "g");
	CHECK(html_is_clean("V1_clip.mp4"));
	CHECK(!html_is_clean("a\rb"));
}

static void test_bidi(void)
{
	/* "clip\u202Egpj.exe" would read as "clipexe.jpg" */
	CHECK_STR(clean("clip\xE2\x80\xAEgpj.exe", 0, 1), "clip\xEF\xBF\xBDgpj.exe");
	CHECK_STR(clean("\xE2\x80\xAA\xE2\x80\xAB\xE2\x80\xAC\xE2\x80\xAD", 0, 0),
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK_STR(clean("x\xE2\x81\xA6y\xE2\x81\xA9z\xE2\x80\x8F", 0, 0),	/* isolates, RLM */
		  "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
	CHECK_STR(clean("\xEF\xBB\xBFname\xE2\x80\x8B", 0, 0), "\xEF\xBF\xBDname\xEF\xBF\xBD");
	CHECK(!html_is_clean("clip\xE2\x80\xAEgpj.exe"));
	/* Arabic and Hebrew letters themselves are fine */
	CHECK(html_is_clean("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D.mp4"));
}

static void test_invalid_utf8(void)
{
	CHECK_STR(clean("a\xFF" "b", 0, 1), "a\xEF\xBF\xBD" "b");
	CHECK_STR(clean("\xC0\xAF", 0, 1), "\xEF\xBF\xBD\xEF\xBF\xBD");	/* overlong "/" */
	CHECK_STR(clean("\xED\xA0\x80", 0, 1),			/* a surrogate */
		  "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	CHECK_STR(clean("x\xE2\x80", 0, 1), "x\xEF\xBF\xBD\xEF\xBF\xBD");	/* truncated */
	CHECK_STR(clean("\x82" "Conversaci\xA2n", 0, 0),		/* CP437 bytes */
		  "\xEF\xBF\xBD" "Conversaci\xEF\xBF\xBDn");
	CHECK(!html_is_clean("\xF5\x80\x80\x80"));
}

static void test_long(void)
{
	char name[5000];
	const char *r;

	memset(name, 'a', sizeof name);
	memcpy(name + 4990, "_end.mp4", 9);	/* 4998 chars */
	r = clean(name, HTML_NAME_MAX, 1);
	CHECK(codepoints(r) == HTML_NAME_MAX);
	CHECK(strstr(r, "\xE2\x80\xA6") != NULL);
	CHECK(strlen(r) > 8 && strcmp(r + strlen(r) - 8, "_end.mp4") == 0);
	CHECK(strncmp(r, "aaaa", 4) == 0);
	/* short enough: untouched; exactly at the limit: untouched */
	CHECK_STR(clean("short.mp4", HTML_NAME_MAX, 1), "short.mp4");
	memset(name, 'b', HTML_NAME_MAX);
	name[HTML_NAME_MAX] = '\0';
	CHECK(strcmp(clean(name, HTML_NAME_MAX, 1), name) == 0);
	/* multibyte names are cut on code points, never inside one */
	name[0] = '\0';
	for (int i = 0; i < 300; i++)
		strcat(name, "\xC3\xA9");
	r = clean(name, 10, 0);
	CHECK(codepoints(r) == 10);
	CHECK(html_is_clean(r));
	/* markup in the kept parts is still escaped */
	memset(name, 'c', 300);
	memcpy(name, "<i>", 3);
	memcpy(name + 296, "<b>", 4);
	r = clean(name, 20, 1);
	CHECK(strncmp(r, "&lt;i&gt;", 9) == 0);
	CHECK(strstr(r, "&lt;b&gt;") != NULL);
	CHECK(strchr(r, '<') == NULL);
}

static void test_sbuf(void)
{
	struct sbuf b;

	sbuf_init(&b);
	CHECK_STR(sbuf_str(&b), "");
	sbuf_addf(&b, "%s=%d", "n", 42);
	sbuf_addc(&b, ';');
	sbuf_pad(&b, '-', 3);
	CHECK_STR(sbuf_str(&b), "n=42;---");
	CHECK(b.len == 8);
	sbuf_reset(&b);
	for (int i = 0; i < 1000; i++)
		sbuf_adds(&b, "0123456789");
	CHECK(b.len == 10000 && !sbuf_failed(&b));
	sbuf_reset(&b);
	sbuf_wrap(&b, "one two three four five six", 2, 4, 14);
	CHECK_STR(sbuf_str(&b), "  one two\n    three four\n    five six\n");
	sbuf_reset(&b);
	sbuf_wrap(&b, "averyveryverylongword x", 0, 2, 8);
	CHECK_STR(sbuf_str(&b), "averyveryverylongword\n  x\n");
	sbuf_reset(&b);
	sbuf_wrap(&b, "\xC3\xA9\xC3\xA9\xC3\xA9 \xC3\xA9\xC3\xA9", 0, 0, 6);	/* 3+1+2 columns */
	CHECK_STR(sbuf_str(&b), "\xC3\xA9\xC3\xA9\xC3\xA9 \xC3\xA9\xC3\xA9\n");
	sbuf_free(&b);
	sbuf_free(&b);	/* twice is harmless */
}

int main(void)
{
	test_markup();
	test_controls();
	test_bidi();
	test_invalid_utf8();
	test_long();
	test_sbuf();
	return CHECK_DONE();
}
