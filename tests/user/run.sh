#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run the built user test programs, in both builds (libc-min and glibc),
#   tests/user/run.sh native   on this Linux host: proves the programs and
#                              libc-min correct before the LWK runs them
#   tests/user/run.sh bare     on the LWK with 'lwkctl bare --cpus 4'
#   tests/user/run.sh lwkexec  on the LWK under lwkexec, in the running VM
#                              partition, on up to 4 of its compute cores
# A program passes when it exits 0, prints "PASS <name>" and no "FAIL" line.
# The glibc programs are also built dynamically (glibc-dyn/): ld.so needs
# the proxy to open libc.so.6, so bare runs skip them.
# Bare runs skip the programs that need a proxy (forwarded file syscalls),
# and also check the kernel's counters: after start-up a process takes no
# exception (no page fault: its memory is mapped when it is created) except
# the ones a test provokes on purpose.
cd "$(dirname "$0")/../.." || exit 2
mode=${1:-native}
dir=${BUILD:-build}/user
needs_proxy="basics pwait_mask"
passed=0
failed=0
stats=$(mktemp)
trap 'rm -f "$stats" "$stats.list"' EXIT

# Exceptions a program provokes on purpose (the signals test: two SEGV_MAPERR
# and one SEGV_ACCERR page fault), as counted by the kernel.
expected_exceptions() {
	case $1 in
	signals) echo "3 exceptions (3 page faults)" ;;
	*) echo "0 exceptions (0 page faults)" ;;
	esac
}

# Bare mode: the counters' total line must show exactly the expected
# exceptions; prints why not.
check_counters() {
	local want total
	[ "$mode" = bare ] || return 0
	want=$(expected_exceptions "$1")
	total=$(grep '^total: ' "$stats")
	case $total in
	*" syscalls, $want, "*) return 0 ;;
	esac
	echo "counters: want $want after start-up, got '${total:-no counters}'"
	return 1
}

# lwkexec runs programs on as many of the partition's compute cores as
# there are, 4 at most: a partition beside Linux may have only one.
cores=4
if [ "$mode" = lwkexec ]; then
	cores=$("${BUILD:-build}"/bin/lwkctl status 2>/dev/null |
		grep -c '^  core [0-9]* .* \(free\|LWK pid\|loading\)')
	[ "$cores" -gt 4 ] && cores=4
	[ "$cores" -lt 1 ] && cores=1 # (and lwkexec says what is wrong)
	mem_total=$("${BUILD:-build}"/bin/lwkctl status 2>/dev/null |
		sed -n 's/^memory: \([0-9]*\) MiB for processes.*/\1/p')
fi
# Every thread of a 4-thread test must have a core of its own where there
# are 4; mem_1g needs its 1 GiB (plus the heap around it).
launch() {
	local mem=256M distinct=0
	[ "$(basename "$1")" = mem_1g ] && mem=1300M
	[ "$cores" = 4 ] && distinct=1
	if [ "$mode" = bare ]; then
		LWK_EXPECT_DISTINCT_CPUS=1 timeout 300 "${BUILD:-build}"/bin/lwkctl bare --cpus 4 --mem $mem \
			--stats "$stats" "$@"
	elif [ "$mode" = lwkexec ]; then
		LWK_EXPECT_DISTINCT_CPUS=$distinct timeout 300 "${BUILD:-build}"/bin/lwkexec --cores "$cores" \
			--mem $mem "$@"
	else
		timeout 60 "$@"
	fi
}

# The arguments and environment a program expects; args.c checks them.
run_one() {
	case $(basename "$1") in
	args) LWK_TEST_ENV="args ok" launch "$1" alpha "beta gamma" "" ;;
	*) launch "$1" ;;
	esac
}

builds="libc-min glibc glibc-dyn"
[ "$mode" = bare ] && builds="libc-min glibc"
for build in $builds; do
	for prog in "$dir/$build"/*; do
		echo "$prog"
	done
done >"$stats.list"
while read -r prog; do
	if [ ! -f "$prog" ] || [ ! -x "$prog" ]; then
		continue # a .d file, or no program built yet
	fi
	name=$(basename "$prog")
	label=$mode:${prog#"$dir"/}
	if [ "$mode" = bare ] && echo " $needs_proxy " | grep -q " $name "; then
		continue
	fi
	# A partition too small for mem_1g (1 GiB beside Linux) says so.
	if [ "$name" = mem_1g ] && [ "${mem_total:-1300}" -lt 1300 ]; then
		echo "SKIP $label (needs 1300 MiB; the partition has $mem_total MiB for processes)"
		continue
	fi
	: >"$stats"
	out=$(run_one "$prog" 2>&1)
	status=$?
	counters=$(check_counters "$name")
	out=$(printf '%s\n%s' "$out" "${counters:+FAIL $counters}")
	if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -qx "PASS $name" &&
		! printf '%s\n' "$out" | grep -q '^FAIL'; then
		passed=$((passed + 1))
		echo "PASS $label"
	else
		failed=$((failed + 1))
		echo "FAIL $label (exit status $status)"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done <"$stats.list"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
