/* check.h — the unit tests' few macros: a failed CHECK prints where and
 * what, and the test's exit status is the number of failures. */
#ifndef FOLIO_CHECK_H
#define FOLIO_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                             \
	do {                                                                    \
		check_count++;                                                  \
		if (!(cond)) {                                                  \
			check_failures++;                                       \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,  \
				__LINE__, #cond);                               \
		}                                                               \
	} while (0)
#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *a_ = (a), *b_ = (b);                                \
		check_count++;                                                  \
		if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {          \
			check_failures++;                                       \
			fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n",   \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)",     \
				b_ ? b_ : "(null)");                            \
		}                                                               \
	} while (0)
#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))
#define CHECK_DONE()                                                            \
	(fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, check_count,   \
		 check_failures),                                               \
	 check_failures ? 1 : 0)

#endif
