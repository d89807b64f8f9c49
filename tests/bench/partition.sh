#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Partition-mode benchmarks, all in ONE QEMU guest (TCG, -smp 4 -m 2G)
# running Debian's own kernel with lwk.ko beside it:
#   - 'lwkctl boot --cpus 2-3 --mem 512M' to ready, and 'lwkctl shutdown';
#   - tests/bench/syscalls.c on a Linux core (taskset -c 1) and under
#     lwkexec on the LWK core, with the proxy polling (the default) and with
#     it polling throughout (LWKEXEC_SPIN_NS=1000000000) and with it
#     sleeping on lwk.ko's doorbell after every call (LWKEXEC_SPIN_NS=0):
#     getppid is the forwarded null-syscall round trip on the LWK (a local
#     call on Linux), getpid the local null syscall on both;
#   - the interrupts an LWK core takes in a loop with no system call
#     ('lwkctl stats' before/after) against those of a Linux core running
#     the same loop at the same time (/proc/interrupts).
# Prints medians of RUNS runs (default 5) and the LWK/Linux ratio. Under
# TCG the absolute figures are QEMU's emulation speed; the ratio, measured
# in the same guest in the same run, is what means something. Measures,
# never fails: what could not be measured is said loudly, and it exits 0.
#   tests/bench/partition.sh
# Environment: RUNS, CYCLES (boot/shutdown cycles, default RUNS), KVER (the
# guest kernel, default the newest /boot/vmlinuz-*-amd64 with its modules
# and headers), LWK_TEST_TAG (names the QEMU process and work directory).
set -u
runs=${RUNS:-5}
cycles=${CYCLES:-$runs}
tag=${LWK_TEST_TAG:-$$}
top=$(cd "$(dirname "$0")/../.." && pwd)
say() { echo "bench-partition: $*"; }
skip() {
	say "NOT MEASURED: $*"
	exit 0
}

if [ -z "${KVER:-}" ]; then
	for k in $(ls /boot 2>/dev/null | sed -n 's/^vmlinuz-\(.*-amd64\)$/\1/p' | sort -rV); do
		if [ -d "/lib/modules/$k" ] && [ -d "/usr/src/linux-headers-$k" ]; then
			KVER=$k
			break
		fi
	done
fi
[ -n "${KVER:-}" ] ||
	skip "no /boot/vmlinuz-*-amd64 with /lib/modules and headers: apt-get install linux-image-amd64 linux-headers-amd64"
kernel=/boot/vmlinuz-$KVER
[ -r "$kernel" ] || skip "cannot read $kernel (run as root)"
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q static ||
	skip "needs a static /bin/busybox: apt-get install busybox-static"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86_64: apt-get install qemu-system-x86"

make -s -C "$top" module KVER="$KVER" >/dev/null || skip "lwk.ko did not build (make module KVER=$KVER)"
make -s -C "$top" build/lwk.elf build/bin/lwkctl build/bin/lwkexec bench-progs >/dev/null ||
	skip "the LWK, lwkctl, lwkexec or the bench programs did not build"

. "$top/tests/partition/initramfs.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lwk-bench-$tag.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
ko=$top/build/kmod/$KVER/lwk.ko
[ -f "$ko" ] || ko=$top/build/kmod/lwk.ko
BUSYBOX=/bin/busybox initramfs_stage "$root" --ko "$ko" --lwk "$top" \
	--file "$top/build/bench/syscalls" /syscalls ||
	skip "the guest's initramfs could not be staged in $root"
for prog in elapsed spin; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$root/$prog" "$top/tests/bench/guest/$prog.c" ||
		skip "tests/bench/guest/$prog.c did not build"
done

