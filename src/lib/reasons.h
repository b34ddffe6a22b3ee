/* reasons.h — the reason codes of docs/reasons.md, with what a candidate reads.
 *
 * The table is the single source: docs/reasons.md is checked against it by
 * tests/e2e/reasons-doc.sh, and the reports take their sentences from it. */
#ifndef FOLIO_REASONS_H
#define FOLIO_REASONS_H

#include <stdbool.h>
#include <stddef.h>

struct reason {
	const char *code;
	bool warning;		/* a warning never changes a verdict */
	const char *what;	/* one plain sentence: what is wrong */
	const char *fix;	/* one plain sentence: how to fix it */
};

/* The reason with this code, or NULL.  Cannot fail. */
const struct reason *reason_find(const char *code);
/* The whole table, terminated by an entry with code NULL. */
const struct reason *reason_table(void);

/* A comma-separated code list being built, with codes kept unique and in the
 * order first added.  Cannot fail: codes beyond capacity are dropped (the table
 * has fewer codes than the capacity, so this only guards misuse). */
struct reasons {
	char buf[512];
};
void reasons_init(struct reasons *r);
void reasons_add(struct reasons *r, const char *code);
/* Adds every code of a comma-separated list. */
void reasons_add_list(struct reasons *r, const char *list);
bool reasons_has(const struct reasons *r, const char *code);
/* True when the list holds a code that is not a warning (i.e. rejects). */
bool reasons_rejects(const struct reasons *r);
bool reasons_list_has(const char *list, const char *code);

#endif
