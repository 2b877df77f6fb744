# kontor — plain GNU make. `make`, `make check`, `make check SAN=1`, `make fuzz`,
# `make install PREFIX=... DESTDIR=...`, `make uninstall`, `make deps`.
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
DATADIR   = $(PREFIX)/share/kontor
VERSION  := 0.1.0

SAN      ?=
CC       ?= cc
PKG_CONFIG ?= pkg-config
B        := build$(if $(SAN),-san)

COMMON_PKGS := libcjson libsodium zlib libjpeg libpng libwebp icu-uc icu-i18n
CLIENT_PKGS := $(COMMON_PKGS) ncursesw libcurl openssl sqlite3 chafa libxml-2.0 pangocairo cairo-pdf \
               fontconfig libqrencode libzip
NODE_PKGS   := $(COMMON_PKGS) libmicrohttpd sqlite3 gnutls

pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pc_libs   = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

SANFLAGS := $(if $(SAN),-fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter \
            -Wno-format-truncation
CPPFLAGS += -Iinclude -Isrc -D_DEFAULT_SOURCE -D_GNU_SOURCE -DKONTOR_VERSION='"$(VERSION)"' \
            -DKONTOR_DATADIR='"$(DATADIR)"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 $(WARN) $(SANFLAGS) -MMD -MP
LDFLAGS  += $(SANFLAGS)

COMMON_SRC := $(sort $(wildcard src/common/*.c))
DB_SRC     := $(sort $(wildcard src/db/*.c))
CLIENT_SRC := $(sort $(filter-out src/client/main.c,$(wildcard src/client/*.c src/client/*/*.c)))
NODE_SRC   := $(sort $(filter-out src/node/main.c,$(wildcard src/node/*.c src/node/*/*.c)))
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c))
BENCH_SRC  := $(sort $(wildcard tests/bench/*.c))
TOOL_SRC   := $(sort $(wildcard tests/tools/*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(B)/%.o)
DB_OBJ     := $(DB_SRC:%.c=$(B)/%.o)
CLIENT_OBJ := $(CLIENT_SRC:%.c=$(B)/%.o)
NODE_OBJ   := $(NODE_SRC:%.c=$(B)/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
BENCH_BIN  := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)
TOOL_BIN   := $(TOOL_SRC:tests/tools/%.c=$(B)/tools/%)

LIBKONTOR  := $(B)/libkontor.a
LIBDB      := $(B)/libkontor-db.a
LIBCLIENT  := $(B)/libkontor-client.a
LIBNODE    := $(B)/libkontord.a

.PHONY: all deps check _check test-build fuzz install uninstall clean format format-check \
        bench-build demo
all: $(B)/kontor $(B)/kontord kontor kontord

# Binaries live in the build dir; top-level links point at the plain build.
kontor kontord: %: $(B)/%
	@[ -n "$(SAN)" ] || ln -sf $(B)/$@ $@

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(call pc_cflags,$(CLIENT_PKGS) $(NODE_PKGS)) -c -o $@ $<

$(LIBKONTOR): $(COMMON_OBJ)
	@rm -f $@; ar rcs $@ $^
# The SQLite and search kernel under both stores (src/db), between libkontor and the programs.
$(LIBDB): $(DB_OBJ)
	@rm -f $@; ar rcs $@ $^
$(LIBCLIENT): $(CLIENT_OBJ)
	@rm -f $@; ar rcs $@ $^
$(LIBNODE): $(NODE_OBJ) $(if $(NODE_OBJ),,$(B)/empty.o)
	@rm -f $@; ar rcs $@ $^
$(B)/empty.o:
	@mkdir -p $(B); printf 'typedef int kontor_empty;\n' > $(B)/empty.c; $(CC) -c -o $@ $(B)/empty.c

$(B)/kontor: $(B)/src/client/main.o $(LIBCLIENT) $(LIBDB) $(LIBKONTOR)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(CLIENT_PKGS)) -lm -lpthread
$(B)/kontord: $(B)/src/node/main.o $(LIBNODE) $(LIBDB) $(LIBKONTOR)
	$(CC) $(LDFLAGS) -o $@ $^ $(call pc_libs,$(NODE_PKGS)) -lm -lpthread

$(B)/tests/%: tests/unit/%.c $(LIBCLIENT) $(LIBNODE) $(LIBDB) $(LIBKONTOR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(call pc_cflags,cmocka $(CLIENT_PKGS)) -o $@ $< \
	    $(LDFLAGS) $(LIBCLIENT) $(LIBNODE) $(LIBDB) $(LIBKONTOR) \
	    $(call pc_libs,cmocka $(CLIENT_PKGS) $(NODE_PKGS)) -lm -lpthread

$(B)/bench/%: tests/bench/%.c $(LIBCLIENT) $(LIBDB) $(LIBKONTOR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LIBCLIENT) $(LIBDB) $(LIBKONTOR) \
	    $(call pc_libs,$(CLIENT_PKGS)) -lm -lpthread

# Small programs the shell tests drive (e.g. signing a request for curl).
$(B)/tools/%: tests/tools/%.c $(LIBKONTOR)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(call pc_cflags,$(COMMON_PKGS)) -o $@ $< $(LDFLAGS) $(LIBKONTOR) \
	    $(call pc_libs,$(COMMON_PKGS)) -lm -lpthread

test-build: $(B)/kontor $(B)/kontord $(UNIT_BIN) $(BENCH_BIN) $(TOOL_BIN)
bench-build: $(BENCH_BIN) $(B)/kontor $(B)/kontord

deps:
	@sh scripts/deps.sh

# check installs what is missing first, then re-reads this Makefile so pkg-config sees it.
check: deps
	@$(MAKE) --no-print-directory _check SAN=$(SAN)
_check: test-build
	@sh tests/run.sh $(B)

# A throwaway seeded node, suppliers and a buyer on loopback, then the buyer's TUI; the node
# stops when the TUI closes. DEMO_NO_TUI=1 sets up, prints a summary and keeps the node
# running until Ctrl-C.
demo: deps
	@$(MAKE) --no-print-directory $(B)/kontor $(B)/kontord
	@B=$(B) DEMO_NO_TUI=$(DEMO_NO_TUI) DEMO_AS=$(DEMO_AS) sh scripts/demo.sh

# libFuzzer targets: built with clang, each run for FUZZ_SECONDS as a smoke test.
FUZZ_SECONDS ?= 10
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_ALL_SRC := $(COMMON_SRC) $(DB_SRC) $(CLIENT_SRC) $(NODE_SRC)
build-fuzz/%: tests/fuzz/%.c $(FUZZ_ALL_SRC)
	@mkdir -p build-fuzz
	clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined \
	    $(call pc_cflags,$(CLIENT_PKGS) $(NODE_PKGS)) -o $@ $< $(FUZZ_ALL_SRC) \
	    $(call pc_libs,$(CLIENT_PKGS) $(NODE_PKGS)) -lm -lpthread
fuzz: deps
	@$(MAKE) --no-print-directory _fuzz
_fuzz: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

install: $(B)/kontor $(B)/kontord
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR)/themes
	install -m 0755 $(B)/kontor $(B)/kontord $(DESTDIR)$(BINDIR)/
	install -m 0644 man/kontor.1 $(DESTDIR)$(MANDIR)/man1/
	for f in man/*.5; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man5/ || true; done
	for f in man/*.8; do [ -e "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man8/ || true; done
	for f in themes/*; do [ -f "$$f" ] && install -m 0644 $$f $(DESTDIR)$(DATADIR)/themes/ || true; done
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kontor $(DESTDIR)$(BINDIR)/kontord
	rm -f $(DESTDIR)$(MANDIR)/man1/kontor.1 $(DESTDIR)$(MANDIR)/man5/kontor.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/kontord.8
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san build-fuzz kontor kontord

FORMAT_SRC = $$(find src include tests -name '*.[ch]')
format:
	clang-format -i $(FORMAT_SRC)
# CI runs this: a file clang-format would change is named, and the target fails.
format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRC)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
