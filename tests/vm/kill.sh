#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Ending programs on a running partition ($LWK_PARTITION, or the only
# one): Ctrl-C (SIGINT) to lwkexec ends the LWK program with 130; two
# lwkexec at once run on different cores; SIGKILL of lwkexec itself frees
# the program's cores and memory (its lease lapses after 1 s) and
# 'lwkctl status' shows them free again within 2 s. Prints PASS/FAIL lines
# and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-kill
. tests/vm/lib.sh
loop=$build/user/crash/loop

# Start the looping program under lwkexec in the background; wait until it
# printed that it runs (60 s at most). Sets $pid.
start_loop() { # name, lwkexec options...
	local out=$work/$1
	shift
	"$lwkexec" "$@" "$loop" >"$out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 600); do
		grep -qx looping "$out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}

# Ctrl-C: the shell's status for a program killed by SIGINT.
if start_loop intr --cores 1; then
	kill -INT "$pid"
	wait_bounded "$pid" 60
	status=$?
	if [ "$status" = 130 ]; then
		pass "SIGINT to lwkexec ends the LWK program with 130"
	else
		fail "SIGINT to lwkexec: status $status, want 130" "$(cat "$work/intr")"
	fi
else
	fail "the looping program did not start" "$(cat "$work/intr")"
fi

# Two programs at once, each on cores of its own (2 each, or 1 each where
# the partition has fewer than 4; beside Linux it may have only one).
ncores=$(compute_cores_upto 4)
each=$((ncores / 2))
if [ "$each" = 0 ]; then
	echo "SKIP $suite: two lwkexec at once (the partition has $ncores core for programs, 2 are needed)"
elif start_loop a --cores $each --mem 256M && a=$pid && start_loop b --cores $each --mem 256M; then
	b=$pid
	n=$(cores_in_use)
	used=$(mem_used)
	if [ "$n" = $((2 * each)) ] && [ "${used:-0}" -ge 512 ]; then
		pass "two lwkexec at once: $n cores and $used MiB in use"
	else
		fail "two lwkexec at once: $n cores, ${used:-?} MiB in use (want $((2 * each)), >= 512)" \
			"$("$lwkctl" status 2>&1)"
	fi
	kill -TERM "$a" "$b"
	wait_bounded "$a" 60
	sa=$?
	wait_bounded "$b" 60
	sb=$?
	if [ "$sa" = 143 ] && [ "$sb" = 143 ]; then
		pass "SIGTERM to both: 143 each"
	else
		fail "SIGTERM to both: statuses $sa and $sb, want 143"
	fi
else
	fail "two looping programs did not both start" "$(cat "$work/a" "$work/b" 2>/dev/null)"
fi

# SIGKILL of lwkexec: nobody on Linux tells the LWK; its lease does (in
# a VM partition; beside Linux, lwk.ko sees the proxy's fd released).
if start_loop killed --cores "$(compute_cores_upto 2)" --mem 512M; then
	before=$(mem_used)
	kill -KILL "$pid"
	wait_bounded "$pid" 60
	start=$(date +%s%N)
	freed=
	while [ $(($(date +%s%N) - start)) -lt 2000000000 ]; do
		if [ "$(mem_used)" = 0 ] && [ "$(cores_in_use)" = 0 ]; then
			freed=$((($(date +%s%N) - start) / 1000000))
			break
		fi
		sleep 0.05
	done
	if [ -n "$freed" ]; then
		pass "SIGKILL of lwkexec: ${before:-?} MiB and its cores free again after $freed ms"
	else
		fail "SIGKILL of lwkexec: not freed within 2 s" "$("$lwkctl" status 2>&1)"
	fi
else
	fail "the looping program did not start" "$(cat "$work/killed")"
fi

verdict
