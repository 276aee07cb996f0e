#!/usr/bin/env bash
# RedisTimeSeries rows measured inside Oxidis (issue 13):
#   TS.ADD key * value vs XADD key * f value, -P 16 (the series takes the
#   LAST duplicate policy: many requests share a millisecond; values get a
#   leading 1 because the module's number grammar refuses leading zeros)
#   memory per sample: TS_MEM_N samples, one a second, of a one-decimal
#   random walk into a series and into a stream (field "v"), MEMORY USAGE
#   of each divided by the sample count
# Rounds alternate the two commands; the ratio is the median of per-round
# ratios. Server on CPU 0, load on CPU 1.
#
#   benches/timeseries.sh
# Environment: OXIDIS_BIN, TS_N (requests per run, 400000), TS_ROUNDS (5),
# TS_MEM_N (samples for the memory row, 1000000), TS_PORT (6397).
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OXIDIS_BIN=${OXIDIS_BIN:-$ROOT/target/release/oxidis-server}
N=${TS_N:-400000}
ROUNDS=${TS_ROUNDS:-5}
MEM_N=${TS_MEM_N:-1000000}
PORT=${TS_PORT:-6397}
SRV_PIN=() CLI_PIN=()
if command -v taskset >/dev/null 2>&1 && [[ $(nproc --all) -ge 2 ]]; then
    SRV_PIN=(taskset -c 0) CLI_PIN=(taskset -c 1)
fi
WORK=$(mktemp -d /tmp/oxts.XXXX)
"${SRV_PIN[@]}" "$OXIDIS_BIN" --port "$PORT" --save '' --appendonly no --dir "$WORK" >"$WORK/log" 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; wait $SRV 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
cli() { redis-cli -p "$PORT" "$@"; }

cli TS.CREATE ts DUPLICATE_POLICY LAST >/dev/null

rps() { # prints requests per second of one redis-benchmark run
    "${CLI_PIN[@]}" redis-benchmark -p "$PORT" -c 50 -P 16 -r 100000 -n "$N" -q "$@" 2>/dev/null |
        tr '\r' '\n' | awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) v = $i } END { print v }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

ratios=()
for _ in $(seq "$ROUNDS"); do
    ra=$(rps TS.ADD ts '*' '1__rand_int__'); rb=$(rps XADD st '*' f '1__rand_int__')
    ratios+=("$(awk -v x="$ra" -v y="$rb" 'BEGIN { printf "%.3f", x / y }')")
    printf '  TS.ADD / XADD: %s rps vs %s rps\n' "$ra" "$rb"
done
printf 'TS.ADD / XADD ratio (median of %d rounds): %s\n' "$ROUNDS" "$(printf '%s\n' "${ratios[@]}" | median)"

# Memory per sample: the same random walk into a series and a stream.
awk -v n="$MEM_N" 'BEGIN { srand(7); v = 200; t = 1700000000000
    for (i = 0; i < n; i++) {
        v += int(rand() * 21 - 10) / 10; t += 1000
        ts = sprintf("%.0f", t); val = sprintf("%.1f", v); id = ts "-0"
        printf "*4\r\n$6\r\nTS.ADD\r\n$3\r\nmts\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(ts), ts, length(val), val
        printf "*5\r\n$4\r\nXADD\r\n$3\r\nmst\r\n$%d\r\n%s\r\n$1\r\nv\r\n$%d\r\n%s\r\n", length(id), id, length(val), val
    } }' >"$WORK/load.resp"
cli --pipe <"$WORK/load.resp" 2>&1 | tail -1
ts_mem=$(cli MEMORY USAGE mts | tr -d '\r')
st_mem=$(cli MEMORY USAGE mst SAMPLES 0 | tr -d '\r')
samples=$(cli TS.INFO mts | tr -d '\r' | awk 'p { print; exit } $0 == "totalSamples" { p = 1 }')
awk -v a="$ts_mem" -v b="$st_mem" -v n="$MEM_N" -v s="$samples" 'BEGIN {
    printf "memory per sample, %d-sample random walk: TS %.2f bytes, stream %.2f bytes (%d samples stored)\n", n, a / n, b / n, s }'
