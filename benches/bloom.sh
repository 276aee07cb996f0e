#!/usr/bin/env bash
# RedisBloom benchmarks measured inside Oxidis (issue 13's targets):
#   BF.ADD of random items into a reserved filter vs SADD of the same items
#   into a set, -P 16 (>= 0.9x)
#   TDIGEST.ADD of one random value vs SADD (reported, no target)
#   bits per item of a 1M-capacity 1% filter: BF.INFO Size * 8 / 1M (the
#   module's layout gives 11.03: its bits-per-entry rounding and header)
# Rounds alternate the two commands; the ratio is the median of per-round
# ratios (this machine's speed drifts). Server on CPU 0, load on CPU 1.
#
#   benches/bloom.sh
# Environment: OXIDIS_BIN, BLOOM_N (requests per run, 400000), BLOOM_ROUNDS
# (5), BLOOM_PORT (6398).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OXIDIS_BIN=${OXIDIS_BIN:-$ROOT/target/release/oxidis-server}
N=${BLOOM_N:-400000}
ROUNDS=${BLOOM_ROUNDS:-5}
PORT=${BLOOM_PORT:-6398}
SRV_PIN=() CLI_PIN=()
if command -v taskset >/dev/null 2>&1 && [[ $(nproc --all) -ge 2 ]]; then
    SRV_PIN=(taskset -c 0) CLI_PIN=(taskset -c 1)
fi
WORK=$(mktemp -d /tmp/oxbloom.XXXX)
"${SRV_PIN[@]}" "$OXIDIS_BIN" --port "$PORT" --save '' --appendonly no --dir "$WORK" >"$WORK/log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
cli() { redis-cli -p "$PORT" "$@"; }

# A filter big enough that the random items never make it scale.
cli BF.RESERVE bf 0.01 1000000 >/dev/null
cli TDIGEST.CREATE td >/dev/null

rps() { # prints requests per second of one redis-benchmark run
    "${CLI_PIN[@]}" redis-benchmark -p "$PORT" -c 50 -P 16 -r 100000 -n "$N" -q "$@" 2>/dev/null |
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

compare "BF.ADD / SADD" BF.ADD bf 'item:__rand_int__' -- SADD set 'item:__rand_int__'
compare "TDIGEST.ADD / SADD" TDIGEST.ADD td '__rand_int__' -- SADD set 'item:__rand_int__'
cli BF.INFO bf | tr -d '\r' | paste - - | awk -F'\t' '$1 == "Number of filters" && $2 != 1 { print "warning: the filter scaled" }'

# Bits per item of a 1M-capacity 1% filter.
cli BF.RESERVE big 0.01 1000000 >/dev/null
size=$(cli BF.INFO big SIZE | tr -d '\r')
awk -v s="$size" 'BEGIN { printf "bits per item, 1M-capacity 1%% filter: %.2f (BF.INFO Size %d bytes)\n", s * 8 / 1000000, s }'
