#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel-path micro-benchmarks (tests/bench/syscalls.c), median of several
# runs, on this Linux host, on the LWK under lwkctl bare, and under lwkexec
# in a VM partition (the only place forwarded calls are served). Measures,
# never fails. Under TCG the LWK's figures include QEMU's emulation: they
# compare LWK builds with each other, not with the host. The fair LWK/Linux
# ratios, with Linux in the same guest, come last from tests/bench/partition.sh
# (partition mode: lwk.ko beside Debian's kernel in one QEMU guest).
set -u
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
prog=${BUILD:-build}/bench/syscalls

collect() { # label, command...
	local label=$1 name
	shift
	for i in $(seq "$runs"); do "$@" 2>/dev/null; done |
		sed -n 's/^bench \([a-z_]*\) median=\([0-9]*\) p99=\([0-9]*\) median_ns=\([0-9]*\) p99_ns=\([0-9]*\)$/\1 \2 \3 \4 \5/p' >"$tmp"
	for name in $(cut -d' ' -f1 "$tmp" | sort -u); do
		printf '%-7s %-20s' "$label" "$name"
		for col in 2 3 4 5; do
			grep "^$name " "$tmp" | cut -d' ' -f$col | sort -n |
				awk '{ a[NR] = $1 } END { printf " %12d", a[int((NR + 1) / 2)] }'
		done
		echo "   ($(grep -c "^$name " "$tmp") runs)"
	done
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "Per operation, the median over runs of each run's median and 99th percentile:"
printf '%-7s %-20s %12s %12s %12s %12s\n' where operation "median cyc" "p99 cyc" "median ns" "p99 ns"
collect linux taskset -c 0,1 "$prog"
collect bare "${BUILD:-build}"/bin/lwkctl bare --cpus 2 "$prog"
# Forwarded calls need a proxy: a VM partition of its own, and lwkexec.
bin=${BUILD:-build}/bin
if "$bin/lwkctl" boot --vm --name bench --cpus 3 --mem 1G >/dev/null; then
	LWK_PARTITION=bench collect lwkexec "$bin/lwkexec" --cores 2 "$prog"
	"$bin/lwkctl" shutdown --name bench >/dev/null
fi
# Partition mode: one guest running Debian's kernel, Linux and the LWK side by side.
echo
tests/bench/partition.sh
