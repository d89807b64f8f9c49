# SPDX-License-Identifier: GPL-2.0-only
# What the tests/vm scripts share; sourced, with $suite set first (it names
# the script in its PASS/FAIL lines). Gives $build, $lwkctl, $lwkexec, a
# scratch directory $work, and pids+=(PID) for processes to kill at exit.
build=${BUILD:-build}
lwkctl=$build/bin/lwkctl
lwkexec=$build/bin/lwkexec
passed=0
failed=0
work=$(mktemp -d)
pids=()

vm_cleanup() {
	{
		for p in "${pids[@]}"; do kill -9 "$p"; done
		wait # (and no "Killed" report from bash)
	} 2>/dev/null
	rm -rf "$work"
}
trap vm_cleanup EXIT

pass() {
	echo "PASS $suite: $1"
	passed=$((passed + 1))
}

# fail WHAT [DETAILS]: the details are shown indented under the line.
fail() {
	echo "FAIL $suite: $1"
	[ -n "${2:-}" ] && echo "$2" | sed 's/^/    /'
	failed=$((failed + 1))
}

# The verdict line run-all.sh reads, and the script's status.
verdict() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

# From 'lwkctl status': "memory: T MiB for processes, U MiB used, F MiB free"
mem_used() {
	"$lwkctl" status 2>/dev/null | sed -n 's/^memory: .* \([0-9]*\) MiB used.*/\1/p'
}

# The partition's cores for programs (all but the service core), at most
# $1: a partition beside Linux may have only one.
compute_cores_upto() {
	local n
	n=$("$lwkctl" status 2>/dev/null | grep -c '^  core [0-9]* .* \(free\|LWK pid\|loading\)')
	[ "$n" -gt "$1" ] && n=$1
	echo "$n"
}

# Where the partition runs, from the first line of 'lwkctl status': "vm"
# (a QEMU guest: a proxy keeps its entry by renewing its lease) or "linux"
# (partition mode, lwk.ko beside Linux: no lease, an entry ends only when
# its /dev/lwk file is closed; uapi/lwk/channel.h, step 8).
partition_kind() {
	if "$lwkctl" status 2>/dev/null | head -n 1 | grep -q '(beside Linux'; then
		echo linux
	else
		echo vm
	fi
}

# Cores given to a process, or being given to one.
cores_in_use() {
	"$lwkctl" status 2>/dev/null | grep -c '^  core [0-9]* .* \(LWK pid\|loading\)'
}

# wait_bounded PID SECS: wait for the child PID to end and return its
# status; one still running after SECS seconds is killed (status 137), so
# that a hang costs one failed check, never the whole suite.
wait_bounded() {
	timeout "$2" tail --pid="$1" -f /dev/null
	{
		kill -KILL "$1" # only if it did not end by itself
		wait "$1"
	} 2>/dev/null
}
