#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot-time benchmark: wall time from QEMU start to the ktest verdict,
# median of several runs, for both entry paths. Measures, never fails.
set -u
cd "$(dirname "$0")/.."
runs=${RUNS:-7}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

measure() {
	local label=$1; shift
	for i in $(seq "$runs"); do
		tests/qemu/run --quiet --name "bench-$label" "$@" |
			sed -n 's/.*, \([0-9.]*\)s)$/\1/p'
	done | median | xargs printf "%-34s median %ss over $runs runs\n" "$label"
}

echo "QEMU start -> ktest verdict, TCG:"
measure "-kernel (PVH), -smp 4" -- lwk.ktest=all
measure "-kernel (PVH), -smp 4, idle=poll" -- lwk.ktest=all idle=poll
measure "GRUB ISO (multiboot2), -smp 4" --iso -- lwk.ktest=all
measure "-kernel (PVH), -smp 1" --smp 1 -- lwk.ktest=all
