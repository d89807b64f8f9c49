#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# VM partitions under lwkctl: boot, status, dmesg, shutdown, and the ways
# they go wrong (nothing running, bad options, a name taken twice, two
# partitions and no name, a QEMU that died, a kernel that stops at boot);
# the partition's files are its owner's only (tests/vm/users.sh tries
# them as other users).
# Runs in a state directory of its own, so partitions elsewhere do not
# matter. Prints PASS/FAIL lines and "N passed, N failed".
#   BUILD=build-x tests/vm/partition.sh    (default build/)
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-partition
. tests/vm/lib.sh
state=$(mktemp -d /tmp/lwk-vm-test.XXXXXX)
export XDG_RUNTIME_DIR=$state
unset LWK_PARTITION
a=vmt$$a
b=vmt$$b
c=vmt$$c
none="no LWK partition is running; start one with 'lwkctl boot --vm'"
uid=$(id -u)
# The memory file of our partition $1 (the uid keeps users' names apart).
mem_of() { echo "/dev/shm/lwk-$uid-$1-mem"; }

# Whatever happens, no QEMU or memory file outlives the script.
cleanup() {
	local rec pid
	for rec in "$state"/lwk/*/partition; do
		[ -f "$rec" ] || continue
		pid=$(awk '$1 == "qemu-pid" { print $2 }' "$rec")
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	[ -n "${fake_pid:-}" ] && kill "$fake_pid" 2>/dev/null
	rm -f "$(mem_of "$a")" "$(mem_of "$b")" "$(mem_of "$c")"
	rm -rf "$state"
	vm_cleanup
}
trap cleanup EXIT

# expect NAME STATUS TEXT... -- lwkctl ARGS: the status is STATUS ("!0":
# any failure) and the output holds every TEXT (grep -F).
expect() {
	local name=$1 want=$2 out status t ok=1
	shift 2
	local texts=()
	while [ "$1" != -- ]; do texts+=("$1"); shift; done
	shift
	out=$(timeout 180 "$lwkctl" "$@" 2>&1)
	status=$?
	if [ "$want" = "!0" ]; then [ "$status" != 0 ] || ok=0; else [ "$status" = "$want" ] || ok=0; fi
	for t in "${texts[@]}"; do
		echo "$out" | grep -qF -- "$t" || { ok=0; out="$out
(missing: $t)"; }
	done
	if [ $ok = 1 ]; then pass "$name"; else fail "$name (lwkctl $* -> $status, want $want)" "$out"; fi
}

record_of() { echo "$state/lwk/$1/partition"; }
qemu_pid_of() { awk '$1 == "qemu-pid" { print $2 }' "$(record_of "$1")" 2>/dev/null; }

# A partition's files and QEMU are all gone.
expect_gone() {
	local name=$1 pid=$2 left=""
	[ -e "$(record_of "$name")" ] && left="$left record"
	[ -e "$(mem_of "$name")" ] && left="$left memory-file"
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ -n "$(tr -d '\0' <"/proc/$pid/cmdline" 2>/dev/null)" ]; then
		left="$left qemu($pid)"
	fi
	if [ -z "$left" ]; then pass "$3"; else fail "$3: left behind:$left"; fi
}

# A stand-in partition: a record, a 64 MiB memory file, and for QEMU a
# process whose command line names that file (as lwkctl checks). Its
# channel is all zeroes: the LWK has not set it up yet.
fake_partition() {
	local mem
	mem=$(mem_of "$1")
	truncate -s 64M "$mem"
	bash -c 'sleep 60; :' "$mem" &
	fake_pid=$!
	mkdir -p "$state/lwk/$1"
	printf '%s\n' "name $1" "kind vm" "qemu-pid $fake_pid" "mem-path $mem" \
		"mem-size 67108864" "low-ram 67108864" "channel-base 0x1000000" \
		"channel-size 0x400000" "cpus 2" "console $state/lwk/$1/console.log" \
		>"$(record_of "$1")"
}

if [ ! -x "$lwkctl" ] || [ ! -f "$build/lwk.elf" ] || [ ! -f "$build/lwk-ktest.elf" ]; then
	fail "needs $lwkctl, $build/lwk.elf and $build/lwk-ktest.elf; run make"
	verdict
	exit
fi

# Nothing running: every command says so, in the same words.
expect "status, none running" "!0" "$none" -- status
expect "dmesg, none running" "!0" "$none" -- dmesg
expect "shutdown, none running" "!0" "$none" -- shutdown
expect "status of a missing name" "!0" "no LWK partition named 'nosuch'" -- status --name nosuch

# Bad input: one line, status 2.
expect "boot --cpus 1 refused" 2 "--cpus wants 2 to" -- boot --vm --cpus 1
expect "boot without --vm or --cpus refused" 2 "say which Linux cores to take" "--vm for a QEMU partition" -- boot
[ -e /dev/lwk ] || expect "boot beside Linux without the module" 1 "no /dev/lwk: load the module first" -- boot --cpus 2-3 --mem 1G
expect "boot --mem lots refused" 2 "--mem 'lots' is not a size" -- boot --vm --mem lots
expect "boot --mem 1M refused" 2 "--mem 1M (1 MiB) is too little" "at least 64M" -- boot --vm --mem 1M
expect "boot --mem 17T refused" 2 "--mem 17T is too large: at most 16T" -- boot --vm --mem 17T
expect "boot --mem 1500000K refused" 2 "not a whole number of MiB" "try 1464M" \
	-- boot --vm --mem 1500000K
expect "boot --name a/b refused" 2 "--name wants" -- boot --vm --name a/b
expect "boot unknown option" 2 "unknown option '--frob'" -- boot --vm --frob
expect "boot missing value" 2 "--cpus needs a value" -- boot --vm --cpus
expect "status unknown option" 2 "unknown option '-x'" -- status -x
expect "unknown command" 2 "unknown command 'frob'" -- frob
expect "boot --help" 0 "--kernel-args" "--timeout" -- boot --help
expect "boot with no kernel image" 1 "cannot read the kernel image" -- \
	boot --vm --name "$a" --kernel /nonexistent/lwk.elf

# A kernel that stops during boot: QEMU ends, lwkctl says so and clears up.
expect "boot of a failing kernel fails" 1 "QEMU exited" "the first ID must be the boot core" -- \
	boot --vm --cpus 2 --mem 128M --name "$a" --kernel-args lwk.cpus=1,0
expect_gone "$a" "" "a failed boot leaves no record or memory file"
# The crash is a ktest: only the ktest image has it.
expect "boot of a panicking kernel fails" 1 "the LWK panicked" "page fault" -- \
	boot --vm --cpus 2 --mem 128M --name "$a" --kernel "$build/lwk-ktest.elf" \
	--kernel-args lwk.ktest=fault.null_deref
expect_gone "$a" "" "a panicked boot leaves no record or memory file"

# A partition still booting, then one whose kernel speaks another ABI.
fake_partition "$c"
expect "status of a booting partition" 1 "$c: booting" "has not set up its channel" -- status
expect "dmesg of a booting partition" 1 "has not set up its log yet" -- dmesg
printf '\x48\x4b\x57\x4c\xe7\x03\x00\x00' |
	dd of="$(mem_of "$c")" bs=1 seek=$((16 << 20)) conv=notrunc status=none
expect "an ABI mismatch is named" 1 \
	"lwk kernel speaks ABI version 999, this lwkctl/lwkexec speaks" "use matching builds" -- status
expect "shutdown of a partition that cannot answer" 0 "stopping QEMU instead" "$c: down" -- \
	shutdown
expect_gone "$c" "$fake_pid" "its record, memory file and stand-in QEMU are gone"

# modes NAME WANT PATH...: "MODE OWNER-UID" of each PATH is WANT.
modes() {
	local name=$1 want=$2 path got bad=""
	shift 2
	for path in "$@"; do
		got=$(stat -c '%a %u' "$path" 2>&1)
		[ "$got" = "$want" ] || bad="$bad
$path: $got"
	done
	if [ -z "$bad" ]; then pass "$name"; else fail "$name (want $want)" "${bad#?}"; fi
}

# The real thing, over a memory file left by a dead partition of ours
# (QEMU once made it 0644: every user could read every program's memory).
printf 'stale' >"$(mem_of "$a")" && chmod 644 "$(mem_of "$a")"
expect "boot" 0 "$a: up, 4 cores (1 service + 3 compute), 1024 MiB" -- \
	boot --vm --cpus 4 --mem 1G --name "$a"
pid_a=$(qemu_pid_of "$a")
modes "the memory file is made anew, 0600 and ours" "600 $uid" "$(mem_of "$a")"
size=$(stat -c %s "$(mem_of "$a")")
if [ "$size" = $((1 << 30)) ]; then pass "the memory file is 1 GiB"; else
	fail "the memory file is $size bytes, not 1 GiB"; fi
modes "the state and partition directories are 0700" "700 $uid" "$state/lwk" "$state/lwk/$a"
modes "the record and the console log are 0600" "600 $uid" "$(record_of "$a")" \
	"$state/lwk/$a/console.log"
chmod 777 "$state/lwk"
expect "a state directory others may write is refused" 1 \
	"the LWK state directory $state/lwk is writable by other users" "chmod 700" -- status
chmod 755 "$state/lwk"
expect "one others may only read is used, and boot makes it private" 1 \
	"'$a' is already up" -- boot --vm --name "$a"
modes "the state directory is private again" "700 $uid" "$state/lwk"
expect "status" 0 "$a: ready" "service" "memory: " "processes: none" "log" -- status
expect "status names cores 1..3 free" 0 "core 3" "free" -- status --name "$a"
expect "dmesg" 0 "lwk: " -- dmesg
expect "second boot of the same name refused" 1 "'$a' is already up" -- \
	boot --vm --name "$a"

# A second partition: without a name, lwkctl will not guess.
expect "boot a second partition" 0 "$b: up, 2 cores (1 service + 1 compute), 128 MiB" -- \
	boot --vm --cpus 2 --mem 128M --name "$b"
pid_b=$(qemu_pid_of "$b")
expect "status with two and no name" "!0" "2 LWK partitions are running" "LWK_PARTITION" -- status
LWK_PARTITION=$b expect "LWK_PARTITION picks one" 0 "$b: ready" -- status

# A QEMU killed behind lwkctl's back is reported once and cleared away.
if [ -n "$pid_b" ]; then
	kill -9 "$pid_b"
	for _ in $(seq 50); do
		[ -z "$(tr -d '\0' <"/proc/$pid_b/cmdline" 2>/dev/null)" ] && break
		sleep 0.1
	done
fi
expect "dmesg of a dead partition: the log it left" 1 "lwk: booting on 2 cores" \
	"is gone; this is the log it left" -- dmesg --name "$b"
expect "killed QEMU reported" 1 "$b: QEMU (pid $pid_b) is gone; removed its record" -- \
	status --name "$b"
expect_gone "$b" "$pid_b" "killed QEMU's record and memory file removed"
expect "the other partition is the only one again" 0 "$a: ready" -- status

# A process on it: status shows it, shutdown kills it and says so.
lwkexec=$build/bin/lwkexec loop=$build/user/crash/loop
if [ -x "$lwkexec" ] && [ -x "$loop" ]; then
	# (a subshell: the shell would announce the SIGKILL that ends lwkexec)
	(LWK_PARTITION=$a timeout 120 "$lwkexec" --cores 2 "$loop" >/dev/null 2>&1; true) 2>/dev/null &
	for _ in $(seq 100); do
		timeout 30 "$lwkctl" status 2>&1 | grep -q " running " && break
		sleep 0.1
	done
	expect "status shows a running process" 0 "loop" "running  1-2" "LWK pid" -- status
	expect "shutdown names the process it killed" 0 "$a: killed 1 process: LWK pid" \
		"(loop, lwkexec pid" "$a: down" -- shutdown
	wait
else
	echo "SKIP vm-partition: a process under lwkexec (build $lwkexec and $loop)"
	expect "shutdown" 0 "$a: down" -- shutdown
fi
expect_gone "$a" "$pid_a" "shutdown leaves no QEMU, record or memory file"
expect "status after shutdown" "!0" "$none" -- status

verdict
