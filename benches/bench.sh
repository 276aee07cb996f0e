#!/usr/bin/env bash
# Side-by-side benchmark of oxidis-server and redis-server.
#
#   benches/bench.sh            (or: make bench)
#
# Throughput: redis-benchmark -c 50 -r 100000 -P {1,16}, one test per
# invocation, rounds alternating oxidis/redis, median ops/s reported; -n is
# $BENCH_N at -P 1 and $BENCH_N * P / 4 when pipelining (runs of similar length).
# This machine's speed drifts by +-15% from one run to the next, so the ratio
# is the median of per-round ratios over many short rounds.
# CPU: server utime+stime (from /proc/PID/stat) per request.
# Custom: PUBLISH to 1 and to 100 subscribers, EVALSHA of a GET+INCR script.
# Paced: one client sending a GET every 150 µs; server CPU % (benches/paced.py).
# TLS: GET and SET through redis-benchmark --tls against each server's
# tls-port, both servers using the Tcl suite's test certificates
# (utils/gen-test-certs.sh, made by tcl-harness/run.sh --tls-dir).
# ACL cost: GET/SET as a user with 10 key patterns and 2 selectors (the key
# matching only the last selector) against the default user, same server.
# Memory: $BENCH_KEYS SETs of 16-byte keys / 16-byte values on fresh servers,
# used_memory and used_memory_rss (INFO memory) per key above the empty baseline;
# then $BENCH_COLLECTION_KEYS hashes of 10 small fields and as many sorted sets
# of 10 members. Persistence: BGSAVE time and fork pause (latest_fork_usec) of
# the $BENCH_KEYS-key dataset, and the time to load it at restart.
# The servers are pinned to CPU 0 and the load generator to CPU 1 (taskset).
#
# Environment:
#   BENCH_N          requests per redis-benchmark run at -P 1  (100000)
#   BENCH_ROUNDS     rounds per test/pipeline/server           (9)
#   BENCH_TESTS      extra redis-benchmark -t tests, comma separated
#   BENCH_THROUGHPUT_TESTS  the plain throughput tests; empty skips them
#                    ("SET,GET,INCR,MSET,LPUSH,LPOP,SADD,HSET,ZADD,LRANGE_100")
#   BENCH_CUSTOM     0 skips PUBLISH / EVALSHA benchmarks        (1)
#   BENCH_TLS        0 skips the TLS benchmarks                  (1)
#   BENCH_THROUGHPUT 0 skips the main throughput table          (1)
#   BENCH_ACL        0 skips the ACL cost table                 (1)
#   BENCH_PACED      0 skips the paced load (one client, a GET every 150 µs,
#                    server CPU %; needs python3)                (1)
#   BENCH_PACED_SECONDS  seconds per paced run                   (5)
#   BENCH_BLOOM      0 skips the RedisBloom rows (benches/bloom.sh: BF.ADD vs
#                    SADD inside Oxidis, bits per item of a 1M 1% filter) (1)
#   BENCH_TS         0 skips the time-series rows (benches/timeseries.sh:
#                    TS.ADD vs XADD, memory per sample vs a stream)   (1)
#   BENCH_COLLECTION_KEYS  hashes and sorted sets for the memory test (100000)
#   BENCH_PIPELINES  pipeline depths                           ("1 16")
#   BENCH_CLIENTS    redis-benchmark -c                        (50)
#   BENCH_KEYS       keys loaded for the memory test; 0 skips  (1000000)
#   OXIDIS_BIN       our server     (target/release/oxidis-server)
#   REDIS_BIN        reference      (/usr/bin/redis-server; if missing: ours only)
#   BENCH_TIMEOUT    seconds allowed per redis-benchmark run   (300)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OXIDIS_BIN=${OXIDIS_BIN:-$ROOT/target/release/oxidis-server}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
BENCH_N=${BENCH_N:-100000}
BENCH_ROUNDS=${BENCH_ROUNDS:-9}
BENCH_TESTS=${BENCH_TESTS:-}
BENCH_PIPELINES=${BENCH_PIPELINES:-1 16}
BENCH_CLIENTS=${BENCH_CLIENTS:-50}
BENCH_KEYS=${BENCH_KEYS:-1000000}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
BENCH_CUSTOM=${BENCH_CUSTOM:-1}
BENCH_TLS=${BENCH_TLS:-1}
BENCH_COLLECTION_KEYS=${BENCH_COLLECTION_KEYS:-100000}
BENCH_THROUGHPUT=${BENCH_THROUGHPUT:-1}
BENCH_ACL=${BENCH_ACL:-1}
BENCH_PACED=${BENCH_PACED:-1}
BENCH_PACED_SECONDS=${BENCH_PACED_SECONDS:-5}
BENCH_BLOOM=${BENCH_BLOOM:-1}
BENCH_TS=${BENCH_TS:-1}
CLI=${REDIS_CLI:-redis-cli}
BENCHMARK=${REDIS_BENCHMARK:-redis-benchmark}

