# glue2dlf — plain GNU make build.
#
#   make                 build libglue2dlf.a, glue2dlfd, glue2dlfctl, glue2dlf-sim (into build/)
#   make check           install missing Debian packages, build, run every test
#   make demo            install missing packages, build, run the daemon on the simulator
#   make SANITIZE=address,undefined check    the same under ASan+UBSan (into build-san/)
#   make check-valgrind  unit tests, and the daemon in two end-to-end tests, under valgrind
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_MERGE=1]  libFuzzer on every parser of outside input,
#                        each target for FUZZ_SECONDS (ASan+UBSan; see FUZZING.md)
#   make format-check    clang-format conformance
#   make bench           benchmarks (not part of check); results in BENCHMARKS.md

PKG_CONFIG ?= pkg-config
CC ?= cc
PKGS := libuv libcurl openssl jansson yaml-0.1 libsystemd libxxhash libmicrohttpd

SANITIZE ?=
ifeq ($(SANITIZE),)
BUILD ?= build
OPT ?= -O2 -g
else
BUILD ?= build-san
OPT ?= -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=$(SANITIZE) $(if $(findstring undefined,$(SANITIZE)),-fsanitize=float-cast-overflow) \
	-fno-sanitize-recover=all
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wold-style-definition \
	-Wformat=2 -Wformat-security -Wtype-limits -Wno-unused-parameter \
	-Wno-missing-field-initializers -Werror=implicit-function-declaration \
	-Werror=attributes -Wvla
# -fno-strict-aliasing: libuv handle casts (uv_handle_t *) violate strict aliasing.
CFLAGS_BASE = -std=gnu11 -D_GNU_SOURCE $(OPT) $(WARN) -fno-strict-aliasing $(SANFLAGS) \
	-Iinclude -Ilib -MMD -MP
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm
ALL_CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard lib/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
# glue2dlfd: daemon/main.c and the loop files below share struct daemon (daemon/daemon.h)
# and link only into glue2dlfd. Every other daemon/*.c is a self-contained part (control
# server, log, sd_notify, metrics, results ring, rendering...) and goes into libg2dd, which
# unit tests link too.
DMN_PROG_SRC := $(addprefix daemon/,main.c cycle.c schedule.c status.c reload.c ctl_cmds.c scrape.c report.c \
	shutdown.c)
