#include "json.h"

#include <string.h>

void json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void json_list(FILE *f, const char *csv)
{
	const char *p = csv;
	int first = 1;

	fputc('[', f);
	while (p && *p) {
		size_t n = strcspn(p, ",");
		if (n) {
			fprintf(f, "%s\"%.*s\"", first ? "" : ",", (int)n, p);
			first = 0;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	fputc(']', f);
}
