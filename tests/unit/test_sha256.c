/* SHA-256 against FIPS 180-4 test vectors, fed whole and byte by byte. */
#include <stdlib.h>

#include "check.h"
#include "sha256.h"

static void hex_of(const char *data, size_t n, size_t chunk, char out[65])
{
	struct sha256 s;
	sha256_init(&s);
	for (size_t i = 0; i < n; i += chunk)
		sha256_update(&s, data + i, n - i < chunk ? n - i : chunk);
	sha256_final_hex(&s, out);
}

static void vectors(void)
{
	char h[65];
	static char million[1000000];

	hex_of("", 0, 1, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	hex_of(two, strlen(two), 1, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	hex_of(two, strlen(two), 7, h);
	CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(million, 'a', sizeof million);
	hex_of(million, sizeof million, 4096, h);
	CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* 55, 56 and 64 bytes: the padding edges */
	hex_of(million, 55, 55, h);
	CHECK_STR(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	hex_of(million, 56, 56, h);
	CHECK_STR(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	hex_of(million, 64, 13, h);
	CHECK_STR(h, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

int main(void)
{
	/* the CPU's instructions where it has them, then the portable code */
	sha256_select(1);
	vectors();
	sha256_select(0);
	vectors();
	return CHECK_DONE();
}
