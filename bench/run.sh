#!/usr/bin/env bash
# Runs the benchmark groups and prints their "bench: NAME value=... unit=..." lines.
#   bench/run.sh BUILD_DIR [ONLY]
# ONLY picks one group: engine (durable intake over HTTP vs SQLite baselines), analytics (the
# dashboard queries over 10 M generated orders: KpiEngine under live intake vs SQLite and
# PostgreSQL 15), place (grid lookups, gazetteer and map layers vs PostGIS / SQLite), classify,
# web (the dashboard's first paint in Chromium, static files vs nginx, GET /dashboard under wrk;
# bench/web_bench.py), hotspots, kb (knowledge-base search on the shared Beijing Q&A data vs BM25
# baselines; docs/kb.md), scale (`hotline generate` into SQLite beside the demo path;
# bench/scale_bench.py). Groups whose executable is not built are reported and skipped.
# Exits non-zero if a group fails.
set -uo pipefail
BUILD=${1:?usage: bench/run.sh BUILD_DIR [ONLY]}
ONLY=${2:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)

# group -> command (relative to the build directory)
declare -A CMD=(
  [engine]="bench/intake_bench --data $ROOT/data"
  [classify]="bench/classify_bench --data $ROOT/data"
  [place]="bench/place_bench --data $ROOT/data"
  [analytics]="bench/analytics_bench --data $ROOT/data"
  [web]="bench/web_bench --data $ROOT/data"
  [hotspots]="bench/hotspots_bench --data $ROOT/data"
  [kb]="bench/kb_bench --data $ROOT/data"
  [scale]="bench/scale_bench --data $ROOT/data"
)
ORDER=(engine classify place analytics web hotspots kb scale)

if [ -n "$ONLY" ] && [ -z "${CMD[$ONLY]+x}" ]; then
  echo "bench/run.sh: unknown group '$ONLY' (groups: ${ORDER[*]})" >&2
  exit 2
fi
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
rc=0
for g in "${ORDER[@]}"; do
  [ -n "$ONLY" ] && [ "$g" != "$ONLY" ] && continue
  set -- ${CMD[$g]}
  exe="$BUILD/$1"; shift
  if [ ! -x "$exe" ]; then
    echo "# $g: $exe not built; skipped"
    [ -n "$ONLY" ] && rc=1
    continue
  fi
  echo "# $g"
  "$exe" "$@" || { echo "# $g: FAILED (exit $?)"; rc=1; }
done
exit $rc