DMN_PROG_OBJ := $(DMN_PROG_SRC:%.c=$(BUILD)/%.o)
DMN_SRC := $(filter-out $(DMN_PROG_SRC),$(sort $(wildcard daemon/*.c)))
DMN_OBJ := $(DMN_SRC:%.c=$(BUILD)/%.o)
# glue2dlfctl: ctl/glue2dlfctl.c holds main(); the rest of ctl/ (transport, output) forms
# libg2dctl, which unit tests link too. The client shares nothing with the daemon but the
# control protocol of the library (lib/control).
CTL_MAIN := ctl/glue2dlfctl.c
CTL_SRC := $(filter-out $(CTL_MAIN),$(sort $(wildcard ctl/*.c)))
CTL_OBJ := $(CTL_SRC:%.c=$(BUILD)/%.o)
SIM_SRC := $(sort $(wildcard tests/sim/*.c))
SIM_OBJ := $(SIM_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
MICRO_SRC := $(sort $(wildcard tests/bench/*.c))
MICRO_BIN := $(MICRO_SRC:tests/bench/%.c=$(BUILD)/tests/%)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(filter-out tests/fuzz/standalone.c,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_STANDALONE := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/%-replay)

LIBG2D := $(BUILD)/libglue2dlf.a
LIBDMN := $(BUILD)/libg2dd.a
LIBCTL := $(BUILD)/libg2dctl.a
PROGS := $(BUILD)/glue2dlfd $(BUILD)/glue2dlfctl $(BUILD)/glue2dlf-sim

# Keep intermediate objects (test and tool .o files): no rebuilds, and no "rm" line after
# the test summary that CI reads last.
.SECONDARY:

.PHONY: all deps check _check check-valgrind demo _demo fuzz format format-check bench \
	_bench clean install deb check-packaging verify-unit fuzz-build fuzz-deps

all: $(PROGS) $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_STANDALONE) $(MICRO_BIN)

deps:
	@./tools/install-deps.sh

# The two README commands install what a fresh Debian machine lacks, then re-enter make so
# that pkg-config sees the freshly installed packages.
check: deps
	@$(MAKE) --no-print-directory _check

_check: all
	@tests/run-tests.sh $(BUILD)

check-valgrind: deps
	@$(MAKE) --no-print-directory all
	@G2D_TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		tests/run-tests.sh $(BUILD) unit
	@G2D_DAEMON_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		BUILD=$$(cd $(BUILD) && pwd) bash tests/integration/test_databases.sh
	@G2D_DAEMON_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		BUILD=$$(cd $(BUILD) && pwd) bash tests/integration/test_catalog.sh

demo: deps
	@$(MAKE) --no-print-directory _demo

_demo: $(PROGS)
	@tests/demo.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory _bench

_bench: $(PROGS)
	@tests/bench/run.sh $(BUILD)

# Tests reach the daemon's and the client's internal headers through include paths, never
# ../../ paths.
$(BUILD)/tests/%.o: ALL_CFLAGS += -Idaemon -Ictl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBG2D): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBDMN): $(DMN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBCTL): $(CTL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/glue2dlfd: $(DMN_PROG_OBJ) $(LIBDMN) $(LIBG2D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/glue2dlfctl: $(BUILD)/ctl/glue2dlfctl.o $(LIBCTL) $(LIBG2D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/glue2dlf-sim: $(SIM_OBJ) $(LIBG2D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/tests/unit/test_%.o $(LIBDMN) $(LIBCTL) $(LIBG2D)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka) -lpthread

$(BUILD)/tests/%: $(BUILD)/tests/tools/%.o $(LIBG2D)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/bench/%.o $(LIBG2D)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Fuzz targets are also built with a plain main() that replays the seed corpus, so that
# `make check` compiles and exercises them without clang/libFuzzer.
$(BUILD)/tests/fuzz_%-replay: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/standalone.o \
		$(LIBDMN) $(LIBG2D)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Fuzzing: every target built with libFuzzer under ASan+UBSan (the library objects are
# compiled once into build-fuzz/obj), then each run for FUZZ_SECONDS over its corpus in
# tests/fuzz/corpus/NAME (read-only; new inputs go to build-fuzz/work/NAME). A crash fails
# and leaves its input in build-fuzz/artifacts/; add it to the corpus as a regression test.
# FUZZ_MERGE=1 merges the inputs that add coverage into the repository's corpora.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fno-strict-aliasing \
	-Iinclude -Ilib -Idaemon -MMD -MP $(PKG_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZ_OBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC) $(DMN_SRC))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJ)
	@echo "  FUZZ-LD $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJ) -o $@ $(PKG_LIBS)

fuzz-build: fuzz-deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz-deps:
	@./tools/install-deps.sh fuzz

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_MERGE=$(FUZZ_MERGE) tools/fuzz-run.sh $(FUZZ_BIN)

FORMAT_SRC = $(wildcard include/glue2dlf/*.h lib/*/*.c lib/*/*.h daemon/*.c daemon/*.h \
	ctl/*.c ctl/*.h tests/unit/*.c tests/sim/*.c tests/sim/*.h tests/tools/*.c tests/fuzz/*.c \
	tests/bench/*.c)
format:
	clang-format -i $(FORMAT_SRC)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRC) && echo "format-check: ok"

# make install [PREFIX=/usr/local] [DESTDIR=]: binaries, man pages, the bash completion, the
# systemd units (their ExecStart= follows PREFIX), the sysusers.d entry for the glue2dlf user
# and group, and the reference configuration, which is never overwritten once there.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
CATALOGDIR ?= $(PREFIX)/lib/systemd/catalog
SYSCONFDIR ?= /etc
UNITS := glue2dlf.service glue2dlf@.service

$(BUILD)/units/%: packaging/%.in
	@mkdir -p $(dir $@)
	sed -e 's#@SBINDIR@#$(SBINDIR)#g; s#@BINDIR@#$(BINDIR)#g' $< >$@

install: $(BUILD)/glue2dlfd $(BUILD)/glue2dlfctl $(UNITS:%=$(BUILD)/units/%)
	install -D -m 0755 $(BUILD)/glue2dlfd $(DESTDIR)$(SBINDIR)/glue2dlfd
	install -D -m 0755 $(BUILD)/glue2dlfctl $(DESTDIR)$(BINDIR)/glue2dlfctl
	install -D -m 0644 $(BUILD)/units/glue2dlf.service $(DESTDIR)$(UNITDIR)/glue2dlf.service
	install -D -m 0644 $(BUILD)/units/glue2dlf@.service $(DESTDIR)$(UNITDIR)/glue2dlf@.service
	install -D -m 0644 packaging/glue2dlf.sysusers $(DESTDIR)$(SYSUSERSDIR)/glue2dlf.conf
	install -D -m 0644 packaging/glue2dlfd.8 $(DESTDIR)$(MANDIR)/man8/glue2dlfd.8
	install -D -m 0644 packaging/glue2dlfctl.1 $(DESTDIR)$(MANDIR)/man1/glue2dlfctl.1
	install -D -m 0644 packaging/glue2dlf.yaml.5 $(DESTDIR)$(MANDIR)/man5/glue2dlf.yaml.5
	install -D -m 0644 packaging/glue2dlfctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/glue2dlfctl
	install -D -m 0644 packaging/glue2dlf.catalog $(DESTDIR)$(CATALOGDIR)/glue2dlf.catalog
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/glue2dlf/glue2dlf.yaml ]; then \
		echo "install: keeping the existing $(DESTDIR)$(SYSCONFDIR)/glue2dlf/glue2dlf.yaml"; \
	else \
		install -D -m 0640 glue2dlf.yaml $(DESTDIR)$(SYSCONFDIR)/glue2dlf/glue2dlf.yaml; \
	fi

# make check-packaging (root, Debian's mirror reachable): the .deb installed in a fresh
# Debian 12 root booted with systemd-nspawn, and the README's commands in a fresh root.
check-packaging: deb $(BUILD)/glue2dlf-sim
	@./tools/install-deps.sh packaging
	@tests/packaging/test_deb_nspawn.sh $(BUILD) $$(ls build-deb/glue2dlf_*.deb | head -1)
	@tests/packaging/test_fresh_root.sh

# make deb: a Debian package built with the standard tools (debhelper, dpkg-buildpackage)
# from a copy of the committed tree, packaging/debian as its debian/ directory; the .deb
# lands in build-deb/.
deb:
	@./tools/install-deps.sh deb
	rm -rf build-deb && mkdir -p build-deb/src
	git archive HEAD | tar -x -C build-deb/src
	cp -r packaging/debian build-deb/src/debian
	cp packaging/glue2dlf.sysusers build-deb/src/debian/glue2dlf.sysusers
	cd build-deb/src && dpkg-buildpackage -us -uc -b
	@dpkg-deb -c build-deb/glue2dlf_*.deb | grep -q ' \./usr/share/bash-completion/completions/glue2dlfctl$$' || \
		{ echo "deb: the bash completion is missing from the package"; exit 1; }
	@dpkg-deb -c build-deb/glue2dlf_*.deb | grep -q ' \./usr/lib/systemd/catalog/glue2dlf.catalog$$' || \
		{ echo "deb: the journal catalog is missing from the package"; exit 1; }
	@ls build-deb/*.deb

clean:
	rm -rf build build-san build-fuzz build-deb

-include $(shell find $(BUILD) build-fuzz/obj -name '*.d' 2>/dev/null)
