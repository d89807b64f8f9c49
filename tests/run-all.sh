#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The whole test suite, one verdict at the end ("N passed, N failed").
#   tests/run-all.sh           host unit tests + QEMU suite + partition mode
#                              (tests/partition/run.sh) + reproducibility
#   tests/run-all.sh ktest     the QEMU suite only
# Each QEMU case boots the kernel with a hard timeout (tests/qemu/run).
set -u
cd "$(dirname "$0")/.."
mode=${1:-all}
passed=0
failed=0

record() {
	if [ "$1" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

host_tests() {
	local out line
	out=$(build/host/unit 2>&1)
	echo "$out" | grep -E '^(FAIL|ok  )|passed' | sed 's/^/host: /'
	echo "$out" | grep -E '^  ' | sed 's/^/host: /'
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL host unit tests crashed:"; echo "$out" | tail -20
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

q() {
	tests/qemu/run "$@"
	record $?
}

ktests() {
	q --name ktest-smp4 -- lwk.ktest=all
	q --name ktest-smp1 --smp 1 -- lwk.ktest=all
	q --name ktest-smp8 --smp 8 -- lwk.ktest=all
	q --name ktest-smp4-grub --iso -- lwk.ktest=all
	q --name ktest-smp4-poll -- lwk.ktest=all idle=poll
	q --name ktest-mem64M --mem 64M -- lwk.ktest=all
	q --name ktest-mem2G --mem 2G -- lwk.ktest=all
	q --name ktest-mem6G --mem 6G --grep "x 1G" -- lwk.ktest=all
	# The channel of a VM partition: its layout, and the service core's
	# control path with a ktest playing the proxy. On 4 cores every ktest
	# must run: none may skip.
	q --name ktest-channel --mem 1G --grep "channel: 4096 KiB at 0x1000000" --grep "(0 skipped)" \
		-- lwk.channel=0x1000000,0x400000 lwk.ktest=all
	q --name ktest-channel-smp1 --smp 1 -- lwk.channel=0x1000000,0x400000 lwk.ktest=all
	# Partition mode's hand-over without Linux: the image copied to another
	# base and entered at partition_entry on lwkctl-style page tables
	# (boot/pc/relocate_test.c); with a channel every ktest must run.
	q --name ktest-relocated --mem 1G --grep "kernel image at physical 0x4000000-" \
		--grep "(0 skipped)" -- lwk.channel=0x1000000,0x400000 lwk.test-relocate=0x4000000 \
		lwk.ktest=all
	q --name ktest-relocated-grub --iso --grep "kernel image at physical 0x10000000-" \
		-- lwk.test-relocate=0x10000000 lwk.ktest=all
	# The production kernel has none, and says where they are.
	q --name ktest-production --production --expect fail \
		--grep "lwk.ktest=all: this kernel has no ktests; boot the ktest image" -- lwk.ktest=all
	q --name ktest-production-fault --production --expect fail \
		--grep "lwk.test-panic-signal=12: this kernel has no ktests; boot the ktest image" \
		-- lwk.test-panic-signal=12
}

# Failures on purpose: each must end in the right verdict with a message
# that names the problem, never in a hang or a pass.
bad_input() {
	local dtbs=build/test-bootdesc
	mkdir -p "$dtbs"
	# The sources say LWK_ABI_VERSION where the current version goes.
	local abi
	abi=$(sed -n 's/^#define LWK_ABI_VERSION \([0-9]*\)$/\1/p' kernel/include/uapi/lwk/abi.h)
	for f in tests/qemu/bootdesc/*.dts; do
		sed "s/LWK_ABI_VERSION/$abi/" "$f" |
			dtc -q -I dts -O dtb -o "$dtbs/$(basename "$f" .dts).dtb" - || record 1
	done
	head -c 3000 /dev/zero | tr '\0' 'x' >"$dtbs/garbage.dtb"
	head -c 100 "$dtbs/wrong-abi.dtb" >"$dtbs/truncated.dtb"

	q --name null-deref --expect panic --grep "page fault at CR2=0x0000000000000000" \
		--grep "NULL pointer dereference" --grep "backtrace:" -- lwk.ktest=fault.null_deref
	q --name missing-core --smp 2 --expect fail \
		--grep "AP 2 (APIC 0x9) did not start" -- lwk.cpus=0,1,0x9 lwk.ktest=all
	q --name unknown-ktest --expect fail --grep "no test matches 'nosuch'" -- lwk.ktest=nosuch
	q --name channel-over-kernel --expect fail \
		--grep "lwk.channel: [0x200000, 0x600000) overlaps the kernel image" \
		-- lwk.channel=0x200000,0x400000 lwk.ktest=all
	q --name relocate-not-aligned --expect fail --grep "BASE must be 2 MiB aligned" \
		-- lwk.test-relocate=0x4100000 lwk.ktest=all
	q --name fault-signal-not-a-number --expect fail \
		--grep "lwk.test-hang-signal=x: want a signal number from 1 to 64" \
		-- lwk.test-hang-signal=x lwk.ktest=all
	q --name channel-not-aligned --expect fail --grep "must be multiples of 4 KiB" \
		-- lwk.channel=0x1000800,0x400000 lwk.ktest=all
	q --name bootdesc-garbage --iso --module "$dtbs/garbage.dtb" --expect fail \
		--grep "lwk: " --grep "boot failed" --
	q --name bootdesc-truncated --iso --module "$dtbs/truncated.dtb" --expect fail \
		--grep "lwk: " --
	q --name bootdesc-no-memory --iso --module "$dtbs/no-memory.dtb" --expect fail \
		--grep "lwk,memory" --grep "boot failed" --
	q --name bootdesc-wrong-abi --iso --module "$dtbs/wrong-abi.dtb" --expect fail \
		--grep "999" --grep "boot failed" --
	q --name bootdesc-cpu-order --iso --module "$dtbs/cpus-out-of-order.dtb" --expect fail \
		--grep "cpu@2" --grep "boot failed" --
}

# lwkctl bare with bad programs: the shell's statuses and a clear message.
bare_status() {
	local want=$1 text=$2 out status
	shift 2
	out=$(timeout 300 build/bin/lwkctl bare "$@" 2>&1)
	status=$?
	# A program that cannot run gets one line that says why.
	if [ "$status" = "$want" ] && echo "$out" | grep -qF -- "$text" &&
		{ [ "$want" != 126 ] || [ "$(echo "$out" | wc -l)" = 1 ]; }; then
		echo "PASS bare: lwkctl bare $* -> $status"
		record 0
	else
		echo "FAIL bare: lwkctl bare $* -> $status (want $want and '$text'):"
		echo "$out" | sed 's/^/    /'
		record 1
	fi
}

bare_bad_input() {
	local u=build/user/crash b=build/user/bad-elf
	bare_status 127 "No such file or directory" build/user/no-such-program
	bare_status 126 "Permission denied" README.md
	# ld.so itself runs on the LWK, and finds that libc.so.6 needs files.
	bare_status 127 "error while loading shared libraries: libc.so.6" /bin/true
	printf 'this is not a program\n' >build/user/not-elf && chmod +x build/user/not-elf
	bare_status 126 "ELF" build/user/not-elf
	: >build/user/empty && chmod +x build/user/empty
	bare_status 126 "the file is empty" build/user/empty
	# tests/tools/mkbadelf.c: a good program broken one way per file.
	bare_status 126 "ELF file truncated: 40 bytes" $b/truncated-header
	bare_status 126 "at offset 0x40) are outside the file" $b/truncated-phdrs
	bare_status 126 "is outside the file" $b/truncated-segment
	bare_status 126 "ELF is for machine 183 (aarch64), not x86_64" $b/machine-aarch64
	bare_status 126 "ELF class 1 is not ELFCLASS64" $b/class32
	bare_status 126 "PT_LOAD segments 0 and 1 overlap" $b/overlapping-loads
	bare_status 126 "no memory for its 1048578 MiB image" $b/huge-memsz
	bare_status 126 "runs beyond user space" $b/wrapping-memsz
	bare_status 126 "is larger than memsz" $b/filesz-over-memsz
	bare_status 126 "PT_LOAD (program header 1): file range 0x" $b/offset-past-eof
	bare_status 127 "its interpreter /lib64/no-such-ld.so: No such file" $b/interp-missing
	bare_status 126 "interpreter path is not NUL-terminated" $b/interp-unterminated
	bare_status 126 "interp-missing: it is itself dynamically linked" $b/interp-dynamic
	bare_status 126 "hello: it is not position-independent" $b/interp-not-pie
	bare_status 126 "its interpreter README.md: not an ELF" $b/interp-not-elf
	bare_status 126 "no program headers (e_phnum is 0)" $b/no-phdrs
	bare_status 126 "program header size is 32 bytes, expected 56" $b/bad-phentsize
	bare_status 139 "killed by signal 11" $u/segv
	bare_status 132 "killed by signal 4" $u/ud
	bare_status 42 "" $u/exit42
	# exit() while other threads spin, wait and sleep on other cores
	bare_status 7 "" --cpus 2 $u/exit_threads
	bare_status 7 "" --cpus 4 $u/exit_threads
	# More threads than cores: a fatal signal to a thread stuck behind a
	# spinner, or a crash, still ends them all.
	bare_status 143 "killed by signal 15" --cpus 1 $u/spin_threads 2 tgkill
	bare_status 143 "killed by signal 15" --cpus 3 $u/spin_threads 8 kill
	bare_status 139 "killed by signal 11" --cpus 1 $u/spin_threads 3 segv
	bare_status 139 "killed by signal 11" --cpus 3 $u/spin_threads 8 segv
	bare_status 2 "--cpus wants 1 to 255 cores, not '0'" --cpus 0 $u/exit42
	bare_status 2 "--cpus wants 1 to 255 cores, not '2x'" --cpus 2x $u/exit42
	bare_status 2 "--mem 'lots' is not a size" --mem lots $u/exit42
	bare_status 2 "--mem 1K (1 KiB) is too little" --mem 1K $u/exit42
	bare_status 2 "--timeout wants seconds (1 to 86400), not '5s'" --timeout 5s $u/exit42
	bare_status 2 "unknown option '--bogus'" --bogus $u/exit42
	# Options as every lwkctl command and lwkexec take them (proxy/lib/
	# options.c): "--opt=VALUE" as "--opt VALUE", "--" ends them.
	bare_status 2 "--cpus wants 1 to 255 cores, not '0'" --cpus=0 $u/exit42
	bare_status 2 "--keep takes no value" --keep=yes $u/exit42
	bare_status 2 "--mem needs a value" --mem
	bare_status 2 "name a program to run" --keep --
	bare_status 7 "" --cpus=2 --timeout=120 -- $u/exit_threads
	bare_status 0 "fuzz: 100000 calls" --cpus 4 build/user/lwk-only/fuzz
}

reproducible() {
	local tmp a b
	tmp=$(mktemp -d)
	for d in a b; do
		mkdir -p "$tmp/$d"
		git ls-files -z | xargs -0 tar -cf - | tar -C "$tmp/$d" -xf -
		make -s -C "$tmp/$d" build/lwk.elf build/lwk.iso >"$tmp/$d.log" 2>&1 ||
			{ echo "FAIL reproducible: build in $tmp/$d failed"; cat "$tmp/$d.log"; record 1; return; }
	done
	a=$(cd "$tmp/a" && sha256sum build/lwk.elf build/lwk.iso)
	b=$(cd "$tmp/b" && sha256sum build/lwk.elf build/lwk.iso)
	if [ "$a" = "$b" ]; then
		echo "PASS reproducible: two clean builds in different directories are bit-identical"
		echo "$a" | sed 's/^/    /'
		record 0
		rm -rf "$tmp"
	else
		echo "FAIL reproducible: builds differ (kept in $tmp)"
		echo "$a"; echo "$b"
		record 1
	fi
}

format_check() {
	if make -s format-check; then record 0; else
		echo "FAIL format-check: run 'make format' and commit the result"
		record 1
	fi
}

# A script that prints PASS/FAIL lines and ends with "N passed, N failed".
suite() {
	local out line
	out=$("$@" 2>&1)
	echo "$out" | grep -v 'passed, .* failed$'
	line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
	if [ -z "$line" ]; then
		echo "FAIL $*: no verdict line"
		record 1
		return
	fi
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

# The user test programs: natively on Linux (proves them and libc-min
# correct), then on the LWK with lwkctl bare.
user_programs() {
	suite tests/user/run.sh "$1"
}

# A VM partition (the LWK in QEMU, its memory shared with this host) and
# programs on it under lwkexec, their system calls served by the proxy
# here. 5 cores: the service core and 4 for programs. The name is this
# run's own, so that two runs on one machine (two checkouts, a developer
# and CI) leave each other's partition alone.
vm_partition() {
	export LWK_PARTITION=test-$$
	build/bin/lwkctl shutdown --force >/dev/null 2>&1
	if timeout 180 build/bin/lwkctl boot --vm --cpus 5 --mem 2G; then
		echo "PASS vm: lwkctl boot --vm --cpus 5 --mem 2G"
		record 0
		suite tests/user/run.sh lwkexec
		suite tests/lwkexec/run.sh
		suite tests/vm/kill.sh
		suite tests/vm/threads.sh
		suite tests/tools/lwknoise.sh lwkexec
		suite tests/vm/fuzz.sh
		suite tests/vm/stress.sh
		suite tests/vm/trace.sh
		if timeout 60 build/bin/lwkctl shutdown; then
			echo "PASS vm: lwkctl shutdown"
			record 0
		else
			echo "FAIL vm: lwkctl shutdown"
			record 1
		fi
	else
		echo "FAIL vm: lwkctl boot --vm --cpus 5 --mem 2G"
		record 1
		build/bin/lwkctl shutdown --force >/dev/null 2>&1
	fi
	unset LWK_PARTITION
	suite tests/vm/partition.sh
	suite tests/vm/users.sh
	suite tests/qemu/partition-entry.sh
	suite tests/vm/lwk-fault.sh
}

if [ "$mode" = all ]; then
	host_tests
	user_programs native
	format_check
	suite tests/tools/lwknoise.sh
fi
ktests
bad_input
user_programs bare
bare_bad_input
vm_partition
if [ "$mode" = all ]; then
	# lwk.ko beside Debian's kernel, in a QEMU guest of its own.
	suite tests/partition/run.sh
	reproducible
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