# In the guest, every measurement is a line "R KIND ..." on the console;
# the host takes the medians. The partition lives through all the syscall
# runs; the boot/shutdown cycles come after them.
cat >"$root/init" <<GUEST
#!/bin/sh
export PATH=/opt/lwk/bin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "R start"
insmod /lwk.ko trampoline=0x90000 || echo "R error insmod lwk.ko failed"
if lwkctl boot --cpus 2-3 --mem 512M --name bench >/tmp/boot.out 2>&1; then
	for i in \$(seq $runs); do
		taskset -c 1 /syscalls | sed 's/^bench /R linux /'
		lwkexec --cores 1 /syscalls | sed 's/^bench /R lwk /'
		LWKEXEC_SPIN_NS=1000000000 lwkexec --cores 1 /syscalls | sed 's/^bench /R lwkpoll /'
		LWKEXEC_SPIN_NS=0 lwkexec --cores 1 /syscalls | sed 's/^bench /R lwkbell /'
	done
	# The program's start and exit alone, then a loop with no system call
	# on each side at the same time.
	lwkctl stats | sed 's/^/R stats0A /'
	lwkexec --cores 1 /spin 0 >/dev/null
	lwkctl stats | sed 's/^/R stats0B /'
	# A forwarded read that blocks on Linux for 2 s: the LWK core waits
	# halted, and only the proxy's ring (or a 1 s safety timer) wakes it.
	lwkctl stats | sed 's/^/R statsWA /'
	(sleep 2; echo x) | lwkexec --cores 1 /bin/busybox head -c 1 >/dev/null
	lwkctl stats | sed 's/^/R statsWB /'
	taskset -c 1 /spin 4000 >/dev/null &
	sleep 0.2
	lwkctl stats | sed 's/^/R statsA /'
	loc0=\$(awk '\$1 == "LOC:" { print \$3 }' /proc/interrupts)
	all0=\$(awk 'NR > 1 && \$3 ~ /^[0-9]+\$/ { s += \$3 } END { print s }' /proc/interrupts)
	/elapsed lwkexec --cores 1 /spin 3000 | sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/R window \1/p'
	loc1=\$(awk '\$1 == "LOC:" { print \$3 }' /proc/interrupts)
	all1=\$(awk 'NR > 1 && \$3 ~ /^[0-9]+\$/ { s += \$3 } END { print s }' /proc/interrupts)
	lwkctl stats | sed 's/^/R statsB /'
	echo "R linuxirq loc=\$((loc1 - loc0)) all=\$((all1 - all0))"
	wait
	lwkctl shutdown --name bench >/dev/null 2>&1 || echo "R error shutdown after the syscall runs failed"
else
	echo "R error lwkctl boot failed: \$(tail -n 3 /tmp/boot.out | tr '\n' ' ')"
fi
for i in \$(seq $cycles); do
	/elapsed lwkctl boot --cpus 2-3 --mem 512M --name bench >/tmp/b 2>&1
	sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/R boot \1/p' /tmp/b
	grep -q 'status=0\$' /tmp/b || { echo "R error boot cycle \$i: \$(grep -v elapsed_ns /tmp/b | tail -n 2 | tr '\n' ' ')"; continue; }
	/elapsed lwkctl shutdown --name bench >/tmp/s 2>&1
	sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/R shutdown \1/p' /tmp/s
	grep -q 'status=0\$' /tmp/s || echo "R error shutdown cycle \$i: \$(grep -v elapsed_ns /tmp/s | tail -n 2 | tr '\n' ' ')"
done
rmmod lwk || echo "R error rmmod lwk failed"
if dmesg | grep -qE 'BUG|WARNING|Oops|Call Trace'; then
	echo "R error the guest's dmesg has BUG/WARNING/Oops:"
	dmesg | grep -E 'BUG|WARNING|Oops|Call Trace' | head -n 5 | sed 's/^/R error   /'
fi
echo "R done"
poweroff -f
GUEST
chmod +x "$root/init"
initramfs_pack "$root" "$work/initrd.gz"

log=$work/serial.log
t0=$(date +%s)
guest_qemu "lwk-bench-$tag" 600 "$kernel" "$work/initrd.gz" quiet >"$log"
qrc=$?
secs=$(($(date +%s) - t0))
tr -d '\r' <"$log" | grep '^R ' >"$work/r"
raw=$top/${BUILD:-build}/bench/partition.raw
mkdir -p "$(dirname "$raw")" && cp "$work/r" "$raw" && say "the guest's raw figures: ${BUILD:-build}/bench/partition.raw"
[ "$qrc" = 0 ] || say "NOTE: QEMU ended with status $qrc (124: the 600 s bound)"
grep -q '^R done' "$work/r" || {
	say "NOT MEASURED in full: the guest did not finish; its console's last lines:"
	tr -d '\r' <"$log" | tail -n 15
}
sed -n 's/^R error /bench-partition: COULD NOT MEASURE: /p' "$work/r"

# The median of the numbers on stdin ("-" if none), and how many.
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) printf "%d %d", a[int((NR + 1) / 2)], NR; else printf "- 0" }'; }
# The median over runs of the per-run median_ns of operation $2 where $1.
op() { sed -n "s/^R $1 $2 median=[0-9]* p99=[0-9]* median_ns=\([0-9]*\) p99_ns=[0-9]*\$/\1/p" "$work/r" | median; }
row() { # label, linux where/op, lwk where/op
	set -- "$1" $(op "$2" "$3") $(op "$4" "$5")
	awk -v l="$1" -v a="$2" -v na="$3" -v b="$4" -v nb="$5" 'BEGIN {
		r = (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && a > 0) ? sprintf("%.2f", b / a) : "-"
		printf "  %-36s %12s %12s %8s   %d/%d\n", l, a, b, r, na, nb }'
}

