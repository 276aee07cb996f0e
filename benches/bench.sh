#!/usr/bin/env bash
# Side-by-side benchmark of oxidis-server and redis-server.
#
#   benches/bench.sh            (or: make bench)
#
# Throughput: redis-benchmark -c 50 -r 100000 -n $BENCH_N -P {1,16}, one test
# per invocation, rounds alternating oxidis/redis, median ops/s reported.
# EVALSHA runs a cached script doing one GET and one INCR on a random key.
# CPU: server utime+stime (from /proc/PID/stat) per request.
# Memory: $BENCH_KEYS SETs of 16-byte keys / 16-byte values on fresh servers,
# used_memory and used_memory_rss (INFO memory) per key above the empty baseline.
# The servers are pinned to CPU 0 and the load generator to CPU 1 (taskset).
#
# Environment:
#   BENCH_N          requests per redis-benchmark run          (200000)
#   BENCH_ROUNDS     rounds per test/pipeline/server           (3)
#   BENCH_TESTS      extra tests, comma separated, e.g. LPUSH,LPOP,SADD,HSET,ZADD,LRANGE_100
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
BENCH_N=${BENCH_N:-200000}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
BENCH_TESTS=${BENCH_TESTS:-}
BENCH_PIPELINES=${BENCH_PIPELINES:-1 16}
BENCH_CLIENTS=${BENCH_CLIENTS:-50}
BENCH_KEYS=${BENCH_KEYS:-1000000}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
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
declare -A PID=() PORT=()

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
start_server() {
    local name=$1 port dir
    for _ in 1 2 3 4 5; do
        port=$NEXT_PORT
        NEXT_PORT=$((NEXT_PORT + 1))
        port_free "$port" || continue
        dir="$WORK/$name.$port"
        mkdir -p "$dir"
        # a plain command (not a function) so that $! is the server's own pid
        ${SRV_PIN[@]+"${SRV_PIN[@]}"} "${BIN[$name]}" --port "$port" --save '' --appendonly no --dir "$dir" \
            >"$dir/stdout" 2>&1 </dev/null &
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

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || a == "nan" || b == "nan" || b + 0 == 0) print "-";
        else printf "%.2f", a / b }'
}

# --------------------------------------------------------------------------
# Throughput and CPU
# --------------------------------------------------------------------------

TESTS="SET,GET,INCR,MSET,EVALSHA"
[[ -n $BENCH_TESTS ]] && TESTS="$TESTS,$BENCH_TESTS"
IFS=',' read -r -a TEST_LIST <<<"$TESTS"

for n in "${NAMES[@]}"; do start_server "$n"; done

printf 'bench: n=%s clients=%s rounds=%s pipelines=%s\n' "$BENCH_N" "$BENCH_CLIENTS" "$BENCH_ROUNDS" "$BENCH_PIPELINES"
for n in "${NAMES[@]}"; do
    printf '  %-7s %s (pid %s, port %s)\n' "$n" "${BIN[$n]}" "${PID[$n]}" "${PORT[$n]}"
done

FAILURES=0
declare -A OPS=() CPU=()   # key: name|test|pipeline -> newline separated samples

