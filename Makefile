# smtpdx - the two commands of the README's Quick start, and the rest
#   make demo    install missing Debian packages, build, run smtpdx logs on a bundled Postfix log
#   make check   install, build with -Werror, run every test, then again under ASan+UBSan
#   make bench   the benchmarks (SHARED=../shared by default)
#   make fuzz    build the libFuzzer targets with clang and run each FUZZ_SECONDS
BUILD  ?= build
ASAN   ?= build-asan
FUZZB  ?= build-fuzz
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
SHARED ?= ../shared
FUZZ_SECONDS ?= 600
CMAKE_FLAGS ?=
MAKEFLAGS += --no-print-directory

.PHONY: all deps build demo check test asan bench fuzz regen-golden install clean

all: build

deps:
	@scripts/deps.sh test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDX_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@echo
	@echo "== smtpdx logs examples/logs/postfix-maillog   (a log written by real Postfix; see examples/logs/README.md)"
	@echo
	@./$(BUILD)/smtpdx logs --limit 8 examples/logs/postfix-maillog || true
	@echo
	@echo "== smtpdx explain --brief < examples/replies.txt   (real replies; see examples/README.md)"
	@echo
	@./$(BUILD)/smtpdx explain --brief < examples/replies.txt
	@echo
	@echo "== one of them in full:"
	@echo
	@./$(BUILD)/smtpdx explain "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table"
	@echo
	@echo "== and an address:"
	@echo
	@./$(BUILD)/smtpdx address 'user@exämple.com' || true
	@echo
	@echo "== smtpdx transcript examples/transcripts/client-faults.txt   (a session with client faults)"
	@echo
	@./$(BUILD)/smtpdx transcript examples/transcripts/client-faults.txt || true
	@echo
	@echo "== smtpdx bounce tests/data/bounce/exim-mixed.eml   (a DSN real Exim wrote; see tests/data/bounce-SOURCE.md)"
	@echo
	@./$(BUILD)/smtpdx bounce tests/data/bounce/exim-mixed.eml || true
	@echo
	@echo "== smtpdx watch --once: the same Postfix log as Prometheus metrics (the daemon serves them live)"
	@echo
	@./$(BUILD)/smtpdx watch --once --from-start --state none examples/logs/postfix-maillog | grep '^smtpdx_refusals_total' | head -8

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DSDX_WERROR=ON -DSDX_SANITIZE=ON -DSDX_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS)

check: test asan

bench: build
	@bench/run.sh $(BUILD) $(SHARED)

fuzz:
	@scripts/deps.sh fuzz
	@CC=clang cmake -S . -B $(FUZZB) -DSDX_FUZZ=ON -DSDX_TESTS=OFF -DSDX_BENCH=OFF -DSDX_SANITIZE=ON \
		-DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link >/dev/null
	@cmake --build $(FUZZB) -j$(JOBS)
	@for t in reply address logs syslog transcript smtpread; do \
		mkdir -p fuzz/out/$$t; \
		echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
		$(FUZZB)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 fuzz/out/$$t fuzz/corpus/$$t \
			2>&1 | tail -3 || exit 1; \
	done

regen-golden: build
	@REGEN=1 SMTPDX=$(BUILD)/smtpdx sh tests/cli/run.sh tests/cli/cases
	@git diff --stat tests/cli/cases

install: build
	@cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZB)
