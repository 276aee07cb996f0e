#!/usr/bin/env bash
# User-space instructions per request, counted by valgrind's callgrind:
# repeatable on a noisy machine, unlike timings (make bench-instr).
#
#   benches/instr.sh                 oxidis against /usr/bin/redis-server
#   OXIDIS_BIN=a REDIS_BIN=b benches/instr.sh   any two servers (e.g. two
#                                    builds of oxidis, to check a change)
#
# For each server, test and pipeline depth: the server runs under
# callgrind; redis-benchmark (one client, -r 100000) warms it up, the
# counters are zeroed (callgrind_control -z), INSTR_N requests run, the
# counters are dumped, and their total divided by INSTR_N is reported.
#
# Environment:
#   INSTR_TESTS      redis-benchmark -t tests, plus "evalsha" (a script doing
#                    one GET and one INCR, as make bench runs it)
#                    ("set,get,incr,lpush,lpop,sadd,hset,zadd,mset,lrange_100,evalsha");
#                    a test with "@acl" appended (get@acl) runs as the user of
#                    make bench's ACL cost table (10 key patterns, 2 selectors);
#                    JSON rows on benches/json-doc.sh's ~800-byte document:
#                    json.get (JSON.GET k $), json.getlegacy (JSON.GET k
#                    .owner), json.getroot (JSON.GET k), json.set (JSON.SET
#                    k $ doc), json.mget (JSON.MGET of 4 keys, $), and
#                    doc.get / doc.set (GET / SET of the same text)
#   INSTR_PIPELINES  pipeline depths ("1 16")
#   INSTR_N          requests counted per run (20000)
#   OXIDIS_BIN       (target/release/oxidis-server)   REDIS_BIN (/usr/bin/redis-server)
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
OXIDIS_BIN=${OXIDIS_BIN:-$ROOT/target/release/oxidis-server}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
INSTR_TESTS=${INSTR_TESTS:-set,get,incr,lpush,lpop,sadd,hset,zadd,mset,lrange_100,evalsha}
INSTR_PIPELINES=${INSTR_PIPELINES:-1 16}
INSTR_N=${INSTR_N:-20000}
# shellcheck source=json-doc.sh
source "$ROOT/benches/json-doc.sh"

die() { printf 'instr.sh: error: %s\n' "$*" >&2; exit 2; }
for t in valgrind callgrind_control redis-benchmark redis-cli; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found (apt-get install valgrind redis-tools)"
done
[[ -x $OXIDIS_BIN ]] || die "$OXIDIS_BIN not found (run 'make')"
NAMES=(oxidis)
declare -A BIN=([oxidis]=$OXIDIS_BIN)
if [[ -x $REDIS_BIN ]]; then NAMES+=(redis); BIN[redis]=$REDIS_BIN; fi

WORK=$(mktemp -d /tmp/oxinstr.XXXX)
VG_PID=""
cleanup() {
    [[ -n $VG_PID ]] && kill "$VG_PID" 2>/dev/null && wait "$VG_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 20000))
        ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && { echo "$p"; return; }
    done
    die "no free port"
}

