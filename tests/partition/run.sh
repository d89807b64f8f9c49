#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Partition mode, tested inside a QEMU guest that runs Debian's own kernel
# (the newest /boot/vmlinuz-*-amd64 whose /lib/modules exists): lwk.ko
# beside an unpatched Linux, lwkctl and lwkexec from this checkout.
#   tests/partition/run.sh          (make test-partition builds first)
# The guest boots an initramfs packed by tests/partition/initramfs.sh
# (build/partition/initrd.cpio.gz: busybox-static, the virtio/9p modules,
# lwk.ko and tests/partition/init), mounts this machine's root read-only
# over virtio-9p at /host and runs tests/partition/guest.sh there with
# chroot: the same binaries and scripts as on this host, at the same paths.
# The guest prints "ok NAME", "FAIL NAME: why" and "SKIP NAME (why)"; a
# SKIP counts as a failure. This side adds a failure when the guest does
# not finish in time or its dmesg (printed at the end) shows BUG, WARNING,
# Oops or a call trace. Ends with "N passed, N failed"; the full console
# log is build/partition/console.log.
#   LWK_PARTITION_TIMEOUT   seconds the whole guest run may take (2400)
#   LWK_PARTITION_CYCLES    boot/shutdown cycles in the guest (20)
#   LWK_PARTITION_SUITES    run only the suites (the tests/... scripts
#                           guest.sh runs on the partition) whose command
#                           matches this extended regex, e.g. 'fuzz|stress';
#                           each other one is a SKIP, so a failure
#   LWK_KO                  a lwk.ko to use instead of the one 'make module'
#                           builds
set -u
cd "$(dirname "$0")/../.." || exit 2
root=$PWD
build=${BUILD:-build}
out=$build/partition
timeout_s=${LWK_PARTITION_TIMEOUT:-2400}
passed=0
failed=0

pass() {
	echo "PASS partition: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL partition: $1"
	[ -n "${2:-}" ] && echo "$2" | sed 's/^/    /'
	failed=$((failed + 1))
}

verdict() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}