for t in "${TEST_LIST[@]}"; do
    t=$(echo "$t" | tr -d '[:space:]')
    [[ -n $t ]] || continue
    for p in $BENCH_PIPELINES; do
        for ((r = 1; r <= BENCH_ROUNDS; r++)); do
            # alternate which server goes first in each round
            order=("${NAMES[@]}")
            if ((r % 2 == 0)) && [[ ${#NAMES[@]} -eq 2 ]]; then order=(redis oxidis); fi
            for n in "${order[@]}"; do
                key="$n|$t|$p"
                if ! kill -0 "${PID[$n]}" 2>/dev/null; then
                    printf 'warning: %s is not running (crashed?); restarting\n' "$n" >&2
                    FAILURES=$((FAILURES + 1))
                    start_server "$n"
                fi
                "$CLI" -p "${PORT[$n]}" flushall >/dev/null
                # Built-in tests go by name (-t); the others are commands
                # (last: redis-benchmark reads options only before them).
                what=(-t "$t")
                if [[ $t == EVALSHA ]]; then
                    sha=$("$CLI" -p "${PORT[$n]}" script load "redis.call('get', KEYS[1]); return redis.call('incr', KEYS[1])")
                    what=(evalsha "$sha" 1 "key:__rand_int__")
                fi
                c0=$(cpu_ticks "${PID[$n]}")
                if out=$(run_cli timeout "$BENCH_TIMEOUT" "$BENCHMARK" -p "${PORT[$n]}" \
                    -c "$BENCH_CLIENTS" -r 100000 -n "$BENCH_N" -P "$p" --csv "${what[@]}" 2>"$WORK/bench.err"); then
                    c1=$(cpu_ticks "${PID[$n]}" || echo "$c0")
                    # last CSV line is the test itself (LRANGE_* is preceded by its LPUSH fill)
                    rps=$(printf '%s\n' "$out" | grep -v '^"test"' | tail -n 1 | awk -F'","' '{ print $2 }')
                    if [[ $rps =~ ^[0-9.]+$ ]]; then
                        OPS[$key]+="$rps"$'\n'
                        CPU[$key]+="$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$BENCH_N" \
                            'BEGIN { printf "%.4f", d / hz * 1e6 / n }')"$'\n'
                        continue
                    fi
                fi
                printf 'warning: %s %s -P %s failed: %s\n' "$n" "$t" "$p" \
                    "$(tr '\n' ' ' <"$WORK/bench.err" | cut -c1-200)" >&2
                FAILURES=$((FAILURES + 1))
            done
        done
    done
done

printf '\nThroughput (median of %s rounds; ratio = oxidis / redis, higher is better)\n' "$BENCH_ROUNDS"
printf 'and server CPU time per request (µs; ratio = oxidis / redis, lower is better)\n'
printf '%-12s %4s %14s %14s %7s %12s %12s %7s\n' test P "oxidis ops/s" "redis ops/s" ratio "oxidis µs" "redis µs" ratio
for t in "${TEST_LIST[@]}"; do
    t=$(echo "$t" | tr -d '[:space:]')
    [[ -n $t ]] || continue
    for p in $BENCH_PIPELINES; do
        o_ops=$(printf '%s' "${OPS[oxidis|$t|$p]:-}" | median)
        o_cpu=$(printf '%s' "${CPU[oxidis|$t|$p]:-}" | median)
        r_ops=- r_cpu=-
        if [[ ${#NAMES[@]} -eq 2 ]]; then
            r_ops=$(printf '%s' "${OPS[redis|$t|$p]:-}" | median)
            r_cpu=$(printf '%s' "${CPU[redis|$t|$p]:-}" | median)
        fi
        printf '%-12s %4s %14s %14s %7s %12s %12s %7s\n' "$t" "$p" \
            "$(awk -v v="$o_ops" 'BEGIN { if (v == "nan") print "-"; else printf "%.0f", v }')" \
            "$(awk -v v="$r_ops" 'BEGIN { if (v == "nan" || v == "-") print "-"; else printf "%.0f", v }')" \
            "$(ratio "$o_ops" "$r_ops")" \
            "$(awk -v v="$o_cpu" 'BEGIN { if (v == "nan") print "-"; else printf "%.3f", v }')" \
            "$(awk -v v="$r_cpu" 'BEGIN { if (v == "nan" || v == "-") print "-"; else printf "%.3f", v }')" \
            "$(ratio "$o_cpu" "$r_cpu")"
    done
done

if [[ ,$TESTS, == *,LRANGE* ]]; then
    printf '(LRANGE_* CPU time includes the LPUSH fill redis-benchmark runs first)\n'
fi

# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------

info_field() { # name field -> value or "-"
    local v
    v=$("$CLI" -p "${PORT[$1]}" info memory 2>/dev/null | tr -d '\r' | awk -F: -v f="$2" '$1 == f { print $2 }')
    if [[ -z $v && $2 == used_memory_rss ]]; then
        # fall back to the kernel's view
        v=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/${PID[$1]}/status" 2>/dev/null || true)
    fi
    printf '%s' "${v:--}"
}

if [[ $BENCH_KEYS -gt 0 ]]; then
    for n in "${NAMES[@]}"; do stop_server "$n"; done
    # RESP pipeline: SET key:%012d (16 bytes) val:%012d (16 bytes)
    awk -v n="$BENCH_KEYS" 'BEGIN {
        for (i = 0; i < n; i++)
            printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$16\r\nval:%012d\r\n", i, i
    }' >"$WORK/load.resp"

    declare -A MEM0=() RSS0=() MEM1=() RSS1=()
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
fi

if [[ $FAILURES -gt 0 ]]; then
    printf '\nbench.sh: %d run(s) failed\n' "$FAILURES" >&2
    exit 1
fi
