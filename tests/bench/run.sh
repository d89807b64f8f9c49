#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Kernel-path micro-benchmarks (tests/bench/syscalls.c), median of several
# runs, on this Linux host and on the LWK under lwkctl bare. Measures,
# never fails. Under TCG the LWK's figures include QEMU's emulation: they
# compare LWK builds with each other, not with the host. A fair LWK/Linux
# ratio needs Linux in the same kind of guest (partition mode).
set -u
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
prog=build/bench/syscalls

collect() { # label, command...
	local label=$1 name
	shift
	for i in $(seq "$runs"); do "$@" 2>/dev/null; done |
		sed -n 's/^bench \([a-z_]*\) median=\([0-9]*\).*/\1 \2/p' >"$tmp"
	for name in $(cut -d' ' -f1 "$tmp" | sort -u); do
		grep "^$name " "$tmp" | cut -d' ' -f2 | sort -n |
			awk -v l="$label" -v k="$name" '{ a[NR] = $1 } END {
				printf "%-6s %-20s %10d cycles (median of %d runs)\n", l, k, a[int((NR + 1) / 2)], NR }'
	done
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "TSC cycles per operation (median of each run's median):"
collect linux taskset -c 0,1 "$prog"
collect lwk build/bin/lwkctl bare --cpus 2 "$prog"
