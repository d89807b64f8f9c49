#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Channel fuzz on a running partition: while 'lwkexec cat' waits for
# input on a FIFO, chanfuzz (tests/tools/chanfuzz.c) forges random and
# malformed forwarded-call messages for its process. The proxy must answer
# each with the right error, say once per kind what it refused, and keep
# serving: cat still copies a line written afterwards. The same checks in
# both modes: beside Linux (partition mode) chanfuzz maps the channel
# through lwk.ko, which lets only root (or admin_gid) map all of it.
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-fuzz
. tests/vm/lib.sh
rounds=${FUZZ_ROUNDS:-1000}

mkfifo "$work/in"
"$lwkexec" --cores 1 --mem 128M /bin/cat <"$work/in" >"$work/out" 2>"$work/err" &
pid=$!
pids+=("$pid")
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
wait_bounded "$pid" 60
status=$?
pid=
if [ "$status" = 0 ] && [ "$(cat "$work/out")" = "$(printf 'before\nafter')" ]; then
	pass "the program was served throughout (cat copied both lines, status 0)"
else
	fail "after the fuzz: status $status, output:" "$(cat "$work/out" "$work/err")"
fi
verdict
