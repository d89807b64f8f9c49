#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# An LWK that fails under a running program, in VM partitions of the ktest
# image, whose fault injection (kernel/ktest/ktest_fault.c) fires when the
# service core takes SIGUSR2 for a process: with lwk.test-panic-signal=12
# it panics, with lwk.test-hang-signal=12 it stops answering for good.
# Either way lwkexec, sent SIGUSR2, must exit 125 within a bounded time
# with one line that says what happened; lwkctl status must say it too;
# lwkctl shutdown must clear the partition away. The production kernel
# refuses the keys. (tests/partition/guest.sh does the same beside Linux.)
# Runs in a state directory of its own.
# Prints PASS/FAIL lines and "N passed, N failed".
#   BUILD=build-x tests/vm/lwk-fault.sh    (default build/)
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-lwk-fault
. tests/vm/lib.sh
state=$(mktemp -d /tmp/lwk-fault-test.XXXXXX)
export XDG_RUNTIME_DIR=$state
# Unique per checkout and run, as QEMU's name is made of it.
export LWK_PARTITION=fault-$(basename "$PWD")-$$
loop=$build/user/crash/loop
cleanup() {
	timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1
	rm -rf "$state"
	vm_cleanup
}
trap cleanup EXIT

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# boot_ktest KARGS: a partition of the ktest image with KARGS; 0 if up.
boot_ktest() {
	local out
	if out=$(timeout 180 "$lwkctl" boot --vm --cpus 3 --mem 1G \
		--kernel "$build/lwk-ktest.elf" --kernel-args "$1" 2>&1); then
		pass "boot of the ktest image with $1"
		return 0
	fi
	fail "boot of the ktest image with $1" "$out"
	return 1
}

# start_loop [ENV...]: the looping program under lwkexec in the
# background ($pid); 0 once it says "looping" (within 60 s).
start_loop() {
	env "$@" "$lwkexec" --cores 1 --mem 64M "$loop" >"$work/loop.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 600); do
		grep -qx looping "$work/loop.out" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "the looping program did not start" "$(cat "$work/loop.out")"
	return 1
}

# usr2_verdict NAME SECS TEXT: SIGUSR2 to lwkexec; it must exit 125 within
# SECS seconds with TEXT (grep -F) in its output.
usr2_verdict() {
	local t0 ms status
	t0=$(now_ms)
	kill -USR2 "$pid"
	wait_bounded "$pid" "$2"
	status=$?
	ms=$(($(now_ms) - t0))
	if [ "$status" = 125 ] && grep -qF -- "$3" "$work/loop.out"; then
		pass "$1: lwkexec exits 125 after $ms ms: $(grep -F -- "$3" "$work/loop.out")"
	else
		fail "$1: lwkexec status $status after $ms ms, want 125 and '$3'" \
			"$(cat "$work/loop.out")"
	fi
}

# shutdown_clears NAME ARGS...: lwkctl shutdown ARGS ends the partition
# (no record, no QEMU left: lwkctl status finds none).
shutdown_clears() {
	local name=$1 out status
	shift
	out=$(timeout 120 "$lwkctl" shutdown "$@" 2>&1)
	status=$?
	if [ "$status" = 0 ] && ! timeout 60 "$lwkctl" status >/dev/null 2>&1; then
		pass "$name: lwkctl shutdown $* clears it away ($(echo "$out" | tail -n 1))"
	else
		fail "$name: lwkctl shutdown $*: status $status" "$out
$(timeout 60 "$lwkctl" status 2>&1)"
		timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1
	fi
}

# --- the production kernel has no fault injection, and says so ---
out=$(timeout 180 "$lwkctl" boot --vm --cpus 2 --mem 512M --kernel "$build/lwk.elf" \
	--kernel-args lwk.test-panic-signal=12 2>&1)
status=$?
if [ "$status" != 0 ] && echo "$out" | grep -qF \
	"lwk.test-panic-signal=12: this kernel has no ktests; boot the ktest image"; then
	pass "the production kernel refuses lwk.test-panic-signal"
else
	fail "the production kernel with lwk.test-panic-signal: status $status" "$out"
fi
timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1

# --- panic ---
panic_text="test panic: signal 12, as lwk.test-panic-signal asked"
if boot_ktest lwk.test-panic-signal=12; then
	# A bad LWKEXEC_HANG_S is said in one line, and the default kept.
	out=$(LWKEXEC_HANG_S=soon timeout 60 "$lwkexec" --mem 64M "$build/user/libc-min/hello" 2>&1)
	status=$?
	if [ "$status" = 0 ] && [ "$(echo "$out" | grep -c LWKEXEC_HANG_S)" = 1 ] &&
		echo "$out" | grep -qF "LWKEXEC_HANG_S=soon is not a number of seconds"; then
		pass "LWKEXEC_HANG_S=soon: said in one line, the program runs"
	else
		fail "LWKEXEC_HANG_S=soon: status $status" "$out"
	fi
	if start_loop; then
		usr2_verdict "panic" 60 "lwkexec: the LWK panicked: PANIC on cpu0: $panic_text"
		out=$(timeout 60 "$lwkctl" status 2>&1)
		status=$?
		if [ "$status" != 0 ] && echo "$out" | grep -qF "$panic_text" &&
			echo "$out" | grep -q "panicked"; then
			pass "panic: lwkctl status says panicked, and why"
		else
			fail "panic: lwkctl status: status $status" "$out"
		fi
	fi
	# (Its QEMU powered off at the panic: status cleared its record.)
	timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1
fi

# --- hang ---
if boot_ktest lwk.test-hang-signal=12 && start_loop LWKEXEC_HANG_S=3; then
	usr2_verdict "hang" 60 "lwkexec: the LWK has not answered for "
	if grep -qF "(its service core is stuck): 'lwkctl dmesg' shows its log" "$work/loop.out"; then
		pass "hang: lwkexec says what to do"
	else
		fail "hang: lwkexec's line" "$(cat "$work/loop.out")"
	fi
	out=$(timeout 60 "$lwkctl" status 2>&1)
	if echo "$out" | grep -q "^warning: the service core's heartbeat has not moved"; then
		pass "hang: lwkctl status warns"
	else
		fail "hang: lwkctl status does not warn" "$out"
	fi
	out=$(timeout 60 "$lwkctl" dmesg 2>&1)
	if echo "$out" | grep -qF "test hang: signal 12: the service core stops answering"; then
		pass "hang: lwkctl dmesg shows why"
	else
		fail "hang: lwkctl dmesg" "$(echo "$out" | tail -5)"
	fi
	shutdown_clears "hang" --timeout 5
fi
timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1
verdict
