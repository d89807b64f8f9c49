#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Partition mode's side of the LWK, without Linux: a VM partition whose
# kernel is copied to another base and entered at partition_entry on
# lwkctl-style page tables (boot/pc/relocate_test.c, the ktest image), with
# no console and no exit port, as beside Linux. Programs run through the
# channel; shutdown sets DOWN in the channel header and halts every core,
# and QEMU keeps running until lwkctl stops it (nothing powers it off).
# Prints PASS/FAIL lines and "N passed, N failed".
#   BUILD=build-x tests/qemu/partition-entry.sh    (default build/)
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=partition-entry
. tests/vm/lib.sh
state=$(mktemp -d /tmp/lwk-pe-test.XXXXXX)
export XDG_RUNTIME_DIR=$state
export LWK_PARTITION=pe$$
base=0x20000000
mem=/dev/shm/lwk-$(id -u)-$LWK_PARTITION-mem
cleanup() {
	timeout 30 "$lwkctl" shutdown --force >/dev/null 2>&1
	rm -rf "$state"
	vm_cleanup
}
trap cleanup EXIT

# The channel header's state word and the log ring's text, read from the
# partition's memory file (uapi/lwk/channel.h, uapi/lwk/log.h).
chan_read() {
	/usr/bin/python3 - "$mem" "$1" <<'PY'
import struct, sys
f = open(sys.argv[1], 'rb')
f.seek(0x1000000)
h = f.read(4096)
state = struct.unpack_from('<I', h, 16)[0]
log_off = struct.unpack_from('<Q', h, 80)[0]
f.seek(0x1000000 + log_off)
magic, abi, size, pad, head = struct.unpack('<IIIIQ', f.read(24))
data = f.read(size)
text = bytes(data[i % size] for i in range(max(0, head - size), head))
print(state if sys.argv[2] == 'state' else text.decode(errors='replace'))
PY
}

if ! out=$(timeout 120 "$lwkctl" boot --vm --cpus 3 --mem 1G --kernel "$build/lwk-ktest.elf" \
	--kernel-args "lwk.test-relocate=$base,bare" 2>&1); then
	fail "boot of a relocated, console-less partition" "$out"
	verdict
	exit
fi
pass "boot of a relocated, console-less partition"
log=$("$lwkctl" dmesg 2>&1)
if echo "$log" | grep -q "kernel image at physical $base-"; then
	pass "the kernel runs from $base"
else
	fail "the kernel runs from $base" "$log"
fi
console=$state/lwk/$LWK_PARTITION/console.log
if grep -q "kernel image at physical" "$console"; then
	fail "no console output once at partition_entry" "$(tail -5 "$console")"
else
	pass "no console output once at partition_entry"
fi
out=$(timeout 60 "$lwkexec" --mem 64M "$build/user/libc-min/hello" 2>&1)
if [ $? = 0 ] && echo "$out" | grep -q "hello from lwk"; then
	pass "lwkexec hello"
else
	fail "lwkexec hello" "$out"
fi
out=$(timeout 60 "$lwkexec" --mem 64M /bin/echo partition entry 2>&1)
if [ "$out" = "partition entry" ]; then
	pass "lwkexec /bin/echo"
else
	fail "lwkexec /bin/echo" "$out"
fi
# Shut down: DOWN, every core halted, QEMU left running for lwkctl to stop.
timeout 60 "$lwkctl" shutdown --timeout 3 >"$work/shutdown" 2>&1 &
shut=$!
for _ in $(seq 50); do
	[ "$(chan_read state 2>/dev/null)" = 4 ] && break
	sleep 0.1
done
if [ "$(chan_read state 2>/dev/null)" = 4 ]; then
	pass "shutdown sets LWK_STATE_DOWN"
else
	fail "shutdown sets LWK_STATE_DOWN" "state $(chan_read state 2>&1)"
fi
ring=$(chan_read log 2>&1)
if echo "$ring" | grep -q "shut down on request" && ! echo "$ring" | grep -q "did not stop"; then
	pass "every core stopped before DOWN, said in the log ring"
else
	fail "every core stopped before DOWN, said in the log ring" "$(echo "$ring" | tail -5)"
fi
wait "$shut"
if grep -q "did not power off" "$work/shutdown"; then
	pass "the kernel halted rather than power QEMU off"
else
	fail "the kernel halted rather than power QEMU off" "$(cat "$work/shutdown")"
fi
verdict