# Instructions per request of server $1 for test $2 at pipeline $3.
measure() {
    local name=$1 test=$2 pipe=$3 port out
    port=$(free_port)
    out="$WORK/cg.$name.$test.$pipe"
    # Busy polling (an Oxidis build's own directive) would count spins.
    local extra=()
    [[ $("${BIN[$name]}" --version) == *oxidis=* ]] && extra=(--busy-poll-us 0)
    valgrind --tool=callgrind --callgrind-out-file="$out.%p" --dump-instr=no \
        "${BIN[$name]}" --port "$port" --save '' --appendonly no --dir "$WORK" "${extra[@]}" \
        >"$WORK/vg.log" 2>&1 &
    VG_PID=$!
    for _ in $(seq 600); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null 2>&1 || die "$name did not start under valgrind"
    local bench=(redis-benchmark -p "$port" -c 1 -r 100000 -P "$pipe" -q)
    if [[ $test == *@acl ]]; then
        test=${test%@acl}
        local rules=(on '>benchpw' '+@all' resetkeys) i
        for i in 1 2 3 4 5 6 7 8; do rules+=("~app$i:*"); done
        rules+=('(+@read ~cache:*)' '(+@all ~key:* ~counter:*)')
        redis-cli -p "$port" acl setuser benchuser "${rules[@]}" >/dev/null
        bench+=(--user benchuser -a benchpw)
    fi
    # Commands of their own go after -n (redis-benchmark takes the rest
    # of the line as the command).
    local json=(redis-cli -p "$port" JSON.SET) k cmd=()
    case $test in
    json.get) "${json[@]}" doc '$' "$JSON_DOC" >/dev/null; cmd=(JSON.GET doc '$') ;;
    json.getlegacy) "${json[@]}" doc '$' "$JSON_DOC" >/dev/null; cmd=(JSON.GET doc .owner) ;;
    json.getroot) "${json[@]}" doc '$' "$JSON_DOC" >/dev/null; cmd=(JSON.GET doc) ;;
    json.set) cmd=(JSON.SET doc '$' "$JSON_DOC") ;;
    json.mget)
        for k in d1 d2 d3 d4; do "${json[@]}" "$k" '$' "$JSON_DOC" >/dev/null; done
        cmd=(JSON.MGET d1 d2 d3 d4 '$')
        ;;
    doc.get) redis-cli -p "$port" SET doc "$JSON_DOC" >/dev/null; cmd=(GET doc) ;;
    doc.set) cmd=(SET doc "$JSON_DOC") ;;
    esac
    if [[ $test == evalsha ]]; then
        local sha
        sha=$(redis-cli -p "$port" script load "redis.call('GET', KEYS[1]); return redis.call('INCR', KEYS[1])")
        cmd=(evalsha "$sha" 1 'key:__rand_int__')
    elif [[ $test != json.* && $test != doc.* ]]; then
        bench+=(-t "$test")
    fi
    "${bench[@]}" -n 2000 "${cmd[@]}" >/dev/null
    callgrind_control -z "$VG_PID" >/dev/null 2>&1
    "${bench[@]}" -n "$INSTR_N" "${cmd[@]}" >/dev/null
    callgrind_control -d "$VG_PID" >/dev/null 2>&1
    local total
    total=$(cat "$out".* 2>/dev/null | awk '/^summary:/ {s += $2} END {print s+0}')
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
    wait "$VG_PID" 2>/dev/null || true
    VG_PID=""
    rm -f "$out".*
    # LRANGE_* runs an LPUSH fill first (redis-benchmark does); it is counted too.
    awk -v t="$total" -v n="$INSTR_N" 'BEGIN {printf "%.0f", t / n}'
}

printf 'Instructions per request (callgrind, one client, n=%s; ratio = oxidis / redis, lower is better)\n' "$INSTR_N"
printf '%-12s %3s %14s %14s %7s\n' test P oxidis redis ratio
declare -a ratios=()
for pipe in $INSTR_PIPELINES; do
    IFS=, read -ra tests <<<"$INSTR_TESTS"
    for t in "${tests[@]}"; do
        declare -A got=()
        for name in "${NAMES[@]}"; do
            got[$name]=$(measure "$name" "$t" "$pipe")
        done
        if [[ -n ${got[redis]:-} ]]; then
            r=$(awk -v a="${got[oxidis]}" -v b="${got[redis]}" 'BEGIN {printf "%.2f", a / b}')
            ratios+=("$r")
            printf '%-12s %3s %14s %14s %7s\n' "$t" "$pipe" "${got[oxidis]}" "${got[redis]}" "$r"
        else
            printf '%-12s %3s %14s\n' "$t" "$pipe" "${got[oxidis]}"
        fi
        unset got
    done
done
if [[ ${#ratios[@]} -gt 0 ]]; then
    printf '%s\n' "${ratios[@]}" | awk '{s += log($1); n++} END {printf "geomean ratio: %.2f\n", exp(s / n)}'
fi
