#include "names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

bool names_valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p++;
		int more;
		uint32_t cp, min;

		if (c == 0)
			return false;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			more = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3; cp = c & 0x07; min = 0x10000;
		} else {
			return false;
		}
		if (end - p < more)
			return false;
		while (more--) {
			if ((*p & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
	}
	return true;
}

int names_check_code_page(const char *code_page, struct ferr *e)
{
	UErrorCode uerr = U_ZERO_ERROR;
	UConverter *cv = ucnv_open(code_page, &uerr);

	if (U_FAILURE(uerr) || cv == NULL)
		return ferr_set(e, FERR_CONFIG, "unknown code page '%s': %s", code_page,
				u_errorName(uerr));
	ucnv_close(cv);
	return 0;
}

int names_to_nfc(const char *raw, size_t n, const char *code_page, char *out, size_t outsz,
		 bool *repaired, struct ferr *e)
{
	UErrorCode uerr = U_ZERO_ERROR;
	const UNormalizer2 *nfc;
	UChar *u16 = NULL, *norm = NULL;
	int32_t ulen = 0, nlen, olen;
	size_t cap = n + 1;
	int rc = -1;

	*repaired = false;
	if (n >= NAME_MAX_BYTES)
		return ferr_set(e, FERR_CONTENT, "name longer than %d bytes", NAME_MAX_BYTES);
	u16 = malloc(cap * sizeof *u16);
	norm = malloc(3 * cap * sizeof *norm);
	if (u16 == NULL || norm == NULL) {
		ferr_set(e, FERR_SYSTEM, "out of memory");
		goto out;
	}
	if (names_valid_utf8(raw, n)) {
		u_strFromUTF8(u16, (int32_t)cap, &ulen, raw, (int32_t)n, &uerr);
	} else {
		UConverter *cv = ucnv_open(code_page, &uerr);
		if (U_FAILURE(uerr)) {
			ferr_set(e, FERR_CONFIG, "unknown code page '%s': %s", code_page,
				 u_errorName(uerr));
			goto out;
		}
		/* single- and double-byte code pages never need more UTF-16 units than bytes */
		ulen = ucnv_toUChars(cv, u16, (int32_t)cap, raw, (int32_t)n, &uerr);
		ucnv_close(cv);
		*repaired = true;
	}
	if (U_FAILURE(uerr)) {
		ferr_set(e, FERR_CONTENT, "name cannot be decoded: %s", u_errorName(uerr));
		goto out;
	}
	/* Control characters (C0, DEL, C1) have no place in a file name: a NUL
	 * (from "\0" in a legacy name) would truncate it, a newline or an escape
	 * sequence would forge lines and colours in logs and reports.  Each
	 * becomes U+FFFD and the name counts as repaired (the raw bytes stay in
	 * the files table). */
	for (int32_t i = 0; i < ulen; i++) {
		if (u16[i] < 0x20 || (u16[i] >= 0x7f && u16[i] <= 0x9f)) {
			u16[i] = 0xfffd;
			*repaired = true;
		}
	}
	nfc = unorm2_getNFCInstance(&uerr);
	if (U_FAILURE(uerr)) {
		ferr_set(e, FERR_SYSTEM, "ICU NFC unavailable: %s", u_errorName(uerr));
		goto out;
	}
	nlen = unorm2_normalize(nfc, u16, ulen, norm, (int32_t)(3 * cap), &uerr);
	if (U_FAILURE(uerr)) {
		ferr_set(e, FERR_CONTENT, "name cannot be normalized: %s", u_errorName(uerr));
		goto out;
	}
	u_strToUTF8(out, (int32_t)outsz, &olen, norm, nlen, &uerr);
	if (U_FAILURE(uerr) || uerr == U_STRING_NOT_TERMINATED_WARNING || (size_t)olen >= outsz) {
		ferr_set(e, FERR_CONTENT, "name too long");
		goto out;
	}
	rc = 0;
out:
	free(u16);
	free(norm);
	return rc;
}
