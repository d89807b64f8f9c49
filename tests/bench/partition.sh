#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Partition-mode benchmarks: LWK cores against Linux cores of ONE QEMU
# guest (TCG, -smp 5 -m 4G) running Debian's own kernel with lwk.ko beside
# it. The guest's cores:
#   0    Linux, housekeeping: the proxies (lwkexec, lwkctl trace) run here;
#   1    Linux, plain: where the Linux side of every benchmark runs;
#   2    Linux, tuned as an HPC site would: isolcpus=, nohz_full=,
#        rcu_nocbs=, device interrupts kept on 0-1 (irqaffinity=);
#   3-4  the LWK ('lwkctl boot --cpus 3-4'): its service core and core 1,
#        where every LWK program runs.
# What it measures, RUNS times each (default 5):
#   - the noise run: lwknoise FWQ for NOISE_S seconds (default 10) on the
#     plain and the tuned Linux core and on the LWK core, all at once; the
#     LWK core under 'lwkctl trace', the Linux cores' /proc/interrupts
#     before and after (tests/bench/noise.py turns it into figures, plots);
#   - tests/bench/syscalls.c on core 1 and under lwkexec (proxy polling
#     50 us then napping, the default; polling always; on the doorbell);
#   - launching /bin/true: fork+exec on Linux, lwkexec with --mem 64M and 1G;
#   - GUPS over a 1 GiB table: LWK large pages, Linux 4 KiB pages, Linux
#     transparent huge pages; STREAM triad;
#   - 'lwkctl boot' to ready and 'lwkctl shutdown' (CYCLES, default RUNS).
# The guest writes "R ..." lines on its console and files into a host
# directory over virtio-9p. Then tests/bench/report.py makes
# build/bench/results.json and prints the markdown table; plots go to
# build/bench/*.png. Under TCG the absolute figures are QEMU's emulation
# speed, and the host's scheduling of QEMU's threads is most of the noise on
# every core: the ratios from the same guest and the kernel-entry counts are
# what mean something. Measures, never fails: what could not be measured is
# said loudly, and it exits 0.
#   tests/bench/partition.sh
# Environment: RUNS, CYCLES, NOISE_S, KVER (the guest kernel, default the
# newest /boot/vmlinuz-*-amd64 with its modules and headers), LWK_TEST_TAG
# (names the QEMU process and work directory), BUILD (default build).
set -u
runs=${RUNS:-5}
cycles=${CYCLES:-$runs}
noise_s=${NOISE_S:-10}
tag=${LWK_TEST_TAG:-$$}
top=$(cd "$(dirname "$0")/../.." && pwd)
bld=${BUILD:-build}
case $bld in /*) ;; *) bld=$top/$bld ;; esac
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
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3: apt-get install python3"

make -s -C "$top" module KVER="$KVER" >/dev/null || skip "lwk.ko did not build (make module KVER=$KVER)"
make -s -C "$top" build/lwk.elf build/bin/lwkctl build/bin/lwkexec build/bin/lwknoise \
	bench-progs >/dev/null ||
	skip "the LWK, lwkctl, lwkexec, lwknoise or the bench programs did not build"

. "$top/tests/partition/initramfs.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lwk-bench-$tag.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
ko=$top/build/kmod/$KVER/lwk.ko
[ -f "$ko" ] || ko=$top/build/kmod/lwk.ko
BUSYBOX=/bin/busybox initramfs_stage "$root" --ko "$ko" --lwk "$top" --9p "$KVER" --dir /out ||
	skip "the guest's initramfs could not be staged in $root"
for prog in syscalls gups stream; do
	if [ -x "$bld/bench/$prog" ]; then
		cp "$bld/bench/$prog" "$root/$prog"
	else
		say "NOT MEASURED: no $bld/bench/$prog (tests/bench/$prog.c)"
	fi
done
for prog in elapsed spin; do
	gcc -static -O2 -Wall -Wextra -Werror -o "$root/$prog" "$top/tests/bench/guest/$prog.c" ||
		skip "tests/bench/guest/$prog.c did not build"
done
mkdir -p "$work/out"

# In the guest, a measurement is a line "R WHAT SIDE VALUE" on the console
# (the host turns them into "M metric side value" lines for report.py), or
# a file in /out (the host's $work/out over 9p). The partition lives
# through all the measurements; the boot/shutdown cycles come last.
cat >"$root/init" <<GUEST
#!/bin/sh
export PATH=/opt/lwk/bin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "R start"
for m in \$(cat /modules/order); do insmod /modules/\$m.ko || echo "R error insmod \$m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 benchout /out ||
	echo "R error cannot mount the host's output directory over virtio-9p"
echo "E guest_kernel \$(uname -r)"
echo "E guest_cmdline \$(cat /proc/cmdline)"
insmod /lwk.ko trampoline=0x90000 || echo "R error insmod lwk.ko failed"
# elapsed CMD...: CMD's run time from fork to end (/elapsed), in ns; "-" if it failed.
elapsed() { /elapsed "\$@" 2>&1 | sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/\1/p' | grep . || echo -; }
if lwkctl boot --cpus 3-4 --mem 1536M --name bench >/tmp/boot.out 2>&1; then
	# The noise run: the three kinds of core at once, RUNS times.
	for i in \$(seq $runs); do
		d=/out/noise/\$i
		mkdir -p \$d
		csv=
		[ \$i = 1 ] && csv=1
		cat /proc/interrupts >\$d/irq0
		cat /proc/softirqs >\$d/softirq0
		lwkctl stats >\$d/stats0 2>&1
		taskset -c 0 lwkctl trace --cores 1 --csv \$d/trace.csv -- taskset -c 0 \
			lwkexec --cores 1 --mem 256M lwknoise fwq --seconds $noise_s \
			--json \$d/lwk.json \${csv:+--csv \$d/lwk.csv} >\$d/lwk.out 2>&1 &
		a=\$!
		taskset -c 0-2 lwknoise fwq --cores 1,2 --seconds $noise_s \
			--json \$d/linux.json \${csv:+--csv \$d/linux.csv} >\$d/linux.out 2>&1 &
		b=\$!
		wait \$b || echo "R error noise run \$i on Linux: \$(tail -n 2 \$d/linux.out | tr '\n' ' ')"
		wait \$a || echo "R error noise run \$i on the LWK: \$(tail -n 2 \$d/lwk.out | tr '\n' ' ')"
		cat /proc/interrupts >\$d/irq1
		cat /proc/softirqs >\$d/softirq1
		lwkctl stats >\$d/stats1 2>&1
	done
	for i in \$(seq $runs); do
		taskset -c 1 /syscalls | sed 's/^bench /R linux /'
		taskset -c 0 lwkexec --cores 1 /syscalls | sed 's/^bench /R lwk /'
		LWKEXEC_SPIN_NS=1000000000 taskset -c 0 lwkexec --cores 1 /syscalls | sed 's/^bench /R lwkpoll /'
		LWKEXEC_SPIN_NS=0 taskset -c 0 lwkexec --cores 1 /syscalls | sed 's/^bench /R lwkbell /'
	done
	for i in \$(seq $runs); do
		echo "R launch linux \$(elapsed taskset -c 1 /bin/true)"
		echo "R launch lwk64 \$(elapsed taskset -c 0 lwkexec --cores 1 --mem 64M /bin/true)"
		echo "R launch lwk1g \$(elapsed taskset -c 0 lwkexec --cores 1 --mem 1G /bin/true)"
	done
	if [ -x /gups ]; then
		taskset -c 1 /gups --mem 1G --thp never --runs $runs >/out/gups.linux 2>&1 ||
			echo "R error gups on Linux (4 KiB pages): \$(tail -n 1 /out/gups.linux)"
		taskset -c 1 /gups --mem 1G --thp always --runs $runs >/out/gups.linux-thp 2>&1 ||
			echo "R error gups on Linux (THP): \$(tail -n 1 /out/gups.linux-thp)"
		taskset -c 0 lwkexec --cores 1 --mem 1400M /gups --mem 1G --runs $runs >/out/gups.lwk 2>&1 ||
			echo "R error gups on the LWK: \$(tail -n 1 /out/gups.lwk)"
	fi
	if [ -x /stream ]; then
		taskset -c 1 /stream --runs $runs >/out/stream.linux 2>&1 ||
			echo "R error stream on Linux: \$(tail -n 1 /out/stream.linux)"
		taskset -c 0 lwkexec --cores 1 --mem 1G /stream --runs $runs >/out/stream.lwk 2>&1 ||
			echo "R error stream on the LWK: \$(tail -n 1 /out/stream.lwk)"
	fi
	lwkctl shutdown --name bench >/dev/null 2>&1 || echo "R error shutdown after the runs failed"
else
	echo "R error lwkctl boot failed: \$(tail -n 3 /tmp/boot.out | tr '\n' ' ')"
fi
for i in \$(seq $cycles); do
	/elapsed lwkctl boot --cpus 3-4 --mem 512M --name bench >/tmp/b 2>&1
	sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/R boot lwk \1/p' /tmp/b
	grep -q 'status=0\$' /tmp/b || { echo "R error boot cycle \$i: \$(grep -v elapsed_ns /tmp/b | tail -n 2 | tr '\n' ' ')"; continue; }
	/elapsed lwkctl shutdown --name bench >/tmp/s 2>&1
	sed -n 's/^elapsed_ns=\([0-9]*\) status=0\$/R shutdown lwk \1/p' /tmp/s
	grep -q 'status=0\$' /tmp/s || echo "R error shutdown cycle \$i: \$(grep -v elapsed_ns /tmp/s | tail -n 2 | tr '\n' ' ')"
done
rmmod lwk || echo "R error rmmod lwk failed"
if dmesg | grep -qE 'BUG|WARNING|Oops|Call Trace'; then
	echo "R error the guest's dmesg has BUG/WARNING/Oops:"
	dmesg | grep -E 'BUG|WARNING|Oops|Call Trace' | head -n 5 | sed 's/^/R error   /'
fi
sync
umount /out
echo "R done"
poweroff -f
GUEST
chmod +x "$root/init"
initramfs_pack "$root" "$work/initrd.gz"

log=$work/serial.log
t0=$(date +%s)
say "one guest: Debian $KVER, TCG, 5 cores, 4 GiB; noise runs of ${noise_s} s, $runs runs (at most 900 s)"
GUEST_SMP=5 GUEST_MEM=4G guest_qemu "lwk-bench-$tag" 900 "$kernel" "$work/initrd.gz" \
	"quiet isolcpus=2 nohz_full=2 rcu_nocbs=2 irqaffinity=0-1 no_ipi_broadcast=1 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=300" \
	-virtfs "local,path=$work/out,mount_tag=benchout,security_model=none" >"$log"
qrc=$?
secs=$(($(date +%s) - t0))
tr -d '\r' <"$log" | grep -E '^(R|E) ' >"$work/r"
dest=$bld/bench
mkdir -p "$dest" && cp "$work/r" "$dest/partition.raw" && rm -rf "$dest/guest" &&
	cp -r "$work/out" "$dest/guest" && say "the guest's raw figures: $dest/partition.raw, $dest/guest/"
[ "$qrc" = 0 ] || say "NOTE: QEMU ended with status $qrc (124: the 900 s bound)"
grep -q '^R done' "$work/r" || {
	say "NOT MEASURED in full: the guest did not finish; its console's last lines:"
	tr -d '\r' <"$log" | tail -n 15
}
sed -n 's/^R error /bench-partition: COULD NOT MEASURE: /p' "$work/r"

# The measurements as report.py reads them.
m=$dest/measurements
{
	echo "E accelerator QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG (-smp 5 -m 4G)"
	echo "E host_cpu $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1) ($(nproc) cores)"
	echo "E commit $(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "E date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "E guest_run_s $secs"
	sed -n 's/^E //p' "$work/r" | sed 's/^/E /'
	# syscalls.c: "R SIDE OP median=.. p99=.. median_ns=N p99_ns=.."
	awk '$1 == "R" && $4 ~ /^median=/ {
		split($6, v, "="); side = $2; op = $3
		if (op == "getpid" && side == "linux") print "M getpid_ns linux", v[2]
		if (op == "getpid" && side == "lwk") print "M getpid_ns lwk", v[2]
		if (op == "getpid" && side == "linux") {
			print "M fwd_null_default_ns linux", v[2]
			print "M fwd_null_polled_ns linux", v[2]
			print "M fwd_null_doorbell_ns linux", v[2]
		}
		if (op == "getppid" && side == "lwk") print "M fwd_null_default_ns lwk", v[2]
		if (op == "getppid" && side == "lwkpoll") print "M fwd_null_polled_ns lwk", v[2]
		if (op == "getppid" && side == "lwkbell") print "M fwd_null_doorbell_ns lwk", v[2]
		if (op == "futex_pingpong" && side ~ /^(linux|lwk)$/) print "M futex_pingpong_ns", side, v[2]
		if (op == "thread_create_join" && side ~ /^(linux|lwk)$/) print "M thread_create_join_ns", side, v[2]
		if (op == "ppoll_200us" && side ~ /^(linux|lwk)$/) print "M ppoll_200us_ns", side, v[2]
	}
	$1 == "R" && $2 == "launch" && $4 ~ /^[0-9]+$/ {
		ms = $4 / 1e6
		if ($3 == "linux") { print "M launch_true_ms linux", ms; print "M launch_true_1g_ms linux", ms }
		if ($3 == "lwk64") print "M launch_true_ms lwk", ms
		if ($3 == "lwk1g") print "M launch_true_1g_ms lwk", ms
	}
	$1 == "R" && ($2 == "boot" || $2 == "shutdown") && $4 ~ /^[0-9]+$/ { print "M", $2 "_ms", $3, $4 / 1e6 }
	' "$work/r"
	# gups and stream: "result NAME VALUE UNIT" lines, one per run.
	for side in linux linux-thp lwk; do
		[ -f "$work/out/gups.$side" ] &&
			awk -v s="$side" '$1 == "result" && $2 == "gups" { print "M gups", s, $3 }' "$work/out/gups.$side"
	done
	for side in linux lwk; do
		[ -f "$work/out/stream.$side" ] &&
			awk -v s="$side" '$1 == "result" && $2 == "stream_triad" { print "M stream_triad", s, $3 }' \
				"$work/out/stream.$side"
	done
	# The noise run's figures, and its plots.
	/usr/bin/python3 "$top/tests/bench/noise.py" --dir "$work/out/noise" --plots "$dest"
} >"$m"
say "measurements: $m"
echo
/usr/bin/python3 "$top/tests/bench/report.py" --json "$dest/results.json" "$m" ||
	say "NOT REPORTED: tests/bench/report.py failed on $m"
echo
say "guest run took ${secs} s"
exit 0