die() { printf 'bench.sh: error: %s\n' "$*" >&2; exit 2; }

command -v "$CLI" >/dev/null 2>&1 || die "redis-cli not found (make deps)"
command -v "$BENCHMARK" >/dev/null 2>&1 || die "redis-benchmark not found (make deps)"
[[ -x $OXIDIS_BIN ]] || die "$OXIDIS_BIN not found (run 'make' or set OXIDIS_BIN)"

NAMES=(oxidis)
declare -A BIN=([oxidis]=$OXIDIS_BIN)
if [[ -x $REDIS_BIN ]]; then
    NAMES+=(redis)
    BIN[redis]=$REDIS_BIN
else
    printf 'note: %s not found; reporting oxidis only\n' "$REDIS_BIN"
fi

# CPU pinning: servers on CPU 0, load generator on CPU 1.
SRV_PIN=() CLI_PIN=()
if command -v taskset >/dev/null 2>&1 && [[ $(nproc --all 2>/dev/null || echo 1) -ge 2 ]]; then
    SRV_PIN=(taskset -c 0)
    CLI_PIN=(taskset -c 1)
else
    printf 'note: fewer than 2 CPUs or no taskset; not pinning\n'
fi
run_cli() { ${CLI_PIN[@]+"${CLI_PIN[@]}"} "$@"; }

WORK=$(mktemp -d /tmp/oxbench.XXXX)
declare -A PID=() PORT=() DIR=() TLS_PORT=()

# TLS: the suite's certificates; servers then also listen on a tls-port.
TLS_DIR="" TLS_SRV=() TLS_CLI=()
if [[ $BENCH_TLS != 0 ]]; then
    if TLS_DIR=$("$ROOT/tcl-harness/run.sh" --tls-dir 2>"$WORK/tls-dir.err") && [[ -f $TLS_DIR/ca.crt ]]; then
        TLS_SRV=(--tls-cert-file "$TLS_DIR/server.crt" --tls-key-file "$TLS_DIR/server.key"
            --tls-ca-cert-file "$TLS_DIR/ca.crt" --tls-dh-params-file "$TLS_DIR/redis.dh")
        TLS_CLI=(--tls --cert "$TLS_DIR/client.crt" --key "$TLS_DIR/client.key" --cacert "$TLS_DIR/ca.crt")
    else
        printf 'note: no test certificates (%s); TLS not measured\n' "$(tr '\n' ' ' <"$WORK/tls-dir.err" | cut -c1-200)"
        TLS_DIR=""
    fi
fi
USE_TLS=0

