/* libFuzzer target: any bytes as a member name, in two legacy code pages.
 * The result, when there is one, must be valid UTF-8. */
#include <stdlib.h>
#include <string.h>

#include "names.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	static const char *const pages[] = { "CP437", "CP932" };
	char out[NAME_MAX_BYTES * 3];
	struct ferr e = { 0 };
	bool rep;

	for (int i = 0; i < 2; i++)
		if (names_to_nfc((const char *)data, n, pages[i], out, sizeof out, &rep, &e) == 0 &&
		    !names_valid_utf8(out, strlen(out)))
			abort();
	return 0;
}
