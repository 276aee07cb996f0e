#!/usr/bin/env bash
# JSON benchmarks measured inside Oxidis (issue 13's targets):
#   JSON.GET key $ of a ~800-byte document vs GET of the same text, -P 16 (>= 0.9x)
#   JSON.SET key $ <doc> vs SET key <doc>, -P 16                         (>= 0.7x)
#   memory per document (used_memory delta / keys) vs its compact text  (<= 1.5x)
# Rounds alternate the two commands; the ratio is the median of per-round
# ratios (this machine's speed drifts). Server on CPU 0, load on CPU 1.
#
#   benches/json.sh
# Environment: OXIDIS_BIN, JSON_N (requests per run, 200000), JSON_ROUNDS (5),
# JSON_KEYS (documents for the memory test, 100000), JSON_PORT (6399).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OXIDIS_BIN=${OXIDIS_BIN:-$ROOT/target/release/oxidis-server}
N=${JSON_N:-200000}
ROUNDS=${JSON_ROUNDS:-5}
KEYS=${JSON_KEYS:-100000}
PORT=${JSON_PORT:-6399}
SRV_PIN=() CLI_PIN=()
if command -v taskset >/dev/null 2>&1 && [[ $(nproc --all) -ge 2 ]]; then
    SRV_PIN=(taskset -c 0) CLI_PIN=(taskset -c 1)
fi
WORK=$(mktemp -d /tmp/oxjson.XXXX)
"${SRV_PIN[@]}" "$OXIDIS_BIN" --port "$PORT" --save '' --appendonly no --dir "$WORK" >"$WORK/log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

# shellcheck source=json-doc.sh
source "$ROOT/benches/json-doc.sh"
DOC=$JSON_DOC
echo "document: ${#DOC} bytes"
cli() { redis-cli -p "$PORT" "$@"; }
cli JSON.SET doc '$' "$DOC" >/dev/null
cli SET str "$DOC" >/dev/null

rps() { # prints requests per second of one redis-benchmark run
    "${CLI_PIN[@]}" redis-benchmark -p "$PORT" -c 50 -P 16 -n "$N" -q "$@" 2>/dev/null |
        tr '\r' '\n' | awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) v = $i } END { print v }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

compare() { # label, then two commands separated by --
    local label=$1; shift
    local a=() b=() seen=0
    for x in "$@"; do
        if [[ $x == -- ]]; then seen=1; elif (( seen )); then b+=("$x"); else a+=("$x"); fi
    done
    local ratios=() ra rb
    for _ in $(seq "$ROUNDS"); do
        ra=$(rps "${a[@]}"); rb=$(rps "${b[@]}")
        ratios+=("$(awk -v x="$ra" -v y="$rb" 'BEGIN { printf "%.3f", x / y }')")
        printf '  %s: %s rps vs %s rps\n' "$label" "$ra" "$rb"
    done
    printf '%s ratio (median of %d rounds): %s\n' "$label" "$ROUNDS" "$(printf '%s\n' "${ratios[@]}" | median)"
}

compare "JSON.GET \$ / GET" JSON.GET doc '$' -- GET str
compare "JSON.SET / SET" JSON.SET doc '$' "$DOC" -- SET str "$DOC"

# Memory per document.
cli FLUSHALL >/dev/null
used() { cli INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'; }
base=$(used)
COMPACT=$(cli JSON.GET doc 2>/dev/null || true)
printf 'JSON.SET doc:%%d $ <doc> x %d\n' "$KEYS"
awk -v n="$KEYS" -v d="$DOC" 'BEGIN {
    gsub(/\\/, "\\\\", d); gsub(/"/, "\\\"", d)
    for (i = 0; i < n; i++) printf "JSON.SET doc:%d $ \"%s\"\n", i, d }' | cli --pipe >/dev/null
after=$(used)
len=$(cli JSON.GET doc:0 | tr -d '\n' | wc -c)
awk -v a="$after" -v b="$base" -v n="$KEYS" -v l="$len" 'BEGIN {
    per = (a - b) / n
    printf "memory per document: %.0f bytes for %d bytes of compact text (%.2fx; includes the key and its dict entry)\n", per, l, per / l }'