stop_server() {
    local name=$1 pid=${PID[$1]:-}
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        "$CLI" -p "${PORT[$name]}" shutdown nosave >/dev/null 2>&1 || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    PID[$name]=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP PIPE
    [[ -n ${SUBS_PID:-} ]] && kill "$SUBS_PID" 2>/dev/null
    local n
    for n in "${!PID[@]}"; do stop_server "$n"; done
    rm -rf -- "$WORK" || true
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

NEXT_PORT=$((30000 + RANDOM % 2000))
start_server() { # name [dir: reuse it, e.g. to load its dump.rdb]
    local name=$1 port dir
    for _ in 1 2 3 4 5; do
        port=$NEXT_PORT
        NEXT_PORT=$((NEXT_PORT + 2))
        port_free "$port" || continue
        local -a tls=()
        if [[ -n $TLS_DIR ]]; then
            port_free $((port + 1)) || continue
            tls=(--tls-port $((port + 1)) "${TLS_SRV[@]}")
            TLS_PORT[$name]=$((port + 1))
        fi
        dir=${2:-"$WORK/$name.$port"}
        mkdir -p "$dir"
        DIR[$name]=$dir
        # a plain command (not a function) so that $! is the server's own pid
        ${SRV_PIN[@]+"${SRV_PIN[@]}"} "${BIN[$name]}" --port "$port" --save '' --appendonly no --dir "$dir" \
            ${tls[@]+"${tls[@]}"} >"$dir/stdout" 2>&1 </dev/null &
        PID[$name]=$!
        PORT[$name]=$port
        for _ in $(seq 1 100); do
            if [[ $("$CLI" -p "$port" ping 2>/dev/null) == PONG ]]; then
                return 0
            fi
            kill -0 "${PID[$name]}" 2>/dev/null || break
            sleep 0.1
        done
        stop_server "$name"
        printf 'warning: %s failed to start on port %s:\n' "$name" "$port" >&2
        tail -n 5 "$dir/stdout" >&2 || true
    done
    die "could not start $name (${BIN[$name]})"
}

# utime+stime of a process, in clock ticks.
cpu_ticks() {
    local stat
    stat=$(<"/proc/$1/stat") || return 1
    stat=${stat##*) }             # drop "pid (comm) "
    local -a f
    read -r -a f <<<"$stat"
    # after comm: f[0]=state (field 3) ... utime=field 14, stime=field 15
    echo $((f[11] + f[12]))
}
CLK_TCK=$(getconf CLK_TCK)

median() {
    # numbers on stdin -> median (mean of the two middle values for even n)
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Median of the per-round ratios of two sample lists ($1 / $2, newline
# separated, in round order): each pair ran back to back, so slow drifts of
# the machine's speed cancel out. Falls back to "-" when the rounds differ.
paired_ratio() {
    local a=$1 b=$2
    [[ -n $a && -n $b ]] || { echo -; return; }
    if [[ $(printf '%s' "$a" | grep -c .) != $(printf '%s' "$b" | grep -c .) ]]; then
        ratio "$(printf '%s' "$a" | median)" "$(printf '%s' "$b" | median)"
        return
    fi
    paste <(printf '%s' "$a") <(printf '%s' "$b") | awk '$2 > 0 { print $1 / $2 }' | median |
        awk '{ if ($1 == "nan") print "-"; else printf "%.2f", $1 }'
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || a == "nan" || b == "nan" || b + 0 == 0) print "-";
        else printf "%.2f", a / b }'
}

# --------------------------------------------------------------------------
# Throughput and CPU
# --------------------------------------------------------------------------

TESTS=${BENCH_THROUGHPUT_TESTS-SET,GET,INCR,MSET,LPUSH,LPOP,SADD,HSET,ZADD,LRANGE_100}
[[ -n $BENCH_TESTS ]] && TESTS="$TESTS,$BENCH_TESTS"
IFS=',' read -r -a TEST_LIST <<<"$TESTS"

for n in "${NAMES[@]}"; do start_server "$n"; done

printf 'bench: n=%s clients=%s rounds=%s pipelines=%s\n' "$BENCH_N" "$BENCH_CLIENTS" "$BENCH_ROUNDS" "$BENCH_PIPELINES"
for n in "${NAMES[@]}"; do
    printf '  %-7s %s (pid %s, port %s)\n' "$n" "${BIN[$n]}" "${PID[$n]}" "${PORT[$n]}"
done

FAILURES=0
declare -A OPS=() CPU=()   # key: name|label|pipeline -> newline separated samples

# One redis-benchmark run against server $1, recorded under label $2 and
# pipeline $3; the rest are redis-benchmark arguments (-t TEST or a command).
bench_one() {
    local n=$1 label=$2 p=$3
    shift 3
    local key="$n|$label|$p" c0 c1 out rps reqs=$BENCH_N
    ((p > 1)) && reqs=$((BENCH_N * p / 4))
    if ! kill -0 "${PID[$n]}" 2>/dev/null; then
        printf 'warning: %s is not running (crashed?); restarting\n' "$n" >&2
        FAILURES=$((FAILURES + 1))
        start_server "$n"
    fi
    local port=${PORT[$n]}
    local -a tls=()
    if ((USE_TLS)); then port=${TLS_PORT[$n]}; tls=("${TLS_CLI[@]}"); fi
    c0=$(cpu_ticks "${PID[$n]}")
    if out=$(run_cli timeout "$BENCH_TIMEOUT" "$BENCHMARK" -p "$port" ${tls[@]+"${tls[@]}"} \
        -c "$BENCH_CLIENTS" -r 100000 -n "$reqs" -P "$p" --csv "$@" 2>"$WORK/bench.err"); then
        c1=$(cpu_ticks "${PID[$n]}" || echo "$c0")
        # last CSV line is the test itself (LRANGE_* is preceded by its LPUSH fill)
        rps=$(printf '%s\n' "$out" | grep -v '^"test"' | tail -n 1 | awk -F'","' '{ print $2 }')
        if [[ $rps =~ ^[0-9.]+$ ]]; then
            OPS[$key]+="$rps"$'\n'
            CPU[$key]+="$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" \
                'BEGIN { printf "%.4f", d / hz * 1e6 / n }')"$'\n'
            return 0
        fi
    fi
    printf 'warning: %s %s -P %s failed: %s\n' "$n" "$label" "$p" \
        "$(tr '\n' ' ' <"$WORK/bench.err" | cut -c1-200)" >&2
    FAILURES=$((FAILURES + 1))
}

# Server order for round $1: alternate which one goes first.
round_order() {
    if (($1 % 2 == 0)) && [[ ${#NAMES[@]} -eq 2 ]]; then echo redis oxidis; else echo "${NAMES[@]}"; fi
}

print_table() { # labels...
    local t p o_ops o_cpu r_ops r_cpu
    printf '%-14s %4s %14s %14s %7s %12s %12s %7s\n' test P "oxidis ops/s" "redis ops/s" ratio "oxidis µs" "redis µs" ratio
    for t in "$@"; do
        for p in $BENCH_PIPELINES; do
            [[ -n ${OPS[oxidis|$t|$p]:-}${OPS[redis|$t|$p]:-} ]] || continue
            o_ops=$(printf '%s' "${OPS[oxidis|$t|$p]:-}" | median)
            o_cpu=$(printf '%s' "${CPU[oxidis|$t|$p]:-}" | median)
            r_ops=- r_cpu=-
            if [[ ${#NAMES[@]} -eq 2 ]]; then
                r_ops=$(printf '%s' "${OPS[redis|$t|$p]:-}" | median)
                r_cpu=$(printf '%s' "${CPU[redis|$t|$p]:-}" | median)
            fi
            printf '%-14s %4s %14s %14s %7s %12s %12s %7s\n' "$t" "$p" \
                "$(awk -v v="$o_ops" 'BEGIN { if (v == "nan") print "-"; else printf "%.0f", v }')" \
                "$(awk -v v="$r_ops" 'BEGIN { if (v == "nan" || v == "-") print "-"; else printf "%.0f", v }')" \
                "$(paired_ratio "${OPS[oxidis|$t|$p]:-}" "${OPS[redis|$t|$p]:-}")" \
                "$(awk -v v="$o_cpu" 'BEGIN { if (v == "nan") print "-"; else printf "%.3f", v }')" \
                "$(awk -v v="$r_cpu" 'BEGIN { if (v == "nan" || v == "-") print "-"; else printf "%.3f", v }')" \
                "$(ratio "$o_cpu" "$r_cpu")"
        done
    done
}

LABELS=()
[[ $BENCH_THROUGHPUT != 0 ]] || TEST_LIST=()
for t in "${TEST_LIST[@]}"; do
    t=$(echo "$t" | tr -d '[:space:]')
    [[ -n $t ]] || continue
    LABELS+=("$t")
    for p in $BENCH_PIPELINES; do
        for ((r = 1; r <= BENCH_ROUNDS; r++)); do
            for n in $(round_order "$r"); do
                "$CLI" -p "${PORT[$n]}" flushall >/dev/null
                bench_one "$n" "$t" "$p" -t "$t"
            done
        done
    done
done

if [[ ${#LABELS[@]} -gt 0 ]]; then
    printf '\nThroughput (median of %s rounds; ratio = median of the per-round oxidis / redis ratios,\n' "$BENCH_ROUNDS"
    printf 'higher is better; each round runs both servers back to back)\n'
    printf 'and server CPU time per request (µs; ratio = oxidis / redis, lower is better)\n'
    print_table "${LABELS[@]}"
    if [[ ,$TESTS, == *,LRANGE* ]]; then
        printf '(LRANGE_* CPU time includes the LPUSH fill redis-benchmark runs first)\n'
    fi
fi

# --------------------------------------------------------------------------
# TLS: GET and SET over each server's tls-port
# --------------------------------------------------------------------------

if [[ -n $TLS_DIR ]]; then
    USE_TLS=1
    TLS_LABELS=()
    for t in SET GET; do
        TLS_LABELS+=("$t/tls")
        for p in $BENCH_PIPELINES; do
            for ((r = 1; r <= BENCH_ROUNDS; r++)); do
                for n in $(round_order "$r"); do
                    bench_one "$n" "$t/tls" "$p" -t "$t"
                done
            done
        done
    done
    USE_TLS=0
    printf '\nTLS (redis-benchmark --tls, the suite'"'"'s test certificates; same columns;\n'
    printf 'CPU time includes the %s handshakes of each run)\n' "$BENCH_CLIENTS"
    print_table "${TLS_LABELS[@]}"
fi

# --------------------------------------------------------------------------
# Paced load: one client, a GET every 150 µs (benches/paced.py)
# --------------------------------------------------------------------------

if [[ $BENCH_PACED != 0 ]] && command -v python3 >/dev/null 2>&1; then
    declare -A PACED_CPU=() PACED_RATE=()
    for ((r = 1; r <= 3; r++)); do
        for n in $(round_order "$r"); do
            if out=$(run_cli python3 "$ROOT/benches/paced.py" "${PORT[$n]}" "${PID[$n]}" 150 "$BENCH_PACED_SECONDS" 2>"$WORK/paced.err"); then
                read -r rate cpu _ <<<"$out"
                PACED_RATE[$n]+="$rate"$'\n'
                PACED_CPU[$n]+="$cpu"$'\n'
            else
                printf 'warning: paced run on %s failed: %s\n' "$n" "$(head -c 200 "$WORK/paced.err")" >&2
            fi
        done
    done
    printf '\nPaced load: one client, a GET every 150 µs, %s s x 3 rounds (median;\n' "$BENCH_PACED_SECONDS"
    printf 'server CPU %% of one core; ratio = oxidis / redis, lower is better)\n'
    printf '%-12s %12s %12s %7s\n' server 'requests/s' 'CPU %' ratio
    o_cpu=$(printf '%s' "${PACED_CPU[oxidis]:-}" | median)
    for n in "${NAMES[@]}"; do
        c=$(printf '%s' "${PACED_CPU[$n]:-}" | median)
        printf '%-12s %12s %12s %7s\n' "$n" "$(printf '%s' "${PACED_RATE[$n]:-}" | median)" "$c" \
            "$(if [[ $n == oxidis ]]; then echo -; else ratio "$o_cpu" "$c"; fi)"
    done
elif [[ $BENCH_PACED != 0 ]]; then
    printf '\nnote: python3 not found; paced load not measured\n'
fi

# --------------------------------------------------------------------------
# Custom commands: PUBLISH to 1 and 100 subscribers, EVALSHA
# --------------------------------------------------------------------------

# Subscribers that read everything (one tclsh process holding N connections,
# on the load generator's CPU).
cat >"$WORK/subs.tcl" <<'TCL'
lassign $argv port count
proc drain {s} { if {[eof $s]} { close $s; return }; read $s }
for {set i 0} {$i < $count} {incr i} {
    set s [socket 127.0.0.1 $port]
    fconfigure $s -translation binary -blocking 0 -buffering none
    puts -nonewline $s "*2\r\n\$9\r\nSUBSCRIBE\r\n\$5\r\nbench\r\n"
    fileevent $s readable [list drain $s]
}
vwait forever
TCL
SUBS_PID=""
start_subscribers() { # name count
    ${CLI_PIN[@]+"${CLI_PIN[@]}"} tclsh "$WORK/subs.tcl" "${PORT[$1]}" "$2" >/dev/null 2>&1 &
    SUBS_PID=$!
    local got
    for _ in $(seq 1 100); do
        got=$("$CLI" -p "${PORT[$1]}" pubsub numsub bench 2>/dev/null | tail -n 1)
        [[ $got == "$2" ]] && return 0
        sleep 0.05
    done
    printf 'warning: %s: only %s of %s subscribers connected\n' "$1" "${got:-0}" "$2" >&2
}
stop_subscribers() {
    [[ -n $SUBS_PID ]] || return 0
    kill "$SUBS_PID" 2>/dev/null || true
    wait "$SUBS_PID" 2>/dev/null || true
    SUBS_PID=""
}

if [[ $BENCH_CUSTOM != 0 ]] && command -v tclsh >/dev/null 2>&1; then
    CUSTOM=()
    for subs in 1 100; do
        label="PUBLISH/$subs"
        CUSTOM+=("$label")
        for p in $BENCH_PIPELINES; do
            for ((r = 1; r <= BENCH_ROUNDS; r++)); do
                for n in $(round_order "$r"); do
                    start_subscribers "$n" "$subs"
                    bench_one "$n" "$label" "$p" publish bench hello-subscribers
                    stop_subscribers
                done
            done
        done
    done
    # EVALSHA of a script doing one GET and one INCR, where scripting exists.
    script="redis.call('GET', KEYS[1]); return redis.call('INCR', KEYS[1])"
    declare -A SHA=()
    for n in "${NAMES[@]}"; do
        sha=$("$CLI" -p "${PORT[$n]}" script load "$script" 2>/dev/null || true)
        if [[ $sha =~ ^[0-9a-f]{40}$ ]]; then SHA[$n]=$sha; fi
    done
    if [[ -n ${SHA[oxidis]:-} ]]; then
        CUSTOM+=("EVALSHA")
        for p in $BENCH_PIPELINES; do
            for ((r = 1; r <= BENCH_ROUNDS; r++)); do
                for n in $(round_order "$r"); do
                    [[ -n ${SHA[$n]:-} ]] || continue
                    bench_one "$n" "EVALSHA" "$p" evalsha "${SHA[$n]}" 1 'key:__rand_int__'
                done
            done
        done
    else
        printf '\nnote: oxidis has no SCRIPT LOAD yet; EVALSHA not measured\n'
    fi
    printf '\nCustom commands (median of %s rounds; same columns)\n' "$BENCH_ROUNDS"
    print_table "${CUSTOM[@]}"
fi

# --------------------------------------------------------------------------
# ACL cost: a restricted user against the default user on the same server
# --------------------------------------------------------------------------

if [[ $BENCH_ACL != 0 ]]; then
    # Ten key patterns: eight on the root selector, one on each of two
    # added selectors; redis-benchmark's keys (key:..., counter:...) match
    # only the last selector, so every check walks the whole user.
    acl_rules=(on '>benchpw' '+@all' resetkeys)
    for i in 1 2 3 4 5 6 7 8; do acl_rules+=("~app$i:*"); done
    acl_rules+=('(+@read ~cache:*)' '(+@all ~key:* ~counter:*)')
    ACL_LABELS=()
    for t in GET SET; do
        for who in default acl; do
            ACL_LABELS+=("$t/$who")
        done
    done
    for n in "${NAMES[@]}"; do
        "$CLI" -p "${PORT[$n]}" acl setuser benchuser "${acl_rules[@]}" >/dev/null
    done
    for t in GET SET; do
        for p in $BENCH_PIPELINES; do
            for ((r = 1; r <= BENCH_ROUNDS; r++)); do
                for n in $(round_order "$r"); do
                    if ((r % 2)); then order=(default acl); else order=(acl default); fi
                    for who in "${order[@]}"; do
                        if [[ $who == acl ]]; then
                            bench_one "$n" "$t/acl" "$p" -t "${t,,}" --user benchuser -a benchpw
                        else
                            bench_one "$n" "$t/default" "$p" -t "${t,,}"
                        fi
                    done
                done
            done
        done
    done
    printf '\nACL cost: GET/SET as a user with 10 key patterns and 2 selectors vs the default user\n'
    printf '(median ops/s of %s rounds; ratio = median per-round acl / default, higher is better)\n' "$BENCH_ROUNDS"
    printf '%-8s %-4s %4s %14s %14s %7s\n' server test P "default ops/s" "acl ops/s" ratio
    for n in "${NAMES[@]}"; do
        for t in GET SET; do
            for p in $BENCH_PIPELINES; do
                d=$(printf '%s' "${OPS[$n|$t/default|$p]:-}" | median)
                a=$(printf '%s' "${OPS[$n|$t/acl|$p]:-}" | median)
                printf '%-8s %-4s %4s %14.0f %14.0f %7s\n' "$n" "$t" "$p" "$d" "$a" \
                    "$(paired_ratio "${OPS[$n|$t/acl|$p]:-}" "${OPS[$n|$t/default|$p]:-}")"
            done
        done
    done
fi

# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------

info_field() { # name field [section] -> value or "-"
    local v
    v=$("$CLI" -p "${PORT[$1]}" info "${3:-memory}" 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }')
    if [[ -z $v && $2 == used_memory_rss ]]; then
        # fall back to the kernel's view
        v=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${PID[$1]}/status" 2>/dev/null || true)
    fi
    printf '%s' "${v:--}"
}

persist_field() { info_field "$1" "$2" persistence; }

if [[ $BENCH_KEYS -gt 0 ]]; then
    for n in "${NAMES[@]}"; do stop_server "$n"; done
    # RESP pipeline: SET key:%012d (16 bytes) val:%012d (16 bytes)
    awk -v n="$BENCH_KEYS" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$16\r\nval:%012d\r\n", i, i
    }' >"$WORK/load.resp"

    declare -A MEM0=() RSS0=() MEM1=() RSS1=() BGSAVE_S=() FORK_US=() LOAD_S=()
    for n in "${NAMES[@]}"; do
        start_server "$n"
        "$CLI" -p "${PORT[$n]}" flushall >/dev/null
        sleep 0.5
        MEM0[$n]=$(info_field "$n" used_memory)
        RSS0[$n]=$(info_field "$n" used_memory_rss)
        out=$(run_cli "$CLI" -p "${PORT[$n]}" --pipe <"$WORK/load.resp" 2>&1) || true
        dbsize=$("$CLI" -p "${PORT[$n]}" dbsize 2>/dev/null || echo '?')
        if [[ $out != *"errors: 0, replies: $BENCH_KEYS"* || $dbsize != "$BENCH_KEYS" ]]; then
            printf 'warning: %s load incomplete (dbsize %s): %s\n' "$n" "$dbsize" "$(tail -n 1 <<<"$out")" >&2
            FAILURES=$((FAILURES + 1))
        fi
        sleep 1   # let INFO's RSS sample refresh
        MEM1[$n]=$(info_field "$n" used_memory)
        RSS1[$n]=$(info_field "$n" used_memory_rss)
        # Persistence: BGSAVE wall time and fork pause, then restart-load time.
        t0=$(date +%s%N)
        "$CLI" -p "${PORT[$n]}" bgsave >/dev/null
        while [[ $(persist_field "$n" rdb_bgsave_in_progress) != 0 ]]; do sleep 0.01; done
        BGSAVE_S[$n]=$(awk -v d=$(($(date +%s%N) - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')
        FORK_US[$n]=$(info_field "$n" latest_fork_usec stats)
        [[ $(persist_field "$n" rdb_last_bgsave_status) == ok ]] || { printf 'warning: %s BGSAVE failed\n' "$n" >&2; FAILURES=$((FAILURES + 1)); }
        dir=${DIR[$n]}
        stop_server "$n"
        start_server "$n" "$dir"
        LOAD_S[$n]=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$dir/stdout" | tail -n 1 | awk '{ print $5 }')
        [[ $("$CLI" -p "${PORT[$n]}" dbsize 2>/dev/null) == "$BENCH_KEYS" ]] || { printf 'warning: %s restart lost keys\n' "$n" >&2; FAILURES=$((FAILURES + 1)); }
        stop_server "$n"
    done

    per_key() { # after before -> bytes/key
        awk -v a="$1" -v b="$2" -v k="$BENCH_KEYS" 'BEGIN {
            if (a == "-" || b == "-" || a == "" || b == "") print "-"; else printf "%.1f", (a - b) / k }'
    }
    printf '\nMemory: %s keys, 16-byte keys and values (bytes/key above the empty baseline)\n' "$BENCH_KEYS"
    printf '%-16s %14s %14s %7s\n' metric oxidis redis ratio
    for m in used_memory used_memory_rss; do
        if [[ $m == used_memory ]]; then
            o=$(per_key "${MEM1[oxidis]}" "${MEM0[oxidis]}")
            r=-; [[ ${#NAMES[@]} -eq 2 ]] && r=$(per_key "${MEM1[redis]}" "${MEM0[redis]}")
        else
            o=$(per_key "${RSS1[oxidis]}" "${RSS0[oxidis]}")
            r=-; [[ ${#NAMES[@]} -eq 2 ]] && r=$(per_key "${RSS1[redis]}" "${RSS0[redis]}")
        fi
        printf '%-16s %14s %14s %7s\n' "$m" "$o" "$r" "$(ratio "$o" "$r")"
    done
    printf '%-16s %14s %14s\n' "baseline used" "${MEM0[oxidis]}" "${MEM0[redis]:--}"
    printf '%-16s %14s %14s\n' "baseline rss" "${RSS0[oxidis]}" "${RSS0[redis]:--}"

    printf '\nPersistence: %s keys (seconds; ratio = oxidis / redis, lower is better)\n' "$BENCH_KEYS"
    printf '%-20s %14s %14s %7s\n' metric oxidis redis ratio
    printf '%-20s %14s %14s %7s\n' "BGSAVE" "${BGSAVE_S[oxidis]:--}" "${BGSAVE_S[redis]:--}" "$(ratio "${BGSAVE_S[oxidis]:--}" "${BGSAVE_S[redis]:--}")"
    printf '%-20s %14s %14s %7s\n' "restart load" "${LOAD_S[oxidis]:--}" "${LOAD_S[redis]:--}" "$(ratio "${LOAD_S[oxidis]:--}" "${LOAD_S[redis]:--}")"
    printf '%-20s %14s %14s %7s\n' "fork pause (µs)" "${FORK_US[oxidis]:--}" "${FORK_US[redis]:--}" "$(ratio "${FORK_US[oxidis]:--}" "${FORK_US[redis]:--}")"
fi

if [[ $BENCH_COLLECTION_KEYS -gt 0 ]]; then
    for n in "${NAMES[@]}"; do stop_server "$n"; done
    # 10 small fields per hash, 10 members per sorted set (listpack encodings).
    awk -v n="$BENCH_COLLECTION_KEYS" 'BEGIN {
        for (i = 0; i < n; i++) {
            printf "*22\r\n$4\r\nHSET\r\n$16\r\nhash:%011d\r\n", i
            for (f = 0; f < 10; f++) printf "$7\r\nfield:%d\r\n$8\r\nval:%04d\r\n", f, (i + f) % 10000
        }
    }' >"$WORK/hash.resp"
    awk -v n="$BENCH_COLLECTION_KEYS" 'BEGIN {
        for (i = 0; i < n; i++) {
            printf "*22\r\n$4\r\nZADD\r\n$16\r\nzset:%011d\r\n", i
            for (m = 0; m < 10; m++) { s = sprintf("%d", (i * 7 + m) % 1000); printf "$%d\r\n%s\r\n$8\r\nmemb:%03d\r\n", length(s), s, m }
        }
    }' >"$WORK/zset.resp"
    declare -A CMEM=()
    for kind in hash zset; do
        for n in "${NAMES[@]}"; do
            start_server "$n"
            sleep 0.5
            m0=$(info_field "$n" used_memory)
            out=$(run_cli "$CLI" -p "${PORT[$n]}" --pipe <"$WORK/$kind.resp" 2>&1) || true
            if [[ $out != *"errors: 0, replies: $BENCH_COLLECTION_KEYS"* ]]; then
                printf 'warning: %s %s load incomplete: %s\n' "$n" "$kind" "$(tail -n 1 <<<"$out")" >&2
                FAILURES=$((FAILURES + 1))
            fi
            m1=$(info_field "$n" used_memory)
            CMEM[$n|$kind]=$(awk -v a="$m1" -v b="$m0" -v k="$BENCH_COLLECTION_KEYS" 'BEGIN { printf "%.1f", (a - b) / k }')
            stop_server "$n"
        done
    done
    printf '\nMemory: %s keys of each collection (used_memory bytes/key; lower is better)\n' "$BENCH_COLLECTION_KEYS"
    printf '%-28s %14s %14s %7s\n' collection oxidis redis ratio
    printf '%-28s %14s %14s %7s\n' "hash, 10 fields (listpack)" "${CMEM[oxidis|hash]:--}" "${CMEM[redis|hash]:--}" "$(ratio "${CMEM[oxidis|hash]:--}" "${CMEM[redis|hash]:--}")"
    printf '%-28s %14s %14s %7s\n' "zset, 10 members (listpack)" "${CMEM[oxidis|zset]:--}" "${CMEM[redis|zset]:--}" "$(ratio "${CMEM[oxidis|zset]:--}" "${CMEM[redis|zset]:--}")"
fi

if [[ $BENCH_BLOOM == 1 ]]; then
    printf '\nRedisBloom (inside Oxidis; ratios are medians of alternating rounds)\n'
    OXIDIS_BIN=$OXIDIS_BIN "$ROOT/benches/bloom.sh" || FAILURES=$((FAILURES + 1))
fi

if [[ $BENCH_TS == 1 ]]; then
    printf '\nRedisTimeSeries (inside Oxidis; ratios are medians of alternating rounds)\n'
    OXIDIS_BIN=$OXIDIS_BIN "$ROOT/benches/timeseries.sh" || FAILURES=$((FAILURES + 1))
fi

if [[ $FAILURES -gt 0 ]]; then
    printf '\nbench.sh: %d run(s) failed\n' "$FAILURES" >&2
    exit 1
fi