echo "Partition-mode benchmarks: one QEMU TCG guest (-smp 4 -m 2G), Debian $KVER, lwk.ko,"
echo "the LWK on cores 2-3 (512M), Linux programs on core 1. Under TCG the absolute"
echo "numbers are bound by emulation; the LWK/Linux ratio, measured in the same guest and"
echo "run, is what matters. Medians over runs of each run's median (ns). getppid is local"
echo "on Linux and forwarded to the proxy on the LWK: the proxy polls 50 us after a call"
echo "then naps (default), polls always (LWKEXEC_SPIN_NS=1000000000), or sleeps on lwk.ko's"
echo "doorbell at once (LWKEXEC_SPIN_NS=0). Under TCG a vCPU's host thread can stall for"
echo "longer than the default 50 us window, so the default proxy often naps: the 'polling"
echo "always' row is the polled path itself. ppoll blocks 200 us on Linux: on the LWK its"
echo "thread blocks, the core halts, and the proxy's answer rings it (LWK_IOC_RING)."
printf '  %-36s %12s %12s %8s   %s\n' operation "Linux core" "LWK core" LWK/Linux "runs Linux/LWK"
row "getpid (local on both)" linux getpid lwk getpid
row "getppid fwd, proxy default (50us)" linux getppid lwk getppid
row "getppid fwd, proxy polling always" linux getppid lwkpoll getppid
row "getppid fwd, proxy on doorbell IPI" linux getppid lwkbell getppid
row "futex ping-pong (one core)" linux futex_pingpong lwk futex_pingpong
row "thread create+join (one core)" linux thread_create_join lwk thread_create_join
row "getpid (doorbell proxy)" linux getpid lwkbell getpid
row "ppoll 200us (fwd; LWK core halts)" linux ppoll_200us lwk ppoll_200us
set -- $(sed -n 's/^R boot //p' "$work/r" | median)
b=$1 nb=$2
set -- $(sed -n 's/^R shutdown //p' "$work/r" | median)
awk -v b="$b" -v nb="$nb" -v s="$2" -v s1="$1" 'BEGIN {
	printf "  lwkctl boot --cpus 2-3 --mem 512M to ready: median %s ms (%d runs)\n",
		b ~ /^[0-9]+$/ ? sprintf("%.1f", b / 1e6) : "-", nb
	printf "  lwkctl shutdown: median %s ms (%d runs)\n",
		s1 ~ /^[0-9]+$/ ? sprintf("%.1f", s1 / 1e6) : "-", s }'
# Interrupts during a loop with no system call on each side (the window
# is lwkexec's whole run: the program's start and exit are in it).
awk '
	$1 == "R" && $2 ~ /^stats[0W]?[AB]$/ && $3 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ {
		irq[$2, $3] = $6; cores[$3] = 1
		for (i = 7; i <= NF; i++) {
			split($i, v, "="); vec[$2, $3, v[1]] = v[2]; vecs[v[1]] = 1
		}
	}
	$1 == "R" && $2 == "linuxirq" { split($3, l, "="); split($4, a, "="); loc = l[2]; all = a[2] }
	$1 == "R" && $2 == "window" { win = $3 / 1e9 }
	function diff(a, b, c,   d, x) {
		if (!(((a, c) in irq) && ((b, c) in irq)))
			return "-"
		d = ""
		for (x in vecs)
			if (x > "0x1f" && vec[b, c, x] - vec[a, c, x])
				d = d " " x "=" vec[b, c, x] - vec[a, c, x]
		return (irq[b, c] - irq[a, c]) (d == "" ? "" : " (vectors:" d ")")
	}
	END {
		n = 0
		printf "  interrupts during lwkexec of a 3 s syscall-free loop (window %s s; LWK\n", win ? sprintf("%.1f", win) : "-"
		print "  vectors: 0xef timer, 0xf0 wake IPI), and during lwkexec of the same program"
		print "  with a 0 s loop (its start and exit alone):"
		for (c in cores) {
			printf "    LWK core %s (%s): loop run %s; 0 s run %s\n", c,
				c == 0 ? "service core" : "the program core", diff("statsA", "statsB", c),
				diff("stats0A", "stats0B", c)
			n++
		}
		for (c in cores)
			printf "    LWK core %s during lwkexec of a read() that blocks 2 s on Linux: %s\n",
				c, diff("statsWA", "statsWB", c)
		if (!n)
			print "bench-partition: NOT MEASURED: the LWK cores interrupt counts (lwkctl stats)"
		if (loc != "")
			printf "    Linux core 1 running the same loop meanwhile: LOC (timer) %d, all %d\n", loc, all
		else
			print "bench-partition: NOT MEASURED: the Linux core interrupts"
	}' "$work/r"
say "guest run took ${secs} s"
exit 0
