# Oxidis — drop-in replacement for redis-server 7.0.15.
#
#   make            release build (target/release/oxidis-server)
#   make run        build and run on port 6379 (PORT=..., RUN_DIR=...)
#   make deps       install test dependencies (tclsh, redis-tools, chromium for the
#                   dashboard's browser test) if missing;
#                   WITH_REDIS_SERVER=1 also installs redis-server for benches
#   make test       deps + build + cargo tests + install test + upstream Tcl suite
#                   (+ its core units over TLS, TLS_CI_UNITS)
#   make tcl        Tcl suite only, e.g. make tcl UNITS="unit/type/list unit/expire"
#   make tcl-tls    the same units over TLS (--tls, plus tcl-harness/units-tls.txt)
#   make bench      compare against /usr/bin/redis-server (benches/bench.sh)
#   make bench-instr  callgrind instructions per request, side by side (benches/instr.sh)
#   make lint       rustfmt check + clippy -D warnings
#   make docs       regenerate docs/commands.md from the command table (cargo test
#                   checks it is current)
#   make install    install the server, the dashboard, dist/oxidis.conf, a systemd unit, sysusers
#                   and tmpfiles entries (PREFIX=/usr/local, DESTDIR=, SYSCONFDIR=)
#   make install-test  make install into a scratch root and start the result

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := all

CARGO   ?= cargo
SERVER  := target/release/oxidis-server
PORT    ?= 6379
RUN_DIR ?= $(CURDIR)/target/run
UNITS   ?=
# The core units `make test` (so CI) also runs over TLS: about two minutes.
# `make tcl-tls` runs them all.
TLS_CI_UNITS ?= unit/tls unit/quit unit/info-command unit/type/incr unit/type/string \
	unit/protocol unit/type/hash unit/keyspace unit/pubsub unit/multi unit/networking \
	unit/auth unit/querybuf unit/pendingquerybuf unit/introspection-2 unit/other \
	unit/dump integration/replication-2
WITH_REDIS_SERVER ?= 0
# make install
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
LIBDIR     ?= $(PREFIX)/lib
DOCDIR     ?= $(PREFIX)/share/doc/oxidis
SUBST      := sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g'

.PHONY: all build run deps test cargo-test tcl tcl-tls bench bench-instr lint docs install install-test

all: build

build:
	$(CARGO) build --release

run: build
	mkdir -p '$(RUN_DIR)'
	exec ./$(SERVER) --port $(PORT) --dir '$(RUN_DIR)' --save '' --appendonly no

# Install what the build and tests need, only if missing: OpenSSL's headers
# (libssl-dev, pkg-config: the server links Debian's libssl3 for TLS), tclsh
# (tcl) and its TLS package (tcl-tls, for the suite's --tls mode), redis-cli /
# redis-benchmark / redis-check-aof (redis-tools), dpkg-source (dpkg-dev, used
# by tcl-harness/run.sh to unpack the suite) and optionally redis-server.
deps:
	@pkgs=(); \
	{ command -v pkg-config && pkg-config --exists openssl; } >/dev/null 2>&1 || pkgs+=(libssl-dev pkg-config); \
	command -v tclsh >/dev/null 2>&1 || pkgs+=(tcl); \
	echo 'package require tls' | tclsh >/dev/null 2>&1 || pkgs+=(tcl-tls); \
	{ command -v redis-cli && command -v redis-benchmark && command -v redis-check-aof; } >/dev/null 2>&1 || pkgs+=(redis-tools); \
	command -v dpkg-source >/dev/null 2>&1 || pkgs+=(dpkg-dev); \
	command -v chromium >/dev/null 2>&1 || pkgs+=(chromium); \
	if [[ '$(WITH_REDIS_SERVER)' == 1 ]] && ! command -v redis-server >/dev/null 2>&1; then pkgs+=(redis-server); fi; \
	if [[ $${#pkgs[@]} -eq 0 ]]; then echo "deps: all present"; exit 0; fi; \
	echo "deps: installing $${pkgs[*]}"; \
	if [[ $$(id -u) -eq 0 ]]; then sudo=(); else sudo=(sudo); fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$${sudo[@]+"$${sudo[@]}"} apt-get update -qq; \
	$${sudo[@]+"$${sudo[@]}"} apt-get install -y -qq --no-install-recommends "$${pkgs[@]}"

test: deps
	$(MAKE) build
	$(MAKE) cargo-test
	dist/install-test.sh
	tcl-harness/run.sh
	TCL_TLS=1 tcl-harness/run.sh $(TLS_CI_UNITS)

cargo-test:
	OXIDIS_BIN='$(CURDIR)/$(SERVER)' $(CARGO) test --workspace --release
	OXIDIS_BIN='$(CURDIR)/$(SERVER)' $(CARGO) test --release -p oxidis-client --features tokio --test aio

tcl: build
	tcl-harness/run.sh $(UNITS)

tcl-tls: build
	TCL_TLS=1 tcl-harness/run.sh $(UNITS)

bench: build
	benches/bench.sh

bench-instr: build
	benches/instr.sh

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

docs:
	OXIDIS_UPDATE_DOCS=1 $(CARGO) test --release --lib commands::reference

# An existing configuration is never overwritten: the new one lands next to
# it as oxidis.conf.new. Into the live system (no DESTDIR, as root) the user
# and directories are created at once; packagers run systemd-sysusers and
# systemd-tmpfiles --create in their post-install step instead.
install: build
	$(CARGO) build --release -p oxidis-dashboard
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/oxidis $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(LIBDIR)/systemd/system $(DESTDIR)$(LIBDIR)/sysusers.d $(DESTDIR)$(LIBDIR)/tmpfiles.d
	install -m 0755 $(SERVER) $(DESTDIR)$(BINDIR)/oxidis-server
	install -m 0755 target/release/oxidis-dashboard $(DESTDIR)$(BINDIR)/oxidis-dashboard
	conf=$(DESTDIR)$(SYSCONFDIR)/oxidis/oxidis.conf; \
		if [[ -e $$conf ]]; then conf=$$conf.new; fi; \
		install -m 0640 dist/oxidis.conf $$conf
	$(SUBST) dist/oxidis.service.in > $(DESTDIR)$(LIBDIR)/systemd/system/oxidis.service
	$(SUBST) dist/oxidis.tmpfiles.in > $(DESTDIR)$(LIBDIR)/tmpfiles.d/oxidis.conf
	install -m 0644 dist/oxidis.sysusers $(DESTDIR)$(LIBDIR)/sysusers.d/oxidis.conf
	chmod 0644 $(DESTDIR)$(LIBDIR)/systemd/system/oxidis.service $(DESTDIR)$(LIBDIR)/tmpfiles.d/oxidis.conf
	install -m 0644 README.md docs/commands.md $(DESTDIR)$(DOCDIR)/
	if [[ -z "$(DESTDIR)" && $$(id -u) -eq 0 ]] && command -v systemd-sysusers >/dev/null; then \
		systemd-sysusers $(LIBDIR)/sysusers.d/oxidis.conf && \
		systemd-tmpfiles --create $(LIBDIR)/tmpfiles.d/oxidis.conf && \
		{ systemctl daemon-reload 2>/dev/null || true; }; fi

install-test: build
	dist/install-test.sh
