#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Launches under stress on a running partition ($LWK_PARTITION, or the
# only one), as a careless or hostile user makes them:
#  - three lwkexec launch loops at once: every launch runs;
#  - more lwkexec at once than there are cores: the ones refused say so,
#    and nothing else;
#  - a proxy that dies (SIGKILL) or freezes (SIGSTOP) at each step of the
#    launch (after CREATE, with the staging buffer written, after EXEC,
#    after START): the LWK takes everything back, a frozen proxy that
#    wakes up says its process was dropped and touches nothing;
#  - a running lwkexec stopped for longer than its lease: the same message.
# Beside Linux (partition mode, lwk.ko) there is no lease: a stopped proxy
# keeps its process, and the entry ends only when its /dev/lwk file is
# closed (uapi/lwk/channel.h, step 8). There the frozen proxies are
# checked for that instead, each such line saying "beside Linux": woken,
# the launch goes on and the program runs to its end; a running lwkexec
# stopped for 3 s still has its process, which runs to its end once it is
# continued; kill -9 of a stopped lwkexec frees its cores and memory.
# Cases that need more cores for programs than the partition has print
# SKIP with the reason.
# At the end the partition is ready, every core and MiB is free, and its
# log shows no panic. Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-stress
. tests/vm/lib.sh
loop=$build/user/crash/loop
lease_lost="the LWK dropped the process: lwkexec was not heard from"
kind=$(partition_kind)

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

# 1. Three launch loops at once (the service core once panicked on two),
#    one core each; with fewer cores for programs, as many loops as cores.
n=$(compute_cores)
loops=(a b c)
what="three launch loops at once"
if [ "$n" -lt 3 ]; then
	echo "SKIP $suite: three launch loops at once (the partition has $n core(s) for programs, 3 are needed): $n loop(s) instead"
	loops=("${loops[@]:0:n}")
	what="$n launch loop(s) at once"
fi
lpids=()
for l in "${loops[@]}"; do
	launch_loop "$l" 12 &
	lpids+=("$!")