# The guest kernel: the newest Debian kernel whose modules are installed.
pick_kernel() {
	local k v
	for k in $(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -rV); do
		v=${k#/boot/vmlinuz-}
		if [ -d "/lib/modules/$v/kernel" ] && [ -r "$k" ]; then
			echo "$v"
			return 0
		fi
	done
	return 1
}

if ! kver=$(pick_kernel); then
	fail "no Debian kernel to boot: install one with 'apt-get install linux-image-amd64'"
	verdict
	exit
fi
for p in busybox qemu-system-x86_64; do
	command -v "$p" >/dev/null || { fail "$p is missing; run 'make deps'"; verdict; exit; }
done
if ! busybox 2>/dev/null | grep -q 'cpio'; then
	fail "this busybox has no cpio: install busybox-static"
	verdict
	exit
fi

# lwk.ko for that kernel: 'make module' where the tree has it.
ko=${LWK_KO:-}
if [ -z "$ko" ]; then
	if mlog=$(make -s module KVER="$kver" 2>&1); then
		ko=$build/kmod/lwk.ko
	elif ! echo "$mlog" | grep -q "No rule to make target 'module'"; then
		fail "make module KVER=$kver failed" "$mlog"
	fi
fi
[ -n "$ko" ] && [ ! -f "$ko" ] && { fail "LWK_KO=$ko: no such file"; ko=; }

# Static test programs for the guest: chanprobe (ours), and the ioctl test
# where the tree has it.
static_prog() { # source output
	local clog
	mkdir -p "$out"
	if clog=$(gcc -std=gnu11 -O2 -g -Wall -Wextra -static -Ikernel/include \
		-Iarch/x86_64/include -o "$2" "$1" 2>&1); then
		return 0
	fi
	fail "building $1" "$clog"
	return 1
}
chanprobe=
static_prog tests/partition/chanprobe.c "$out/chanprobe" && chanprobe=$root/$out/chanprobe
kmod_ioctl=
if [ -f tests/partition/kmod_ioctl.c ]; then
	static_prog tests/partition/kmod_ioctl.c "$out/kmod_ioctl" && kmod_ioctl=$root/$out/kmod_ioctl
fi

# Pack the initramfs (tests/partition/initramfs.sh).
. tests/partition/initramfs.sh
pack() {
	local stage=$out/initrd
	initramfs_stage "$stage" --9p "$kver" --dir /host --dir /etc \
		--file tests/partition/init /init ${ko:+--ko "$ko"} || return 1
	chmod 755 "$stage/init"
	# What /init needs to know of this side.
	{
		echo "checkout=$root"
		echo "build=$build"
		echo "kmod_ioctl=$kmod_ioctl"
		echo "chanprobe=$chanprobe"
		echo "cycles=${LWK_PARTITION_CYCLES:-20}"
		echo "suites='${LWK_PARTITION_SUITES:-}'"
	} >"$stage/etc/lwk-test.conf"
	initramfs_pack "$stage" "$out/initrd.cpio.gz"
}

mkdir -p "$out"
# A writable 9p directory the guest mounts with no cache (/run/scratch).
scratch=$out/scratch
rm -rf "$scratch" && mkdir -p "$scratch"
if ! pack; then
	fail "packing the initramfs failed"
	verdict
	exit
fi

# watchdog_thresh=60: the guest's vCPUs are threads of an emulator on a
# shared machine, which can stall one for tens of seconds (seen: 24-26 s,
# each time inside clear_page of an ordinary page fault); a soft lockup is
# reported after 2 x 60 s instead of 2 x 10 s, so that only a real one is.
# rcu_cpu_stall_timeout=300 for the same reason: lwk.ko's 1 GiB
# alloc_contig_range zeroes the chunk in one go (Debian's kernel has
# init_on_alloc on), which takes ~0.1 s on a node and, with other guests
# beside this one, over 2 minutes under TCG (seen).
# no_ipi_broadcast=1: as lwkctl boot advises (without it Linux's broadcast
# IPIs reach the LWK's cores too).
# Unique per checkout and run, so that runs side by side can be told apart.
qname=lwk-partition-$(basename "$root")-$$
log=$out/console.log
start=$(date +%s)
echo "partition: booting Debian $kver under QEMU (TCG, 4 cores, 2 GiB), at most ${timeout_s} s"
guest_qemu "$qname" "$timeout_s" "/boot/vmlinuz-$kver" "$out/initrd.cpio.gz" \
	"loglevel=4 edd=off watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300 no_ipi_broadcast=1" -cpu max \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$scratch,mount_tag=scratch,security_model=none" |
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[c]//g' |
	tee "$log" | grep --line-buffered -E '^(ok|FAIL|SKIP) |^  |^guest: guest.sh'
status=${PIPESTATUS[0]}
secs=$(($(date +%s) - start))

# Count the guest's verdicts.
n_ok=$(grep -c '^ok ' "$log")
n_fail=$(grep -c '^FAIL ' "$log")
n_skip=$(grep -c '^SKIP ' "$log")
passed=$((passed + n_ok))
failed=$((failed + n_fail + n_skip))

if [ "$status" = 124 ] || [ "$status" = 137 ]; then
	fail "the guest did not finish within ${timeout_s} s (QEMU killed); see $log" \
		"$(tail -20 "$log")"
elif ! grep -q '^guest: done$' "$log"; then
	fail "the guest ended before its tests did (QEMU status $status); see $log" \
		"$(tail -30 "$log")"
elif ! grep -q '^guest: guest.sh ended with status 0$' "$log"; then
	fail "tests/partition/guest.sh did not run to its end; see $log" \
		"$(grep -B5 '^guest: guest.sh ended' "$log")"
else
	pass "guest finished in ${secs} s"
fi

# The guest's kernel log, between the markers /init prints.
dmesg=$(sed -n '/^guest: dmesg begin$/,/^guest: dmesg end$/p' "$log")
if [ -z "$dmesg" ]; then
	fail "the guest printed no dmesg; see $log"
elif bad=$(echo "$dmesg" | grep -wE 'BUG|WARNING|Oops|Call Trace'); then
	fail "the guest's dmesg shows a kernel problem; see $log" "$(echo "$bad" | head -20)"
else
	pass "the guest's dmesg has no BUG, WARNING, Oops or call trace"
fi
verdict
