/* libFuzzer target: any bytes as a member name, in three legacy code pages.
 * The result, when there is one, must be valid UTF-8 with no control
 * character, NFC (normalizing it again changes nothing), and the path check
 * must take it calmly. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "reasons.h"
#include "unpack.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	static const char *const pages[] = { "CP437", "CP866", "CP932" };
	static char out[NAME_MAX_BYTES], again[NAME_MAX_BYTES];
	struct ferr e = { 0 };
	struct reasons r;
	bool rep;

	for (int i = 0; i < 3; i++) {
		if (names_to_nfc((const char *)data, n, pages[i], out, sizeof out, &rep, &e) != 0)
			continue;
		size_t len = strlen(out);
		if (!names_valid_utf8(out, len))
			abort();
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
				abort();
		if (names_to_nfc(out, len, pages[i], again, sizeof again, &rep, &e) != 0 ||
		    rep || strcmp(out, again) != 0)
			abort();	/* not a fixed point: not NFC, or not clean */
		reasons_init(&r);
		unpack_check_path(out, &r);
	}
	return 0;
}
