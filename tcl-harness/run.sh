#!/usr/bin/env bash
# Run the upstream Redis Tcl test suite (from Debian's `redis` source package,
# matching the installed redis-tools version) against the Oxidis server binary.
#
# Usage: tcl-harness/run.sh [UNIT ...]
#   Units default to $UNITS (space separated) or else tcl-harness/units.txt.
#   See tcl-harness/README.md for the environment variables.
set -euo pipefail

HARNESS_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd -- "$HARNESS_DIR/.." && pwd -P)

SERVER_BIN=${OXIDIS_SERVER_BIN:-$REPO_ROOT/target/release/oxidis-server}
UNITS_FILE=${UNITS_FILE:-$HARNESS_DIR/units.txt}
SKIP_FILE=${SKIP_FILE:-$HARNESS_DIR/skip.txt}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-900}
BASEPORT=${BASEPORT:-21111}
CACHE_ROOT=${OXIDIS_CACHE:-${HOME:-/root}/.cache/oxidis}
TCL_VERBOSE=${TCL_VERBOSE:-0}
TCL_EXTRA_ARGS=${TCL_EXTRA_ARGS:-}
TCL_LOG_DIR=${TCL_LOG_DIR:-}
# Units run at once (each its own test_helper, servers and ports), as the
# upstream `runtest --clients N` runs N test files side by side.
TCL_JOBS=${TCL_JOBS:-1}
PGID_DIR=""   # set in parallel workers: where each running unit's pgid is kept
WORKER_PIDS=()
# TLS mode (`make tcl-tls`): every unit runs with --tls, also the units of
# units-tls.txt, and the entries of skip-tls.txt apply on top of skip.txt.
TCL_TLS=${TCL_TLS:-0}
TLS_UNITS_FILE=${TLS_UNITS_FILE:-$HARNESS_DIR/units-tls.txt}
TLS_SKIP_FILE=${TLS_SKIP_FILE:-$HARNESS_DIR/skip-tls.txt}
APT_ETC=${OXIDIS_APT_ETC:-/etc/apt}   # only overridden by the harness self-test

STAGE=""
UNIT_PGID=""

