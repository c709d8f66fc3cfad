# taurun: build, run, test and benchmark. Run as root on Debian 12 (see README.md).
#
#   make run                       install packages, build, build a busybox bundle and run it with taurun
#   make test                      unit tests of every module + the integration suite against taurun
#   make test-runtime RUNTIME=runc integration suite only, against any runtime binary
#   make bench                     taurun vs crun vs runc with hyperfine; writes docs/benchmarks.md
#   make install                   copy the release binary to $(PREFIX)/bin

SHELL := /bin/bash
.DEFAULT_GOAL := build

# The Swift toolchain lives in /opt/swift on the project's machines; use it when swift is not already on PATH.
ifeq ($(shell command -v swift 2>/dev/null),)
export PATH := /opt/swift/usr/bin:$(PATH)
endif

PREFIX       ?= /usr/local
SWIFT        ?= swift
# SCRATCH: SwiftPM's build directory; another one (make test SCRATCH=.build-mine) keeps parallel builds apart.
SCRATCH      ?= .build
export SWIFT_SCRATCH := $(abspath $(SCRATCH))
RELEASE_FLAGS = -c release --static-swift-stdlib --scratch-path $(SWIFT_SCRATCH)
TAURUN        = $(SWIFT_SCRATCH)/release/taurun
ROOTFS        = $(CURDIR)/build/rootfs
RUNTIME      ?= $(TAURUN)
export BATS_FLAGS ?= --timing

.PHONY: deps build rootfs run hello-bundle test unit-test integration-test test-runtime hugetlb bench install

deps:
	@scripts/deps.sh

build:
	$(SWIFT) build $(RELEASE_FLAGS)
	@test -x $(TAURUN)

rootfs:
	@scripts/rootfs.sh $(ROOTFS)

hello-bundle: build rootfs
	@scripts/hello-bundle.sh $(TAURUN) $(ROOTFS) $(CURDIR)/build/bundles/hello

run: deps build rootfs hello-bundle
	$(TAURUN) run --bundle $(CURDIR)/build/bundles/hello hello-$$$$

# The hugetlb v1 controller is not mounted on every host; the cgroup tests expect it.
hugetlb:
	@mkdir -p /sys/fs/cgroup/hugetlb
	@mountpoint -q /sys/fs/cgroup/hugetlb || mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb

# Everything, ending with one line "N passed, N failed[, N skipped]"; non-zero exit if anything failed.
test: deps hugetlb build rootfs
	@scripts/test.sh --unit --integration $(TAURUN)

unit-test: deps
	@scripts/test.sh --unit

# Builds taurun too: sandbox.bats converts Tau manifests with it whatever RUNTIME runs the bundles.
test-runtime: deps build rootfs
	@scripts/test.sh --integration $(RUNTIME)

bench: deps build rootfs
	@scripts/bench.sh $(TAURUN) $(ROOTFS) $(CURDIR)/docs/benchmarks.md

install: build
	install -D -m 0755 $(TAURUN) $(DESTDIR)$(PREFIX)/bin/taurun
