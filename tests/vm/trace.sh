#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lwkctl trace on a running partition ($LWK_PARTITION, or the only one):
# a program traced on its core shows its system calls there (write,
# exit_group), each with its TSC at entry and exit, and no kernel entry at
# all inside its window of pure computation (tests/user/lwk/quiet_window.c
# prints the window's TSC bounds); a Debian program under lwkexec shows
# its calls too; bad input gets one line. Beside Linux it needs root (the
# partition guest runs as root). Prints PASS/FAIL lines and "N passed, N
# failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-trace
. tests/vm/lib.sh
probe=$build/user/lwk-only/quiet_window

core=$(compute_cores_upto 4)
if [ "${core:-0}" -lt 1 ]; then
	fail "the partition has no core for programs" "$("$lwkctl" status 2>&1)"
	verdict
	exit
fi

# trace_run NAME CMD...: lwkctl trace of core $core, CSV in $work/NAME.csv,
# output in $work/NAME; its status.
trace_run() {
	local name=$1
	shift
	timeout 300 "$lwkctl" trace --cores "$core" --csv "$work/$name.csv" -- "$@" \
		>"$work/$name" 2>&1
}

# has_call NAME NR: the CSV holds syscall NR on $core, returned after it began.
has_call() {
	awk -F, -v c="$core" -v nr="$2" '$1 == c && $2 == "syscall" && $3 == nr &&
		($5 == 0 || $5 >= $4) { n++ } END { exit !n }' "$work/$1.csv"
}

trace_run probe "$lwkexec" --cores "$core-$core" --mem 64M "$probe" 50000000
status=$?
window=$(sed -n 's/^window \([0-9]*\) \([0-9]*\)$/\1 \2/p' "$work/probe")
if [ "$status" != 0 ] || [ -z "$window" ]; then
	fail "lwkctl trace of quiet_window: status $status" "$(cat "$work/probe")"
else
	pass "lwkctl trace -- lwkexec quiet_window: status 0, window $window"
	if has_call probe 1 && has_call probe 231; then
		pass "the trace holds the probe's write and exit_group on core $core"
	else
		fail "no write (1) or exit_group (231) on core $core" "$(cat "$work/probe.csv")"
	fi
	if grep -q "syscall *1 write" "$work/probe" && grep -q "syscall *231 exit_group" "$work/probe"; then
		pass "the summary names write and exit_group"
	else
		fail "the summary lacks write or exit_group" "$(cat "$work/probe")"
	fi
	# The same clock on both sides: the probe's writes are traced before
	# and after its window (else the check below would prove nothing).
	around=$(awk -F, -v c="$core" -v t0="${window% *}" -v t1="${window#* }" \
		'$1 == c && $2 == "syscall" && $3 == 1 && $5 != 0 && $5 < t0 { b++ }
		$1 == c && $2 == "syscall" && $3 == 1 && $4 > t1 { a++ } END { print b + 0, a + 0 }' \
		"$work/probe.csv")
	if [ "${around% *}" -ge 1 ] && [ "${around#* }" -ge 1 ]; then
		pass "its writes are traced before and after the window ($around)"
	else
		fail "writes before/after the window: $around, want 1 or more each" \
			"$(cat "$work/probe.csv")"
	fi
	# Entries inside the window: any record on the core that began in it,
	# or began before it and ended (or never ended) after its start.
	inside=$(awk -F, -v c="$core" -v t0="${window% *}" -v t1="${window#* }" \
		'$1 == c && $4 <= t1 && ($4 >= t0 || $5 == 0 || $5 >= t0)' "$work/probe.csv")
	if [ -z "$inside" ]; then
		pass "no kernel entry on core $core during the syscall-free window"
	else
		fail "kernel entries on core $core inside the window $window" "$inside"
	fi
fi

# A Debian program: dynamically linked, its loader's calls forwarded.
if trace_run echo "$lwkexec" --cores "$core-$core" /bin/echo traced &&
	grep -qx traced "$work/echo" && has_call echo 1 && has_call echo 231; then
	pass "lwkctl trace -- lwkexec /bin/echo: its write and exit_group on core $core"
else
	fail "lwkctl trace -- lwkexec /bin/echo" "$(cat "$work/echo" "$work/echo.csv")"
fi

# bad_input WANT TEXT ARGS...: status WANT and one line holding TEXT.
bad_input() {
	local want=$1 text=$2 out status
	shift 2
	out=$(timeout 60 "$lwkctl" trace "$@" 2>&1)
	status=$?
	if [ "$status" = "$want" ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
		echo "$out" | grep -qF -- "$text"; then
		pass "lwkctl trace $* -> $status: $out"
	else
		fail "lwkctl trace $* -> $status (want $want, one line with '$text')" "$out"
	fi
}

bad_input 1 "has no core 200" --cores 200 -- /bin/true
bad_input 2 "name a command to run" --cores "$core"
bad_input 2 "name the LWK cores to trace" -- /bin/true
bad_input 2 "is not a core or a list" --cores x -- /bin/true
bad_input 1 "no LWK partition named 'no-such-trace'" --name no-such-trace --cores 1 -- /bin/true

# One tracer at a time: a second is refused while the first runs.
"$lwkctl" trace --cores "$core" -- sleep 3 >"$work/first" 2>&1 &
first=$!
pids+=("$first")
sleep 1
bad_input 1 "is tracing this partition already" --cores "$core" -- /bin/true
wait_bounded "$first" 60
status=$?
if [ "$status" = 0 ]; then
	pass "the first tracer ends normally (status 0)"
else
	fail "the first tracer: status $status" "$(cat "$work/first")"
fi

verdict
