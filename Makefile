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
# A fully static executable (Swift runtime, glibc, libseccomp, libcap all linked in): no dynamic loading at
# startup, about 2 ms faster per command than --static-swift-stdlib alone (docs/benchmarks.md).
# Concrete generic types' metadata through their accessors, not by demangling their names at run time: each new
# process paid for that on every array and dictionary type it touched first (docs/profile.md).
RELEASE_FLAGS = -c release -Xswiftc -static-executable --scratch-path $(SWIFT_SCRATCH) \
                -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
# Hot code together: every function in its own section (ours; the Swift stdlib and runtime archives already are),
# and gold lays out first what scripts/hot-sections.txt lists (scripts/hot-sections.sh), so a `run` maps fewer
# pages of the binary: peak RSS 10.1 -> 7.0 MB (docs/profile.md). Only with gold, the linker swiftc uses here.
ifneq ($(shell command -v ld.gold 2>/dev/null),)
RELEASE_FLAGS += -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
                 -Xlinker --section-ordering-file=$(CURDIR)/scripts/hot-sections.txt
endif
TAURUN        = $(SWIFT_SCRATCH)/release/taurun
ROOTFS        = $(CURDIR)/build/rootfs
RUNTIME      ?= $(TAURUN)
export BATS_FLAGS ?= --timing

.PHONY: deps build rootfs run hello-bundle tau-app test unit-test integration-test test-runtime hugetlb bench install \
        faults fuzz conformance

deps:
	@scripts/deps.sh

build:
	@# SwiftPM does not see the ordering file as an input: a newer list needs a new link.
	@if [[ -e $(TAURUN) && scripts/hot-sections.txt -nt $(TAURUN) ]]; then rm -f $(TAURUN); fi
	$(SWIFT) build $(RELEASE_FLAGS)
	@test -x $(TAURUN)

rootfs:
	@scripts/rootfs.sh $(ROOTFS)

hello-bundle: build rootfs
	@scripts/hello-bundle.sh $(TAURUN) $(ROOTFS) $(CURDIR)/build/bundles/hello

# A plain OCI bundle, then a Tau app (bundles/hello/tau.toml) converted into a sandboxed bundle and run.
# The last app oversteps on purpose: its run fails (the leading '-' keeps make going) and the audit log says why.
run: deps build rootfs hello-bundle tau-app
	$(TAURUN) run --bundle $(CURDIR)/build/bundles/hello hello-$$$$
	$(TAURUN) --audit-log $(CURDIR)/build/audit.jsonl run --bundle $(CURDIR)/build/bundles/tau-hello tau-hello-$$$$
	-$(TAURUN) --audit-log $(CURDIR)/build/audit.jsonl run --bundle $(CURDIR)/build/bundles/tau-offline tau-offline-$$$$
	$(TAURUN) --audit-log $(CURDIR)/build/audit.jsonl audit --app org.tauos.offline

tau-app: build rootfs
	$(TAURUN) convert bundles/hello/tau.toml --bundle $(CURDIR)/build/bundles/tau-hello --rootfs $(ROOTFS) \
		--state-dir $(CURDIR)/build/state
	$(TAURUN) explain bundles/hello/tau.toml
	$(TAURUN) convert bundles/offline/tau.toml --bundle $(CURDIR)/build/bundles/tau-offline --rootfs $(ROOTFS) \
		--state-dir $(CURDIR)/build/state

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

# Crash consistency and concurrency, the long run: make faults N=1000 SEED=1 (RUNTIME=runc to compare).
N    ?= 1000
SEED ?= 1
faults: deps hugetlb build rootfs
	@FAULTS_PHASES="create start run run-d kill delete exec" scripts/faults.sh $(RUNTIME) $(N) $(SEED)
	@scripts/concurrency.sh $(RUNTIME) 10 10

# libFuzzer on the config.json decoders and the Tau manifest readers, FUZZ_SECONDS each (crash inputs are kept
# in Fuzz/regressions/).
FUZZ_SECONDS ?= 60
fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# Podman, containerd and runtime-tools suites against the installed taurun (or RUNTIME=/usr/sbin/runc).
conformance: install
	@RUNTIME=$(if $(filter $(TAURUN),$(RUNTIME)),$(PREFIX)/bin/taurun,$(RUNTIME)) conformance/run.sh

install: build
	install -D -m 0755 $(TAURUN) $(DESTDIR)$(PREFIX)/bin/taurun
