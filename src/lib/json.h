/* json.h — writing JSON lines (folio inspect, machine-readable output). */
#ifndef FOLIO_JSON_H
#define FOLIO_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal (quotes included), escaping quotes,
 * backslashes and every control character; NULL is written as null.  Bytes
 * are passed through as they are (callers give UTF-8). */
void json_str(FILE *f, const char *s);
/* Writes a comma-separated code list as a JSON array of strings. */
void json_list(FILE *f, const char *csv);

#endif