done
pids+=("${lpids[@]}")
wait "${lpids[@]}"
want=$((12 * ${#loops[@]}))
bad=$(cat "$work"/[abc].status | grep -vcx 0)
total=$(cat "$work"/[abc].status | wc -l)
errs=0
for l in "${loops[@]}"; do
	[ -s "$work/$l.err" ] && errs=$((errs + 1))
done
if [ "$total" = "$want" ] && [ "$bad" = 0 ] && [ "$errs" = 0 ]; then
	pass "$what: $want of $want launches ran, no message"
else
	fail "$what: $bad of $total launches failed" \
		"$(cat "$work"/[abc].err 2>/dev/null | sort | uniq -c)"
fi

# 2. More lwkexec at once than compute cores: the surplus is refused
#    with one line each, and none loses its entry to the LWK.
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

# 3. A proxy that dies at each step of the launch (2 cores, or 1 where
#    the partition has only one for programs).
for stage in create staging exec start; do
	# (the braces keep bash's "Killed" report out of the output)
	{
		LWKEXEC_FAULT=$stage:KILL timeout 120 "$lwkexec" --cores "$(compute_cores_upto 2)" \
			--mem 128M "$loop" \
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
# (1.5 GiB, or all but 64 MiB of a smaller partition's memory for
# processes: seconds under emulation): the clearing stops, all comes back.
total_mb=$("$lwkctl" status 2>/dev/null | sed -n 's/^memory: \([0-9]*\) MiB for processes.*/\1/p')
clear_mb=1536
size="1.5 GiB"
if [ "${total_mb:-0}" -lt 1600 ]; then
	clear_mb=$((${total_mb:-0} - 64))
	size="$clear_mb MiB"
fi
"$lwkexec" --cores 1 --mem "${clear_mb}M" "$loop" >"$work/kill-clearing" 2>&1 &
p=$!
pids+=("$p")
loading=
for _ in $(seq 600); do
	"$lwkctl" status 2>/dev/null | grep -q 'loading a process' && loading=1 && break
	sleep 0.05
done
sleep 0.5
{
	kill -KILL "$p"
	wait "$p"
} 2>/dev/null
if [ -z "$loading" ]; then
	fail "lwkexec with $size never showed 'loading a process' in 'lwkctl status'" \
		"$(cat "$work/kill-clearing")"
elif all_free; then
	pass "lwkexec killed while its $size were being cleared: all free again"
else
	fail "lwkexec killed while its memory was being cleared: not freed" \
		"$("$lwkctl" status 2>&1)"
fi

# Wait until process $1 is stopped (60 s at most).
wait_stopped() {
	for _ in $(seq 600); do
		[ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" = T ] && return 0
		sleep 0.1
	done
	return 1
}

# Beside Linux: a stopped lwkexec keeps its entry (no lease) and its
# core; continued, it goes on and its program ends by itself, with status
# 0 and no message.
resume_and_finish() { # pid what output
	local status held
	held=$(cores_in_use)
	kill -CONT "$1"
	wait_bounded "$1" 60
	status=$?
	if [ "$held" = 1 ] && [ "$status" = 0 ] && [ ! -s "$3" ] && all_free; then
		pass "$2, beside Linux (no lease): its core stayed taken; continued, it went on and the program ran to its end (status 0, no message), all free"
	else
		fail "$2, beside Linux (no lease): $held core(s) in use while stopped (want 1), status $status (want 0), a message, or not freed" \
			"$(cat "$3"; "$lwkctl" status 2>&1)"
	fi
}

# 4. A proxy frozen at each step for longer than its lease: the LWK takes
#    the entry back; woken, lwkexec says why and ends, writing nothing.
#    Beside Linux, the launch goes on once it is woken (/bin/true, which
#    ends by itself).
for stage in create staging exec; do
	if [ "$kind" = linux ]; then
		LWKEXEC_FAULT=$stage:STOP "$lwkexec" --cores 1 --mem 64M /bin/true >"$work/stop-$stage" 2>&1 &
	else
		LWKEXEC_FAULT=$stage:STOP "$lwkexec" --cores 1 --mem 64M "$loop" >"$work/stop-$stage" 2>&1 &
	fi
	p=$!
	pids+=("$p")
	wait_stopped "$p"
	sleep 2.5
	if [ "$kind" = linux ]; then
		resume_and_finish "$p" "lwkexec frozen after $stage for 2.5 s" "$work/stop-$stage"
	else
		resume_and_check "$p" "lwkexec frozen after $stage for 2.5 s" "$work/stop-$stage"
	fi
done

# 5. A running program whose lwkexec is stopped past its lease.
if [ "$kind" = linux ]; then
	# Beside Linux: cat, served before, while and after its lwkexec is
	# stopped for 3 s; its process stays meanwhile and ends with its input.
	mkfifo "$work/in"
	"$lwkexec" --cores 1 --mem 64M /bin/cat <"$work/in" >"$work/out" 2>"$work/stopped" &
	p=$!
	pids+=("$p")
	exec 3>"$work/in"
	echo before >&3
	for _ in $(seq 600); do
		grep -qx before "$work/out" && break
		sleep 0.1
	done
	kill -STOP "$p"
	sleep 3
	echo during >&3
	held=$(cores_in_use)
	kill -CONT "$p"
	echo after >&3
	exec 3>&-
	wait_bounded "$p" 60
	status=$?
	if [ "$held" = 1 ] && [ "$status" = 0 ] && [ ! -s "$work/stopped" ] &&
		[ "$(cat "$work/out")" = "$(printf 'before\nduring\nafter')" ] && all_free; then
		pass "running lwkexec stopped for 3 s, beside Linux (no lease): its process stayed (1 core in use meanwhile), and once continued ran to its end (cat copied all 3 lines, status 0)"
	else
		fail "running lwkexec stopped for 3 s, beside Linux: $held core(s) in use while stopped (want 1), status $status (want 0), output:" \
			"$(cat "$work/out" "$work/stopped"; "$lwkctl" status 2>&1)"
	fi
	# Beside Linux: kill -9 of a stopped lwkexec closes its /dev/lwk file.
	"$lwkexec" --cores 1 --mem 64M "$loop" >"$work/stopkill" 2>&1 &
	p=$!
	pids+=("$p")
	for _ in $(seq 600); do
		grep -qx looping "$work/stopkill" && break
		sleep 0.1
	done
	kill -STOP "$p"
	sleep 1.5
	held=$(cores_in_use)
	{
		kill -KILL "$p"
		wait "$p"
	} 2>/dev/null
	if [ "$held" = 1 ] && all_free; then
		pass "kill -9 of a lwkexec stopped for 1.5 s, beside Linux: its process held its core until then, and every core and MiB is free again"
	else
		fail "kill -9 of a stopped lwkexec, beside Linux: $held core(s) in use while stopped (want 1), or not freed" \
			"$(cat "$work/stopkill"; "$lwkctl" status 2>&1)"
	fi
else
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
fi

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
