#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The partition-mode checks, run by the test guest's /init (tests/partition/
# init) inside chroot of the host's read-only root; /tmp is the guest's
# own tmpfs. Prints "ok NAME", "FAIL NAME: why" (details indented below)
# and "SKIP NAME (why)", which tests/partition/run.sh counts on the host.
# LWK_KO_STATE says what /init did with lwk.ko: loaded, failed or absent.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${BUILD:-build}
lwkctl=$build/bin/lwkctl
lwkexec=$build/bin/lwkexec
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

ok() { echo "ok $1"; }

# fail NAME WHY [DETAILS]
fail() {
	echo "FAIL $1: $2"
	[ -n "${3:-}" ] && echo "$3" | sed 's/^/    /'
	return 0
}

skip() { echo "SKIP $1 ($2)"; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

cpu_online() { cat "/sys/devices/system/cpu/cpu$1/online" 2>/dev/null; }

# MemFree in KiB once the page cache is dropped, so that files read over
# 9p do not count as memory lost.
mem_free() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '$1 == "MemFree:" { print $2 }' /proc/meminfo
}

# --- Linux alone, no module -------------------------------------------------

linux_sanity() {
	local n t0 t1
	n=$(grep -c '^processor' /proc/cpuinfo)
	if [ "$n" = 4 ] && [ "$(cat /sys/devices/system/cpu/online)" = 0-3 ]; then
		ok "linux: 4 cores online"
	else
		fail "linux: cores" "want 4 online (0-3), /proc/cpuinfo has $n, online: $(cat /sys/devices/system/cpu/online)"
	fi
	t0=$(now_ms)
	if echo 0 >/sys/devices/system/cpu/cpu2/online && [ "$(cpu_online 2)" = 0 ] &&
		[ "$(cat /sys/devices/system/cpu/offline)" = 2 ]; then
		t1=$(now_ms)
		if echo 1 >/sys/devices/system/cpu/cpu2/online && [ "$(cpu_online 2)" = 1 ]; then
			ok "linux: cpu 2 offline ($((t1 - t0)) ms) and online ($(($(now_ms) - t1)) ms) via sysfs"
		else
			fail "linux: cpu 2 did not come back online" "online: $(cat /sys/devices/system/cpu/online)"
		fi
	else
		fail "linux: cpu 2 did not go offline" "online: $(cat /sys/devices/system/cpu/online)"
		echo 1 >/sys/devices/system/cpu/cpu2/online 2>/dev/null
	fi
	if out=$(timeout 60 "$build/user/glibc/hello" 2>&1) && echo "$out" | grep -qx 'PASS hello'; then
		ok "linux: the host's test programs run in the guest"
	else
		fail "linux: $build/user/glibc/hello in the guest" "$out"
	fi
}

linux_sanity

# --- With lwk.ko --------------------------------------------------------------

case ${LWK_KO_STATE:-absent} in
absent)
	skip "partition: every check that needs the module" "no lwk.ko: build it with 'make module'"
	exit 0
	;;
failed)
	skip "partition: every check that needs the module" "insmod lwk.ko failed (above)"
	exit 0
	;;
esac
