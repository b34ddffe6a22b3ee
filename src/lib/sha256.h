/* sha256.h — SHA-256 (FIPS 180-4), streamed: files are hashed as they pass
 * through, never read into memory whole. */
#ifndef FOLIO_SHA256_H
#define FOLIO_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
/* Writes the digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_final_hex(struct sha256 *s, char hex[65]);
/* The CPU's SHA instructions are used when it has them (x86-64 SHA-NI), the
 * portable code otherwise; sha256_select(0) forces the portable code and
 * sha256_select(1) asks the CPU again (for tests of both).  Call it before
 * hashing starts in any thread. */
void sha256_select(int use_cpu);

#endif
