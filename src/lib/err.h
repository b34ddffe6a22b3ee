/* err.h — errors as values.
 *
 * Library code never prints and never exits: a function that can fail returns
 * -1 (or NULL) and fills the caller's struct ferr.  The class tells the caller
 * what to do with it: a candidate's content is judged and never retried; a
 * system failure (disk full, a library refusing, a bug) is retried a bounded
 * number of times and then held for an operator; config errors stop the run. */
#ifndef FOLIO_ERR_H
#define FOLIO_ERR_H

enum ferr_class {
	FERR_NONE = 0,
	FERR_CONTENT,	/* the candidate's data is at fault */
	FERR_SYSTEM,	/* the machine or a library failed; retry later */
	FERR_CONFIG,	/* the operator's configuration or command line */
};

struct ferr {
	enum ferr_class cls;
	char msg[512];
};

/* Fills e (if not NULL) with the class and a printf-style message, truncating
 * quietly (a truncated message is still a message).  Returns -1 so callers can
 * write `return ferr_set(e, ...)`.  Cannot fail. */
int ferr_set(struct ferr *e, enum ferr_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As ferr_set, with ": strerror(errnum)" appended. */
int ferr_errno(struct ferr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Resets e to FERR_NONE with an empty message.  Cannot fail. */
void ferr_clear(struct ferr *e);

#endif
