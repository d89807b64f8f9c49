#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run every built user test program natively on this Linux host, in both
# builds (libc-min and glibc): this shows that the programs and libc-min
# are correct Linux programs before the LWK runs them. A program passes
# when it exits 0, prints "PASS <name>" and prints no "FAIL" line.
# Usage: tests/user/run-native.sh [build-dir]    (default: build)
cd "$(dirname "$0")/../.." || exit 2
dir=${1:-build}/user
passed=0
failed=0

# The arguments and environment a program expects; args.c checks them.
run_one() {
	case $(basename "$1") in
	args) LWK_TEST_ENV="args ok" timeout 60 "$1" alpha "beta gamma" "" ;;
	*) timeout 60 "$1" ;;
	esac
}

for prog in "$dir"/libc-min/* "$dir"/glibc/*; do
	if [ ! -f "$prog" ] || [ ! -x "$prog" ]; then
		continue # a .d file, or no program built yet
	fi
	name=$(basename "$prog")
	label=${prog#"$dir"/}
	out=$(run_one "$prog" 2>&1)
	status=$?
	if [ $status -eq 0 ] && printf '%s\n' "$out" | grep -qx "PASS $name" &&
		! printf '%s\n' "$out" | grep -q '^FAIL'; then
		passed=$((passed + 1))
		echo "PASS $label"
	else
		failed=$((failed + 1))
		echo "FAIL $label (exit status $status)"
		printf '%s\n' "$out" | sed 's/^/    /'
	fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
