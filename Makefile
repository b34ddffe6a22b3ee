# folio — build, demo and test.  `make` builds bin/; see README.md.
CC      ?= cc
PKGS    := libarchive libmagic libavformat libavcodec libavfilter libavutil \
           libswresample libswscale sqlite3 icu-uc icu-i18n
PKG_CFLAGS := $(shell pkg-config --cflags $(filter-out libmagic,$(PKGS)) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(filter-out libmagic,$(PKGS)) 2>/dev/null) -lmagic -lm -lpthread
WARN    := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wno-unused-parameter
CFLAGS  ?= -O2 -g
VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) $(PKG_CFLAGS) -Isrc/lib
ifdef WERROR
CFLAGS  += -Werror
endif
ifdef FUZZ
CFLAGS  += -fsanitize=fuzzer-no-link
endif
ifdef SAN
CFLAGS  += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

BIN     ?= bin
OBJ     := $(BIN)/obj
LIB_SRC := $(wildcard src/lib/*.c)
LIB_OBJ := $(patsubst src/lib/%.c,$(OBJ)/lib/%.o,$(LIB_SRC))
PROG_SRC:= $(wildcard src/folio*.c)
PROGS   := $(patsubst src/%.c,$(BIN)/%,$(PROG_SRC))
UNIT_SRC:= $(wildcard tests/unit/test_*.c)
UNITS   := $(patsubst tests/unit/%.c,$(BIN)/tests/%,$(UNIT_SRC))

.PHONY: all deps demo check test test-san test-valgrind check-valgrind fuzz-ci lint clean
all: $(PROGS) $(UNITS)

$(OBJ)/lib/%.o: src/lib/%.c $(wildcard src/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<
$(OBJ)/libfolio.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^
$(BIN)/%: src/%.c $(OBJ)/libfolio.a $(wildcard src/lib/*.h) VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFOLIO_VERSION='"$(VERSION)"' -o $@ $< $(OBJ)/libfolio.a $(LDFLAGS) $(PKG_LIBS)
$(BIN)/tests/%: tests/unit/%.c tests/unit/check.h $(OBJ)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(OBJ)/libfolio.a $(LDFLAGS) $(PKG_LIBS)

# make install PREFIX=/opt/folio: the programs into PREFIX/bin, and beside
# them what they look for relative to their own directory (stage.c, runner.c):
# PREFIX/pipeline/nightly and PREFIX/config/folio.conf (the example rules; the
# real ones go in /etc/folio/folio.conf, see docs/operations.md "Installing");
# PREFIX/docs and PREFIX/scripts (folio-nightly, systemd/, cron/).  DESTDIR
# is put before every path, for packaging.
PREFIX  ?= /opt/folio
INSTALL ?= install
install: $(PROGS)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/pipeline \
	  $(DESTDIR)$(PREFIX)/config $(DESTDIR)$(PREFIX)/docs $(DESTDIR)$(PREFIX)/scripts/systemd \
	  $(DESTDIR)$(PREFIX)/scripts/cron
	$(INSTALL) -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	$(INSTALL) -m 0644 pipeline/nightly $(DESTDIR)$(PREFIX)/pipeline/nightly
	$(INSTALL) -m 0644 config/folio.conf $(DESTDIR)$(PREFIX)/config/folio.conf
	$(INSTALL) -m 0644 README.md VERSION $(DESTDIR)$(PREFIX)/
	$(INSTALL) -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/docs/
	$(INSTALL) -m 0755 scripts/folio-nightly $(DESTDIR)$(PREFIX)/scripts/folio-nightly
	$(INSTALL) -m 0644 scripts/systemd/folio-nightly.service scripts/systemd/folio-nightly.timer \
	  $(DESTDIR)$(PREFIX)/scripts/systemd/
	$(INSTALL) -m 0644 scripts/cron/folio-nightly $(DESTDIR)$(PREFIX)/scripts/cron/folio-nightly
.PHONY: install

# Installs the Debian packages folio builds and tests with (needs root or sudo).
deps:
	scripts/install-deps

# The demo: a generated inbox, a nightly run, and where to look.
demo: deps
	$(MAKE) all
	scripts/demo

# Every test: the normal build, then the ASan+UBSan build of the same suite.
check: deps
	$(MAKE) all
	scripts/run-tests $(BIN)
	$(MAKE) BIN=bin-san SAN=1 all
	FOLIO_SAN=1 scripts/run-tests bin-san
	$(MAKE) lint

test: all
	scripts/run-tests $(BIN)

test-san:
	$(MAKE) BIN=bin-san SAN=1 all
	FOLIO_SAN=1 scripts/run-tests bin-san

test-valgrind: all
	FOLIO_VALGRIND=1 scripts/run-tests $(BIN)

# The unit tests and the unpack, identify and probe tests under valgrind
# memcheck (stages traced into: they are where candidates' bytes are parsed);
# any memory error or definite leak fails.  "Possibly lost" blocks are not
# counted: a step's forked child (isolate.c) leaves through _exit() holding
# the parent's SQLite pools, which valgrind reports as such.  CI runs it.
# (The corpus-* tests, 15 nightly runs, are left to the two other builds.)
VALGRIND_TESTS := unit/* e2e/unpack-hostile e2e/hostile-archives e2e/hostile-media \
                  e2e/hostile-inbox e2e/inspect e2e/property-unpack e2e/fuzz-regress
check-valgrind: all
	VALGRIND_OPTS="--trace-children=yes --errors-for-leak-kinds=definite" FOLIO_VALGRIND=1 \
	  FOLIO_TESTS='$(VALGRIND_TESTS)' scripts/run-tests $(BIN)

# CI's fuzzing: each libFuzzer target for 60 s (FUZZ_SECS), seeded from the
# tests; any crash fails, its reproducer kept in $(FUZZ_BIN)/reproducers/.
FUZZ_BIN  ?= bin-fuzz
FUZZ_SECS ?= 60
fuzz-ci:
	FUZZ_BIN=$(FUZZ_BIN) scripts/fuzz --ci $(FUZZ_SECS)

# cppcheck must be clean; clang-tidy's findings are printed for a person to read.
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  -Isrc/lib src
	-clang-tidy --quiet -checks='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-bugprone-narrowing-conversions,-bugprone-implicit-widening-of-multiplication-result' \
	  src/lib/*.c src/*.c -- $(CFLAGS) 2>/dev/null | grep -E '(warning|error):' | head -50; true

clean:
	rm -rf bin bin-san

# libFuzzer targets (clang): builds bin-fuzz/fuzz_{unpack,probe,names} and runs
# each for FUZZ_SECS seconds (scripts/fuzz; its --help says more).
fuzz:
	FUZZ_BIN=$(FUZZ_BIN) scripts/fuzz $(FUZZ_SECS)
.PHONY: fuzz
