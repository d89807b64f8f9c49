#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Signals to programs with more threads than cores, on a running
# partition ($LWK_PARTITION, or the only one). Threads that share a core
# take turns only when one blocks, so most of them here never run again:
# spinners hold every core, main waits in pthread_join behind one of them.
# SIGTERM and SIGINT to lwkexec must still end the program (143, 130), a
# SIGUSR1 handler must run on a thread that runs (it exits with 5), and a
# thread that crashes must take every thread with it (139). A regression
# hangs; each case is bounded and then fails. Uses up to 3 compute cores.
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-threads
. tests/vm/lib.sh
spin=$build/user/crash/spin_threads
start_s=120 # TCG is slow: room to load and start the program
end_s=60    # and to end it once signalled

# A killed lwkexec leaves its program's cores taken until its lease lapses
# (1 s): wait for that, so that the next case gets them.
cores_free() {
	for _ in $(seq 50); do
		[ "$(cores_in_use)" = 0 ] && return
		sleep 0.1
	done
}

# Wait for $pid to end, at most $1 seconds, then SIGKILL it. Sets $status
# (the shell's) and $hung (1 if it had to be killed).
wait_end() {
	local tenths=$(($1 * 10))
	hung=0
	while kill -0 "$pid" 2>/dev/null && [ "$tenths" -gt 0 ]; do
		sleep 0.1
		tenths=$((tenths - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		hung=1
		kill -9 "$pid"
	fi
	wait "$pid"
	status=$?
	[ "$hung" = 0 ] || cores_free
}

# Start spin_threads N [MODE] on C cores; true once a thread spins on
# every core (it says so). Sets $pid; the output goes to $work/out.
start_spin() { # cores, threads, [mode]
	"$lwkexec" --cores "$1" "$spin" "$2" ${3:-} >"$work/out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq $((start_s * 10))); do
		grep -qx spinning "$work/out" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# The program ended within $1 seconds with status $2, or not.
verdict_case() { # seconds, want, what
	wait_end "$1" 2>/dev/null # (no "Killed" or "Segmentation fault" line)
	if [ "$hung" = 1 ]; then
		fail "$3: still running $1 s later (killed)" "$(cat "$work/out")"
	elif [ "$status" = "$2" ]; then
		pass "$3 -> $status"
	else
		fail "$3: status $status, want $2" "$(cat "$work/out")"
	fi
}

# Once every core has a spinner, SIG to lwkexec; the status must be WANT.
signal_case() { # cores, threads, signal, want, [spin_threads mode]
	local what="$3 to $2 spinners on $1 core(s)${5:+ ($5)}"
	if ! start_spin "$1" "$2" "${5:-}"; then
		wait_end 0 2>/dev/null
		fail "$what: the program did not start spinning" "$(cat "$work/out")"
		return
	fi
	kill -"$3" "$pid"
	verdict_case "$end_s" "$4" "$what"
}

# The last spinner to find a free core dereferences NULL instead.
crash_case() { # cores, threads
	"$lwkexec" --cores "$1" "$spin" "$2" segv >"$work/out" 2>&1 &
	pid=$!
	pids+=("$pid")
	verdict_case $((start_s + end_s)) 139 "a crash while $2 spinners hold $1 core(s)"
}

# 3 cores, or as many as the partition has (beside Linux it may have one).
n=$(compute_cores_upto 3)
signal_case 1 2 TERM 143
signal_case "$n" 8 TERM 143
signal_case 1 2 INT 130
signal_case "$n" 8 INT 130
signal_case 1 2 USR1 5 exit5
signal_case "$n" 8 USR1 5 exit5
crash_case 1 2
crash_case "$n" 8
verdict