log()  { printf '%s\n' "$*" >&2; }
die()  { log "run.sh: error: $*"; exit 2; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root (or sudo) to run: $*"
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP PIPE
    local pg pgids=()
    for pg in ${WORKER_PIDS[@]+"${WORKER_PIDS[@]}"}; do kill -KILL "$pg" 2>/dev/null || true; done
    if [[ -n $UNIT_PGID ]]; then pgids+=("$UNIT_PGID"); fi
    if [[ -n $STAGE && -d $STAGE ]]; then
        for pg in "$STAGE"/pgid-*; do
            [[ -f $pg ]] && pgids+=("$(cat -- "$pg")")
        done
    fi
    if [[ ${#pgids[@]} -gt 0 ]]; then
        for pg in "${pgids[@]}"; do kill -TERM -- "-$pg" 2>/dev/null || true; done
        sleep 0.2
        for pg in "${pgids[@]}"; do kill -KILL -- "-$pg" 2>/dev/null || true; done
    fi
    if [[ -n $STAGE && -d $STAGE ]]; then
        rm -rf -- "$STAGE" || true
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# --------------------------------------------------------------------------
# Obtaining the test suite
# --------------------------------------------------------------------------

have_deb_src() {
    local f
    for f in "$APT_ETC"/sources.list "$APT_ETC"/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        grep -qE '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
    done
    for f in "$APT_ETC"/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        grep -qiE '^[[:space:]]*Types:.*deb-src' "$f" && return 0
    done
    return 1
}

ensure_deb_src() {
    # Returns 0 if a new sources file was written (apt-get update needed).
    have_deb_src && return 1
    local codename=bookworm
    if [[ -r /etc/os-release ]]; then
        codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
    fi
    local target="$APT_ETC/sources.list.d/oxidis-src.sources"
    log "run.sh: no deb-src configured; writing $target"
    as_root mkdir -p "$APT_ETC/sources.list.d"
    as_root tee "$target" >/dev/null <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    return 0
}

# Sets SUITE_DIR to a directory containing tests/test_helper.tcl.
obtain_suite() {
    if [[ -n ${OXIDIS_REDIS_SRC:-} ]]; then
        [[ -f $OXIDIS_REDIS_SRC/tests/test_helper.tcl ]] ||
            die "OXIDIS_REDIS_SRC=$OXIDIS_REDIS_SRC has no tests/test_helper.tcl"
        SUITE_DIR=$(cd -- "$OXIDIS_REDIS_SRC" && pwd -P)
        return
    fi

    local version srcpkg
    version=$(dpkg-query -W -f='${Version}' redis-tools 2>/dev/null) ||
        die "redis-tools is not installed (run 'make deps')"
    [[ -n $version ]] || die "cannot determine the redis-tools version"
    srcpkg=$(dpkg-query -W -f='${source:Package}' redis-tools 2>/dev/null || true)
    srcpkg=${srcpkg:-redis}

    local cache="$CACHE_ROOT/redis-src"
    local vdir="$cache/${version//:/_}"
    mkdir -p "$cache"
    exec 8>"$cache/.lock"
    flock 8

    if [[ ! -f $vdir/.complete ]]; then
        log "run.sh: fetching source package $srcpkg=$version into $vdir"
        local need_update=0
        if ensure_deb_src; then need_update=1; fi
        if ! command -v dpkg-source >/dev/null 2>&1; then
            need_update=1
        fi
        if [[ $need_update -eq 1 ]]; then
            as_root apt-get update -qq
        fi
        if ! command -v dpkg-source >/dev/null 2>&1; then
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev >/dev/null
        fi
        rm -rf -- "$vdir"
        mkdir -p "$vdir"
        local alog="$cache/apt-get-source.log"
        if ! (cd "$vdir" && apt-get source "$srcpkg=$version") >"$alog" 2>&1; then
            rm -rf -- "$vdir" && mkdir -p "$vdir"
            as_root apt-get update -qq
            if ! (cd "$vdir" && apt-get source "$srcpkg=$version") >"$alog" 2>&1; then
                cat "$alog" >&2
                die "apt-get source $srcpkg=$version failed"
            fi
        fi
        local tree
        tree=$(find "$vdir" -mindepth 2 -maxdepth 3 -path '*/tests/test_helper.tcl' -print -quit)
        [[ -n $tree ]] || die "unpacked source in $vdir has no tests/test_helper.tcl"
        tree=${tree%/tests/test_helper.tcl}
        printf '%s\n' "${tree##*/}" > "$vdir/.tree"
        touch "$vdir/.complete"
    fi
    SUITE_DIR="$vdir/$(cat "$vdir/.tree")"
    exec 8>&-
    [[ -f $SUITE_DIR/tests/test_helper.tcl ]] || die "broken cache at $vdir (remove it)"
}

# The suite's TLS mode needs tcl-tls and the test certificates, which
# utils/gen-test-certs.sh writes into tests/tls of the cached suite (once).
ensure_tls() {
    echo 'package require tls' | tclsh >/dev/null 2>&1 ||
        die "TLS mode needs Tcl's tls package (apt-get install tcl-tls, or make deps)"
    [[ -f $SUITE_DIR/tests/tls/.complete ]] && return 0
    exec 8>"$SUITE_DIR/../.tls-lock"
    flock 8
    if [[ ! -f $SUITE_DIR/tests/tls/.complete ]]; then
        log "run.sh: generating test certificates in $SUITE_DIR/tests/tls"
        (cd "$SUITE_DIR" && bash utils/gen-test-certs.sh) >"$SUITE_DIR/../gen-test-certs.log" 2>&1 ||
            { cat "$SUITE_DIR/../gen-test-certs.log" >&2; die "utils/gen-test-certs.sh failed"; }
        touch "$SUITE_DIR/tests/tls/.complete"
    fi
    exec 8>&-
}

# --------------------------------------------------------------------------
# Units and skip list
# --------------------------------------------------------------------------

trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

read_units() {
    UNIT_LIST=()
    if [[ $# -gt 0 ]]; then
        UNIT_LIST=("$@")
    elif [[ -n ${UNITS:-} ]]; then
        read -r -a UNIT_LIST <<<"$UNITS"
    else
        [[ -f $UNITS_FILE ]] || die "units file $UNITS_FILE not found"
        local line
        while IFS= read -r line || [[ -n $line ]]; do
            line=${line%%#*}
            line=$(trim "${line%$'\r'}")
            if [[ -n $line ]]; then UNIT_LIST+=("$line"); fi
        done <"$UNITS_FILE"
        if [[ $TCL_TLS == 1 && -f $TLS_UNITS_FILE ]]; then
            while IFS= read -r line || [[ -n $line ]]; do
                line=${line%%#*}
                line=$(trim "${line%$'\r'}")
                if [[ -n $line ]]; then UNIT_LIST+=("$line"); fi
            done <"$TLS_UNITS_FILE"
        fi
    fi
    [[ ${#UNIT_LIST[@]} -gt 0 ]] || die "no units to run"
}

# Parsed skip entries: parallel arrays.
SKIP_UNITS=()
SKIP_NAMES=()
read_skips() {
    read_skip_file "$SKIP_FILE"
    if [[ $TCL_TLS == 1 ]]; then read_skip_file "$TLS_SKIP_FILE"; fi
}

read_skip_file() {
    local SKIP_FILE=$1
    [[ -f $SKIP_FILE ]] || return 0
    local line n=0 unit name reason rest
    while IFS= read -r line || [[ -n $line ]]; do
        n=$((n + 1))
        line=${line%$'\r'}
        rest=$(trim "$line")
        if [[ -z $rest || $rest == \#* ]]; then continue; fi
        [[ $line == *"|"*"|"* ]] ||
            die "$SKIP_FILE:$n: expected '<unit> | <test name> | <reason>'"
        unit=$(trim "${line%%|*}")
        rest=${line#*|}
        reason=$(trim "${rest##*|}")
        name=$(trim "${rest%|*}")
        [[ -n $unit && -n $name ]] || die "$SKIP_FILE:$n: empty unit or test name"
        [[ -n $reason ]] || die "$SKIP_FILE:$n: a reason is mandatory"
        SKIP_UNITS+=("$unit")
        SKIP_NAMES+=("$name")
    done <"$SKIP_FILE"
}

# test_helper.tcl --skipfile: one entry per line, compared with `string equal`
# unless it starts with "/", in which case the rest is a Tcl regexp. So a name
# starting with "/" is written as an anchored regexp with every
# non-alphanumeric character backslash-escaped (literal in Tcl AREs).
# An entry named `tag:<tag>` skips every test and server block of the unit
# carrying that tag (`--tags -<tag>`), for setup code outside any test.
UNIT_SKIPS=()
UNIT_TAG_ARGS=()
write_skipfile() {
    local unit=$1 out=$2 i name
    : >"$out"
    UNIT_SKIPS=()
    UNIT_TAG_ARGS=()
    for i in "${!SKIP_UNITS[@]}"; do
        [[ ${SKIP_UNITS[$i]} == "$unit" ]] || continue
        name=${SKIP_NAMES[$i]}
        if [[ $name == tag:* ]]; then
            UNIT_TAG_ARGS+=(--tags "-${name#tag:}")
            continue
        fi
        UNIT_SKIPS+=("$name")
        if [[ $name == /* ]]; then
            name="/^$(printf '%s' "$name" | sed 's/[^[:alnum:]]/\\&/g')\$"
        fi
        printf '%s\n' "$name" >>"$out"
    done
}

# --------------------------------------------------------------------------
# Staging
# --------------------------------------------------------------------------

stage() {
    [[ -x $SERVER_BIN ]] || die "server binary $SERVER_BIN not found or not executable (build it, or set OXIDIS_SERVER_BIN)"
    local server tool
    server=$(cd -- "$(dirname -- "$SERVER_BIN")" && pwd -P)/$(basename -- "$SERVER_BIN")
    STAGE=$(mktemp -d /tmp/oxt.XXXX)
    cp -a -- "$SUITE_DIR/tests" "$STAGE/tests"
    mkdir -p "$STAGE/src"
    ln -s "$server" "$STAGE/src/redis-server"
    for tool in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
        if [[ -x /usr/bin/$tool ]]; then
            ln -s "/usr/bin/$tool" "$STAGE/src/$tool"
        else
            log "run.sh: warning: /usr/bin/$tool missing (install redis-tools)"
        fi
    done
}

reset_tmp() {
    local t="$STAGE/tests/tmp"
    mkdir -p "$t"
    find "$t" -mindepth 1 -maxdepth 1 ! -name .gitignore -exec rm -rf -- {} +
}

# --------------------------------------------------------------------------
# Running one unit
# --------------------------------------------------------------------------

# awk: summarise a (colour-stripped) harness log.
# Prints "K<TAB>V" records: counts, flags, and "E<TAB>line" detail lines.
SUMMARY_AWK='
{
    line = $0
    if (line ~ /^\[ok\]: /) { ok++; in_err = 0; next }
    if (line ~ /^\[skip\]: /) { sk++; name = substr(line, 9); print "S\t" name; in_err = 0; next }
    if (line ~ /^\[ignore\]: /) { ig++; in_err = 0; next }
    if (line ~ /^\[err\]: /) {
        err++; in_err = 1; err_lines = 0
        name = substr(line, 8); sub(/ in tests\/.*\.tcl$/, "", name)
        print "F\t" name; print "E\t" line; next
    }
    if (line ~ /^\[exception\]: /) { exc = 1; in_err = 1; err_lines = 0; print "E\t" line; next }
    if (line ~ /^\[TIMEOUT\]: /) { tmo = 1; in_err = 1; err_lines = 0; print "E\t" line; next }
    if (line ~ /^Killing still running Redis server/) { kil = 1; print "E\t" line; next }
    if (line ~ /^\[[0-9]+\/[0-9]+ done\]: /) { done_ = 1; in_err = 0; next }
    if (line ~ /All tests passed without errors/) { allp = 1; in_err = 0; next }
    if (line ~ /The following tests failed/) { in_err = 0; next }
    if (line ~ /^\[[a-z]+\]: / || line ~ /^Testing / || line ~ /^\*\*\* /) { in_err = 0; next }
    if (in_err && err_lines < 25) { print "E\t    " line; err_lines++ }
}
END {
    printf "C\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", ok, err, sk, ig, exc, tmo, kil, done_, allp
}'

TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
FAILED_UNITS=()

run_unit() {
    local idx=$1 unit=$2
    local port=$((BASEPORT + (idx % 100) * 250))
    local logf="$STAGE/unit-$idx.log" skipf="$STAGE/skip-$idx.txt"
    local rc=0 start end

    if [[ ! -f $STAGE/tests/$unit.tcl ]]; then
        printf '%s: 0 passed, 1 failed, 0 skipped\n  UNIT FAILURE: unknown unit (no tests/%s.tcl in the suite)\n' "$unit" "$unit"
        TOTAL_FAIL=$((TOTAL_FAIL + 1)); FAILED_UNITS+=("$unit")
        return
    fi

    write_skipfile "$unit" "$skipf"
    reset_tmp

    local -a extra=()
    if [[ -n $TCL_EXTRA_ARGS ]]; then read -r -a extra <<<"$TCL_EXTRA_ARGS"; fi
    if [[ $TCL_TLS == 1 ]]; then extra+=(--tls); fi
    local -a cmd=(tclsh tests/test_helper.tcl --single "$unit" --durable
        --baseport "$port" --portcount 200 --clients 1 --skipfile "$skipf"
        ${UNIT_TAG_ARGS[@]+"${UNIT_TAG_ARGS[@]}"} ${extra[@]+"${extra[@]}"})

    if [[ $TCL_VERBOSE == 1 ]]; then log "=== $unit (baseport $port): ${cmd[*]}"; fi
    start=$(date +%s)
    # timeout(1) puts itself and its children (tclsh, test clients, spawned
    # servers) in a new process group, so the whole tree can be killed.
    (cd "$STAGE" && exec env TERM=dumb timeout -k 15 "$UNIT_TIMEOUT" "${cmd[@]}" \
        </dev/null >"$logf" 2>&1) &
    UNIT_PGID=$!
    if [[ -n $PGID_DIR ]]; then printf '%s\n' "$UNIT_PGID" >"$PGID_DIR/pgid-$idx"; fi
    if [[ $TCL_VERBOSE == 1 ]]; then
        tail -n +1 -f --pid="$UNIT_PGID" "$logf" >&2 || true
    fi
    wait "$UNIT_PGID" || rc=$?
    # Reap anything the harness left behind (servers it forgot to kill).
    kill -KILL -- "-$UNIT_PGID" 2>/dev/null || true
    UNIT_PGID=""
    if [[ -n $PGID_DIR ]]; then rm -f -- "$PGID_DIR/pgid-$idx"; fi
    end=$(date +%s)

    local summary
    summary=$(sed -e 's/\x1b\[[0-9;]*m//g' "$logf" | awk "$SUMMARY_AWK")
    local c ok err sk ig exc tmo kil done_ allp
    c=$(grep '^C' <<<"$summary")
    IFS=$'\t' read -r _ ok err sk ig exc tmo kil done_ allp <<<"$c"

    local -a reasons=()
    if [[ $rc -eq 124 || $rc -eq 137 ]]; then reasons+=("timed out after ${UNIT_TIMEOUT}s")
    elif [[ $rc -ne 0 && $err -eq 0 ]]; then reasons+=("harness exited with status $rc")
    fi
    if [[ $exc -eq 1 ]]; then reasons+=("test client raised an exception"); fi
    if [[ $tmo -eq 1 ]]; then reasons+=("harness reported TIMEOUT"); fi
    if [[ $kil -eq 1 ]]; then reasons+=("harness force-killed running servers"); fi
    if [[ $ok -eq 0 ]]; then
        # A unit with no test at all (e.g. unit/printver) is fine if it completed.
        if grep -qE '^[[:space:]]*test[[:space:]]' "$STAGE/tests/$unit.tcl" ||
            [[ $done_ -eq 0 || $allp -eq 0 ]]; then
            reasons+=("no test passed")
        fi
    fi
    if [[ $rc -eq 0 && $err -eq 0 && $allp -eq 0 && ${#reasons[@]} -eq 0 ]]; then
        reasons+=("harness did not report success")
    fi

    local fails=$err
    if [[ ${#reasons[@]} -gt 0 && $fails -eq 0 ]]; then fails=1; fi
    local skipped=$((sk + ig))
    printf '%s: %d passed, %d failed, %d skipped (%ds)\n' "$unit" "$ok" "$fails" "$skipped" $((end - start))

    TOTAL_PASS=$((TOTAL_PASS + ok))
    TOTAL_FAIL=$((TOTAL_FAIL + fails))
    TOTAL_SKIP=$((TOTAL_SKIP + skipped))

    # Warn about stale skip entries (listed but never reported as skipped).
    local name
    for name in ${UNIT_SKIPS[@]+"${UNIT_SKIPS[@]}"}; do
        if ! grep -qxF -- "S	$name" <<<"$summary"; then
            printf "  warning: skip.txt entry was not reported as skipped in %s: %s\n" "$unit" "$name"
        fi
    done

    if [[ $fails -gt 0 ]]; then
        FAILED_UNITS+=("$unit")
        local r
        for r in ${reasons[@]+"${reasons[@]}"}; do printf '  UNIT FAILURE: %s\n' "$r"; done
        if [[ $err -gt 0 ]]; then
            printf '  failing tests:\n'
            grep '^F' <<<"$summary" | cut -f2- | sed 's/^/    - /'
        fi
        if grep -q '^E' <<<"$summary"; then
            printf '  details:\n'
            grep '^E' <<<"$summary" | cut -f2- | sed 's/^/    /'
        fi
        if [[ $err -eq 0 && $exc -eq 0 && $tmo -eq 0 ]]; then
            printf '  last lines of harness output:\n'
            sed -e 's/\x1b\[[0-9;]*m//g' "$logf" | tail -n 20 | sed 's/^/    /'
        fi
    fi

    if [[ -n $TCL_LOG_DIR ]]; then
        mkdir -p "$TCL_LOG_DIR"
        cp -- "$logf" "$TCL_LOG_DIR/${unit//\//_}.log"
    fi
}

# TCL_JOBS > 1: that many workers, each with its own staging tree (the
# harness wipes tests/tmp when it starts and ends, so units side by side need
# separate ones), take the next unit from a shared counter. Each unit's report
# goes to a file; the parent prints them in unit order and sums the totals
# from each report's last line.
run_parallel() {
    local n=${#UNIT_LIST[@]} k top=$STAGE
    printf '0\n' >"$top/next"
    for ((k = 0; k < TCL_JOBS; k++)); do
        mkdir -p "$top/w$k"
        cp -a -- "$top/tests" "$top/w$k/tests"
        ln -s ../src "$top/w$k/src"
        (
            trap - EXIT INT TERM HUP PIPE
            STAGE=$top/w$k
            PGID_DIR=$top
            local idx
            while :; do
                idx=$(flock "$top/next" sh -c 'read -r i <"$1"; echo $((i + 1)) >"$1"; echo "$i"' \
                    sh "$top/next")
                [[ $idx -lt $n ]] || break
                TOTAL_PASS=0 TOTAL_FAIL=0 TOTAL_SKIP=0 FAILED_UNITS=()
                run_unit "$idx" "${UNIT_LIST[$idx]}" >"$top/report-$idx.txt" 2>&1
                printf '#T\t%d\t%d\t%d\t%s\n' "$TOTAL_PASS" "$TOTAL_FAIL" "$TOTAL_SKIP" \
                    "${FAILED_UNITS[*]-}" >>"$top/report-$idx.txt"
                mv -- "$top/report-$idx.txt" "$top/report-$idx.done"
            done
        ) &
        WORKER_PIDS+=("$!")
    done
    local shown=0 rep t p f sk u
    while [[ $shown -lt $n ]]; do
        rep="$top/report-$shown.done"
        if [[ ! -f $rep ]]; then
            if ! jobs -r | grep -q .; then
                printf '%s: 0 passed, 1 failed, 0 skipped\n  UNIT FAILURE: its worker died\n' \
                    "${UNIT_LIST[$shown]}"
                TOTAL_FAIL=$((TOTAL_FAIL + 1)); FAILED_UNITS+=("${UNIT_LIST[$shown]}")
                shown=$((shown + 1))
                continue
            fi
            sleep 1
            continue
        fi
        grep -v '^#T' "$rep" || true
        t=$(grep '^#T' "$rep")
        IFS=$'\t' read -r _ p f sk u <<<"$t"
        TOTAL_PASS=$((TOTAL_PASS + p))
        TOTAL_FAIL=$((TOTAL_FAIL + f))
        TOTAL_SKIP=$((TOTAL_SKIP + sk))
        if [[ -n $u ]]; then FAILED_UNITS+=("$u"); fi
        shown=$((shown + 1))
    done
    wait
}

# --------------------------------------------------------------------------

main() {
    if [[ ${1:-} == --tls-dir ]]; then
        # For benches/bench.sh: the suite's test certificates, made if needed.
        obtain_suite
        ensure_tls
        printf '%s\n' "$SUITE_DIR/tests/tls"
        return 0
    fi
    command -v tclsh >/dev/null 2>&1 || die "tclsh not found (run 'make deps')"
    read_units "$@"
    read_skips
    obtain_suite
    if [[ $TCL_TLS == 1 ]]; then ensure_tls; fi
    stage
    log "run.sh: suite $SUITE_DIR, server $SERVER_BIN, staging $STAGE"

    local i=0 unit
    if [[ $TCL_JOBS -le 1 ]]; then
        for unit in "${UNIT_LIST[@]}"; do
            run_unit "$i" "$unit"
            i=$((i + 1))
        done
    else
        run_parallel
    fi

    if [[ ${#FAILED_UNITS[@]} -gt 0 ]]; then
        printf 'FAILED units: %s\n' "${FAILED_UNITS[*]}"
    fi
    printf '%d passed, %d failed\n' "$TOTAL_PASS" "$TOTAL_FAIL"
    [[ $TOTAL_FAIL -eq 0 ]]
}

main "$@"
