#!/usr/bin/env bash
# `make install DESTDIR=<scratch>` and check what it installed: the files
# are in place, the unit passes systemd-analyze verify (when available),
# and the installed server starts with the installed configuration (port
# and dir overridden: the scratch root is not the live system) and answers.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/oxidis-install.XXXX)
pid=
cleanup() {
    if [[ -n $pid ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf -- "$root"
}
trap cleanup EXIT
fail() { echo "install-test: $*" >&2; exit 1; }

make --no-print-directory install DESTDIR="$root" PREFIX=/usr >/dev/null
for f in usr/bin/oxidis-server usr/bin/oxidis-dashboard etc/oxidis/oxidis.conf usr/lib/systemd/system/oxidis.service \
    usr/lib/sysusers.d/oxidis.conf usr/lib/tmpfiles.d/oxidis.conf usr/share/doc/oxidis/commands.md; do
    [[ -e $root/$f ]] || fail "missing $f"
done
unit=$root/usr/lib/systemd/system/oxidis.service
grep -q '^ExecStart=/usr/bin/oxidis-server /etc/oxidis/oxidis.conf --supervised systemd --daemonize no$' "$unit" ||
    fail "ExecStart not substituted: $(grep ExecStart= "$unit")"
! grep -q '@[A-Z]*@' "$unit" "$root/usr/lib/tmpfiles.d/oxidis.conf" || fail "unsubstituted placeholder"

# A second install keeps an edited configuration.
echo "# edited" >>"$root/etc/oxidis/oxidis.conf"
make --no-print-directory install DESTDIR="$root" PREFIX=/usr >/dev/null
grep -q '^# edited$' "$root/etc/oxidis/oxidis.conf" || fail "install overwrote the configuration"
[[ -e $root/etc/oxidis/oxidis.conf.new ]] || fail "no oxidis.conf.new next to the edited configuration"

if command -v systemd-analyze >/dev/null; then
    # verify resolves ExecStart= on the live system: point it at the
    # installed binary.
    sed "s|/usr/bin/oxidis-server|$root/usr/bin/oxidis-server|" "$unit" >"$root/oxidis.service"
    out=$(systemd-analyze verify "$root/oxidis.service" 2>&1) || fail "systemd-analyze verify: $out"
fi

port=
for _ in $(seq 50); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[[ -n $port ]] || fail "no free port"

# The installed file's `dir /var/lib/oxidis` is checked while the file is
# read (as Redis does), before a command-line --dir could apply: run a
# copy whose only change is that line.
mkdir -p "$root/data"
conf=$root/etc/oxidis/test.conf
sed "s|^dir /var/lib/oxidis\$|dir $root/data|" "$root/etc/oxidis/oxidis.conf" >"$conf"
[[ $(diff "$root/etc/oxidis/oxidis.conf" "$conf" | grep -c '^[<>]') == 2 ]] || fail "dir line not found"
"$root/usr/bin/oxidis-server" "$conf" --port "$port" --supervised no >"$root/server.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
    if [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; then break; fi
    sleep 0.05
done
[[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]] || fail "the installed server does not answer: $(cat "$root/server.log")"
[[ $(redis-cli -p "$port" config get maxmemory-policy | tail -1) == noeviction ]] || fail "config not applied"
[[ $(redis-cli -p "$port" config get save | tail -1) == "3600 1 300 100 60 10000" ]] || fail "save line not applied"
redis-cli -p "$port" set k v >/dev/null
[[ $(redis-cli -p "$port" config rewrite) == OK ]] || fail "CONFIG REWRITE of the installed file failed"
"$root/usr/bin/oxidis-dashboard" --help 2>&1 | grep -q '^usage: oxidis-dashboard' || fail "the installed dashboard does not run"
echo "install-test: ok (installed into $root, served on port $port)"
