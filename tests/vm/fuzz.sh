#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Channel fuzz on a running VM partition: while 'lwkexec cat' waits for
# input on a FIFO, chanfuzz (tests/tools/chanfuzz.c) forges random and
# malformed forwarded-call messages for its process. The proxy must answer
# each with the right error, say once per kind what it refused, and keep
# serving: cat still copies a line written afterwards. Prints PASS/FAIL
# lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${BUILD:-build}
lwkctl=$build/bin/lwkctl
lwkexec=$build/bin/lwkexec
rounds=${FUZZ_ROUNDS:-1000}
passed=0
failed=0
work=$(mktemp -d)
pid=

cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

pass() {
	echo "PASS vm-fuzz: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL vm-fuzz: $1"
	[ -n "${2:-}" ] && echo "$2" | sed 's/^/    /'
	failed=$((failed + 1))
}

mkfifo "$work/in"
"$lwkexec" --cores 1 --mem 128M /bin/cat <"$work/in" >"$work/out" 2>"$work/err" &
pid=$!
exec 3>"$work/in"
echo before >&3
for _ in $(seq 600); do
	grep -qx before "$work/out" && break
	sleep 0.1
done
# The LWK pid of lwkexec's process: the status line whose last column
# (the proxy's Linux pid) is ours.
lwkpid=$("$lwkctl" status | awk -v p="$pid" '$NF == p && $1 ~ /^[0-9]+$/ { print $1 }')
if [ -z "$lwkpid" ]; then
	fail "lwkexec cat did not start" "$(cat "$work/out" "$work/err")"
else
	if out=$("$build/tools/chanfuzz" "$lwkpid" "$rounds" 2>&1); then
		pass "$rounds forged messages, each answered as expected"
		echo "$out" | sed 's/^/    /'
	else
		fail "chanfuzz" "$out"
	fi
	if grep -q "refused with EINVAL" "$work/err"; then
		pass "lwkexec said what it refused: $(grep -c 'refused' "$work/err") kinds"
	else
		fail "lwkexec printed no refusal" "$(cat "$work/err")"
	fi
fi
echo after >&3
exec 3>&-
wait "$pid"
status=$?
pid=
if [ "$status" = 0 ] && [ "$(cat "$work/out")" = "$(printf 'before\nafter')" ]; then
	pass "the program was served throughout (cat copied both lines, status 0)"
else
	fail "after the fuzz: status $status, output:" "$(cat "$work/out" "$work/err")"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
