#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Launches under stress on a running VM partition ($LWK_PARTITION, or the
# only one), as a careless or hostile user makes them:
#  - three lwkexec launch loops at once: every launch runs;
#  - more lwkexec at once than there are cores: the ones refused say so,
#    and nothing else;
#  - a proxy that dies (SIGKILL) or freezes (SIGSTOP) at each step of the
#    launch (after CREATE, with the staging buffer written, after EXEC,
#    after START): the LWK takes everything back, a frozen proxy that
#    wakes up says its process was dropped and touches nothing;
#  - a running lwkexec stopped for longer than its lease: the same message.
# At the end the partition is ready, every core and MiB is free, and its
# log shows no panic. Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-stress
. tests/vm/lib.sh
loop=$build/user/crash/loop
lease_lost="the LWK dropped the process: lwkexec was not heard from"

compute_cores() {
	"$lwkctl" status 2>/dev/null | grep -c '^  core [0-9]* .* \(free\|LWK pid\|loading\)'
}

# Everything back within 5 s (the lease is 1 s)?
all_free() {
	for _ in $(seq 100); do
		[ "$(mem_used)" = 0 ] && [ "$(cores_in_use)" = 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# An lwkexec whose entry the LWK dropped (its lease lapsed while it was
# stopped) fails, says exactly that, and what it held is free again.
check_dropped() { # what status output
	if [ "$2" != 0 ] && grep -q "$lease_lost" "$3" && ! grep -q "pid 0\|belongs to" "$3" &&
		all_free; then
		pass "$1: status $2, '$lease_lost ...', all free again"
	else
		fail "$1: status $2, or a wrong message, or not freed" \
			"$(cat "$3"; "$lwkctl" status 2>&1)"
	fi
}

# Let a stopped lwkexec go on and wait for its end (60 s at most: one
# that does not end is killed and counts as a failure), then check it.
resume_and_check() { # pid what output
	local status
	kill -CONT "$1"
	wait_bounded "$1" 60
	status=$?
	check_dropped "$2" "$status" "$3"
}

# Run @count launches of /bin/true one after another; log each status.
launch_loop() { # name count
	for i in $(seq "$2"); do
		timeout 120 "$lwkexec" --cores 1 /bin/true >>"$work/$1.err" 2>&1
		echo "$?" >>"$work/$1.status"
	done
}

# 1. Three launch loops at once (the service core once panicked on two).
launch_loop a 12 &
pa=$!
launch_loop b 12 &
pb=$!
launch_loop c 12 &
pc=$!
pids+=("$pa" "$pb" "$pc")
wait "$pa" "$pb" "$pc"
bad=$(cat "$work"/[abc].status | grep -vcx 0)
total=$(cat "$work"/[abc].status | wc -l)
if [ "$total" = 36 ] && [ "$bad" = 0 ] && [ ! -s "$work/a.err" ] && [ ! -s "$work/b.err" ] &&
	[ ! -s "$work/c.err" ]; then
	pass "three launch loops at once: 36 of 36 launches ran, no message"
else
	fail "three launch loops at once: $bad of $total launches failed" \
		"$(cat "$work"/[abc].err | sort | uniq -c)"
fi

# 2. More lwkexec at once than compute cores: the surplus is refused
#    with one line each, and none loses its entry to the LWK.
n=$(compute_cores)
over=$((n + 4))
for i in $(seq "$over"); do
	"$lwkexec" --cores 1 --mem 64M "$loop" >"$work/over$i" 2>&1 &
	pids+=("$!")
	eval "over_pid$i=$!"
done
# Each either runs (prints "looping") or is refused and ends: 60 s at most.
for _ in $(seq 600); do
	settled=0
	for i in $(seq "$over"); do
		p=$(eval echo "\$over_pid$i")
		if grep -qx looping "$work/over$i" || ! kill -0 "$p" 2>/dev/null; then
			settled=$((settled + 1))
		fi
	done
	[ "$settled" = "$over" ] && break
	sleep 0.1
done
running=0
refused=0
stray=0
for i in $(seq "$over"); do
	p=$(eval echo "\$over_pid$i")
	if kill -0 "$p" 2>/dev/null && grep -qx looping "$work/over$i"; then
		running=$((running + 1))
		kill -TERM "$p"
	fi
	wait_bounded "$p" 60
	grep -q "cores asked, 0 free" "$work/over$i" && refused=$((refused + 1))
	grep -q "belongs to\|$lease_lost" "$work/over$i" && stray=$((stray + 1))
done
if [ "$running" = "$n" ] && [ "$refused" = $((over - n)) ] && [ "$stray" = 0 ]; then
	pass "$over lwkexec on $n cores: $running ran, $refused refused with 'cores asked, 0 free'"
else
	fail "$over lwkexec on $n cores: $running ran, $refused refused, $stray lost their entry" \
		"$(cat "$work"/over* | sort | uniq -c)"
fi
if all_free; then
	pass "after the surplus launches every core and MiB is free"
else
	fail "after the surplus launches: not all free" "$("$lwkctl" status 2>&1)"
fi

# 3. A proxy that dies at each step of the launch.
for stage in create staging exec start; do
	# (the braces keep bash's "Killed" report out of the output)
	{
		LWKEXEC_FAULT=$stage:KILL timeout 120 "$lwkexec" --cores 2 --mem 128M "$loop" \
			>"$work/kill-$stage" 2>&1
		status=$?
	} 2>/dev/null
	if [ "$status" = 137 ] && all_free; then
		pass "lwkexec killed after $stage: every core and MiB free again"
	else
		fail "lwkexec killed after $stage: status $status (want 137), or not freed" \
			"$(cat "$work/kill-$stage"; "$lwkctl" status 2>&1)"
	fi
done

# A proxy killed while the process's cores clear its memory for EXEC
# (1.5 GiB: seconds under emulation): the clearing stops, all comes back.
"$lwkexec" --cores 1 --mem 1536M "$loop" >"$work/kill-clearing" 2>&1 &
p=$!
pids+=("$p")
for _ in $(seq 600); do
	"$lwkctl" status 2>/dev/null | grep -q 'loading a process' && break
	sleep 0.05
done
sleep 0.5
{
	kill -KILL "$p"
	wait "$p"
} 2>/dev/null
if all_free; then
	pass "lwkexec killed while its 1.5 GiB were being cleared: all free again"
else
	fail "lwkexec killed while its memory was being cleared: not freed" \
		"$("$lwkctl" status 2>&1)"
fi

# 4. A proxy frozen at each step for longer than its lease: the LWK takes
#    the entry back; woken, lwkexec says why and ends, writing nothing.
for stage in create staging exec; do
	LWKEXEC_FAULT=$stage:STOP "$lwkexec" --cores 1 --mem 64M "$loop" >"$work/stop-$stage" 2>&1 &
	p=$!
	pids+=("$p")
	for _ in $(seq 600); do
		[ "$(ps -o stat= -p "$p" 2>/dev/null | cut -c1)" = T ] && break
		sleep 0.1
	done
	sleep 2.5
	resume_and_check "$p" "lwkexec frozen after $stage for 2.5 s" "$work/stop-$stage"
done

# 5. A running program whose lwkexec is stopped past its lease.
"$lwkexec" --cores 1 --mem 64M "$loop" >"$work/stopped" 2>&1 &
p=$!
pids+=("$p")
for _ in $(seq 600); do
	grep -qx looping "$work/stopped" && break
	sleep 0.1
done
kill -STOP "$p"
sleep 3
resume_and_check "$p" "running lwkexec stopped for 3 s" "$work/stopped"

# 6. After all of it: ready, nothing held, no panic in the log.
state=$("$lwkctl" status 2>&1 | head -1)
if echo "$state" | grep -q ': ready' && all_free; then
	pass "the partition is ready with every core and MiB free: $state"
else
	fail "the partition after the stress" "$("$lwkctl" status 2>&1)"
fi
if "$lwkctl" dmesg >"$work/dmesg" 2>&1 && ! grep -qi "panic" "$work/dmesg"; then
	pass "the LWK log has no panic"
else
	fail "the LWK log" "$(grep -i -A5 panic "$work/dmesg")"
fi

verdict
