# hotline front door. `make demo` and `make test` are the README's two commands.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 8080
DB ?= demo.db
ONLY ?=

# Debian packages the build, the tests and the benchmarks need.
DEB_PACKAGES := build-essential cmake pkg-config git curl ca-certificates \
  libboost-dev libboost-system-dev libsqlite3-dev sqlite3 nlohmann-json3-dev \
  postgresql postgresql-client libpq-dev \
  libsodium-dev libcsv-dev libicu-dev libopencc-dev opencc libcli11-dev libgtest-dev libgmock-dev \
  libbenchmark-dev wrk python3 zlib1g-dev
# The classifier: fastText and liblinear.
DEB_PACKAGES += libfasttext-dev liblinear-dev
# The monthly KPI report as Excel (.xlsx).
DEB_PACKAGES += libxlsxwriter-dev
# Open311's XML answers (docs/open311.md): libxml2's writer; its parser in the unit tests.
DEB_PACKAGES += libxml2-dev
# Knowledge entries from xlsx (kb/entry_xlsx.cc): minizip opens the workbook, libxml2 reads it.
DEB_PACKAGES += libminizip-dev

# The web UI's browser test (tests/web_story_test.py): Debian's Chromium, driven by the npm
# package playwright-core, and a CJK font so Chinese renders in the screenshots.
DEB_PACKAGES += chromium fonts-noto-cjk
# node + npm build web/ (Debian's nodejs/npm are installed only when the machine has no npm).
WEB_NODE_PACKAGES := nodejs npm

# Only for `make bench` (the baselines measured beside our figures): PostGIS, the fastText
# command line, scikit-learn + jieba from Debian (run with /usr/bin/python3), nginx (the web
# group's static-file baseline, started by bench/web_bench.py on a temporary config).
BENCH_PACKAGES := postgresql-15-postgis-3 fasttext python3-sklearn python3-jieba nginx

# Only for `make fuzz` (libFuzzer needs clang and its runtime).
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build release demo test bench fuzz format clean web web-deps

# $(call install,PACKAGES): apt-get install the ones not installed yet.
define install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install,$(DEB_PACKAGES))

release: deps
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DHOTLINE_TESTS=OFF >/dev/null
	cmake --build build/release -j$(JOBS) --target hotline

build: release

demo: release web
	./build/release/app/hotline demo --db $(DB) --port $(PORT) --web web/dist

# The web UI (web/): `npm ci` when the lock file changed, `npm run build` when a source changed.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
web-deps:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(WEB_NODE_PACKAGES); }
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
web: web-deps
	$(MAKE) web/dist/index.html

test: deps web
	cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DHOTLINE_SANITIZE=ON -DHOTLINE_BENCH=OFF >/dev/null
	cmake --build build/asan -j$(JOBS)
	cd build/asan && ctest --output-on-failure -j$(JOBS)

bench: deps
	$(call install,$(BENCH_PACKAGES))
	cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DHOTLINE_TESTS=OFF >/dev/null
	cmake --build build/bench -j$(JOBS)
	bench/run.sh build/bench $(ONLY)

# libFuzzer on text/ (normalisation, PII): FUZZ_SECONDS per target, corpus copied to build/fuzz.
fuzz: deps
	$(call install,$(FUZZ_PACKAGES))
	CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOTLINE_FUZZ=ON -DHOTLINE_TESTS=OFF -DHOTLINE_BENCH=OFF >/dev/null
	cmake --build build/fuzz -j$(JOBS) --target normalize_fuzz pii_fuzz
	for t in normalize pii; do \
	  mkdir -p build/fuzz/work_$$t build/fuzz/art_$$t && cp text/fuzz/corpus/$$t/* build/fuzz/work_$$t/ && \
	  build/fuzz/text/$${t}_fuzz build/fuzz/work_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/art_$$t/ || exit 1; \
	done

format:
	find app api service domain store text geo bench tests -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build
