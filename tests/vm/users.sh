#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# VM partitions are their user's own. Two unprivileged users (made here
# if missing) each boot a partition of the same name, without root, and
# run programs on it; neither can read the other's memory file, run a
# program on the other's partition or shut it down (each refused with one
# line that says whose it is); a root partition's memory is closed to
# them too. Needs root (useradd, runuser). The binaries are copied to a
# directory every user can reach (the checkout may not be). Prints
# PASS/FAIL lines and "N passed, N failed".
#   BUILD=build-x tests/vm/users.sh    (default build/)
set -u
cd "$(dirname "$0")/../.." || exit 2
suite=vm-users
. tests/vm/lib.sh
ua=lwk-test-a
ub=lwk-test-b
name=usr-$$
rootname=usr-$$-root
secret=SECRET-$$-$RANDOM-lwk

if [ "$(id -u)" != 0 ]; then
	fail "needs root: it makes the users $ua and $ub (useradd) and runs lwkctl and lwkexec as them (runuser)"
	verdict
	exit
fi
for f in "$lwkctl" "$lwkexec" "$build/lwk.elf"; do
	[ -f "$f" ] || { fail "needs $f; run make"; verdict; exit; }
done
for u in "$ua" "$ub"; do
	id -u "$u" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$u" ||
		{ fail "useradd $u"; verdict; exit; }
done
uida=$(id -u "$ua")
uidb=$(id -u "$ub")
# Where the memory files must be: the uid keeps users' names apart.
mema=/dev/shm/lwk-$uida-$name-mem
memb=/dev/shm/lwk-$uidb-$name-mem
memroot=/dev/shm/lwk-0-$rootname-mem

# Everything the users run, where they can reach it ($work and the
# checkout may be closed to them): lwkctl finds the kernel at ../lwk.elf
# next to itself.
share=$(mktemp -d /tmp/lwk-users.XXXXXX)
chmod 755 "$share"
mkdir -m 755 "$share/bin"
install -m 755 "$lwkctl" "$lwkexec" "$share/bin/"
install -m 644 "$build/lwk.elf" "$share/lwk.elf"
lwkctl=$share/bin/lwkctl
lwkexec=$share/bin/lwkexec

# run USER [VAR=VALUE...] CMD...: CMD as USER in a bare environment (no
# XDG_RUNTIME_DIR: a user's records go to /tmp/lwk-UID), with a time
# limit; sets $out (stdout and stderr) and $status.
run() {
	local u=$1 envs=()
	shift
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do envs+=("$1"); shift; done
	out=$(runuser -u "$u" -- env -i PATH=/usr/bin:/bin HOME=/tmp LC_ALL=C "${envs[@]}" \
		timeout 300 "$@" 2>&1)
	status=$?
}

# The root partition lives in a state directory of this script's own.
run_root() { run root XDG_RUNTIME_DIR="$share/rootxdg" "$@"; }

# Shut down every partition USER has (a run that died may have left some)
# and remove its state directory.
clear_user() {
	local u=$1 rec n
	for rec in /tmp/lwk-"$(id -u "$u")"/*/partition; do
		[ -f "$rec" ] || continue
		n=$(awk '$1 == "name" { print $2 }' "$rec")
		run "$u" "$lwkctl" shutdown --force --name "$n"
	done
	rm -rf /tmp/lwk-"$(id -u "$u")"
}

cleanup() {
	local memr
	memr=$(record_mem "$share/rootxdg/lwk" "$rootname")
	clear_user "$ua"
	clear_user "$ub"
	run_root "$lwkctl" shutdown --force --name "$rootname"
	rm -f "$mema" "$memb" "$memroot" ${memr:+"$memr"}
	rm -rf "$share"
	vm_cleanup
}
trap cleanup EXIT
mkdir -m 700 "$share/rootxdg"
clear_user "$ua"
clear_user "$ub"

# refused TEST TEXT USER [VAR=VALUE...] CMD...: CMD fails with one line
# that holds TEXT.
refused() {
	local test=$1 text=$2
	shift 2
	run "$@"
	if [ "$status" != 0 ] && [ "$(echo "$out" | wc -l)" = 1 ] &&
		echo "$out" | grep -qF -- "$text"; then
		pass "$test"
	else
		fail "$test (status $status, want a failure and one line with '$text')" "$out"
	fi
}

# record_mem STATE-DIR NAME: the memory file partition NAME's record names.
record_mem() { awk '$1 == "mem-path" { print $2 }' "$1/$2/partition" 2>/dev/null; }

# mem_is TEST STATE-DIR NAME WANT: the record names the memory file WANT.
mem_is() {
	local got
	got=$(record_mem "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$1"; else fail "$1: the record says '$got', want $4"; fi
}

# unreadable TEST USER PATH: USER cannot read the file at PATH (which is there).
unreadable() {
	if [ ! -f "$3" ]; then
		fail "$1: there is no $3 to try"
		return
	fi
	# shellcheck disable=SC2016 # (the $1 is sh's)
	run "$2" sh -c 'cat "$1" >/dev/null' sh "$3"
	if [ "$status" != 0 ]; then pass "$1"; else fail "$1: $2 read $3"; fi
}

# mode_is TEST PATH WANT: "MODE OWNER" of PATH.
mode_is() {
	local got
	got=$(stat -c '%a %U' "$2" 2>&1)
	if [ "$got" = "$3" ]; then pass "$1"; else fail "$1: $2 is '$got', want '$3'"; fi
}

# echo_on TEST USER PARTITION WORDS...: /bin/echo WORDS under lwkexec on
# PARTITION as USER prints WORDS.
echo_on() {
	local test=$1 u=$2 p=$3
	shift 3
	run "$u" "$lwkexec" --partition "$p" /bin/echo "$@"
	if [ "$status" = 0 ] && [ "$out" = "$*" ]; then pass "$test"; else
		fail "$test (status $status)" "$out"; fi
}

ready() { # USER NAME [VAR=VALUE...]: lwkctl status says ready
	local u=$1 n=$2
	shift 2
	run "$u" "$@" "$lwkctl" status --name "$n"
	[ "$status" = 0 ] && echo "$out" | grep -q "^$n: ready"
}

# (1) An ordinary user boots a partition and runs a program on it.
run "$ua" "$lwkctl" boot --vm --cpus 2 --mem 256M --name "$name" --timeout 180
if [ "$status" = 0 ] && echo "$out" | grep -q "^$name: up, 2 cores"; then
	pass "$ua boots partition $name without root"
else
	fail "$ua: lwkctl boot --vm --cpus 2 --mem 256M --name $name -> $status" "$out"
fi
qemu=$(awk '$1 == "qemu-pid" { print $2 }' "/tmp/lwk-$uida/$name/partition" 2>/dev/null)
owner=$(stat -c %U "/proc/${qemu:-0}" 2>/dev/null)
if [ "$owner" = "$ua" ]; then pass "its QEMU runs as $ua"; else
	fail "its QEMU (pid ${qemu:-none}) runs as '${owner:-nobody}', want $ua"; fi
echo_on "$ua runs /bin/echo on it under lwkexec" "$ua" "$name" hello "$secret"
mode_is "$ua's state directory is private" "/tmp/lwk-$uida" "700 $ua"
mode_is "$ua's record is $ua's only" "/tmp/lwk-$uida/$name/partition" "600 $ua"

# (2) Its memory is closed to others. (QEMU made the file 0644 before
# lwkctl made it itself: any user could read any program's memory.)
mem_is "its memory file's name holds $ua's uid" "/tmp/lwk-$uida" "$name" "$mema"
mode_is "the memory file is 0600, $ua's" "$mema" "600 $ua"
if grep -qa -- "$secret" "$mema" 2>/dev/null; then
	pass "the program's words are in the memory file (so a leak would show)"
else
	fail "the program's words are not in $mema: this test cannot see a leak"
fi
unreadable "$ub cannot read it" "$ub" "$mema"
run "$ub" grep -a -c -- "$secret" "$mema"
if [ -f "$mema" ] && [ "$status" != 0 ] && ! echo "$out" | grep -qx '[1-9][0-9]*'; then
	pass "grep -a by $ub finds nothing in it"
else
	fail "grep -a by $ub in $mema: status $status, want a refusal" "$out"
fi
run "$ub" cat "/tmp/lwk-$uida/$name/console.log"
if [ "$status" != 0 ]; then pass "$ub cannot read its console log"; else
	fail "$ub read $ua's console log"; fi

# (3) Nobody else runs programs on it: not by name, not through a state
# directory that leads to its owner's, not even root.
belongs="partition '$name' belongs to user $ua (uid $uida)"
refused "$ub: lwkexec --partition $name is refused" "lwkexec: $belongs" \
	"$ub" "$lwkexec" --partition "$name" /bin/echo hi
refused "$ub: LWK_PARTITION=$name lwkexec is refused" "lwkexec: $belongs" \
	"$ub" LWK_PARTITION="$name" "$lwkexec" /bin/echo hi
mkdir -m 700 "$share/bxdg" && chown "$ub" "$share/bxdg"
run "$ub" ln -s "/tmp/lwk-$uida" "$share/bxdg/lwk"
refused "$ub through a state directory that leads to $ua's is refused" \
	"the LWK state directory $share/bxdg/lwk belongs to user $ua" \
	"$ub" XDG_RUNTIME_DIR="$share/bxdg" "$lwkexec" --partition "$name" /bin/echo hi
refused "root: lwkexec on $ua's partition is refused (its LWK would drive root's proxy)" \
	"lwkexec: $belongs" root XDG_RUNTIME_DIR="$share/rootxdg" "$lwkexec" --partition "$name" \
	/bin/echo hi

# (4) ... nor shuts it down, nor looks at it.
refused "$ub: lwkctl shutdown --name $name is refused" "lwkctl: $belongs" \
	"$ub" "$lwkctl" shutdown --name "$name"
refused "$ub: lwkctl shutdown --force is refused" "lwkctl: $belongs" \
	"$ub" LWK_PARTITION="$name" "$lwkctl" shutdown --force
refused "$ub: lwkctl status --name $name is refused" "lwkctl: $belongs" \
	"$ub" "$lwkctl" status --name "$name"
if ready "$ua" "$name" && kill -0 "${qemu:-0}" 2>/dev/null; then
	pass "$ua's partition is still ready"
else
	fail "$ua's partition is not ready after $ub's attempts" "$out"
fi

# (5) B boots a partition of the same name, beside A's. First traps laid
# by A: a state directory in B's place (B has none yet), and a file where
# B's memory file goes (sticky /dev/shm: B could not remove it). Both
# refused.
run "$ua" mkdir -m 700 "/tmp/lwk-$uidb"
refused "a state directory of $ua's in $ub's place is refused" \
	"the LWK state directory /tmp/lwk-$uidb belongs to user $ua" \
	"$ub" "$lwkctl" boot --vm --cpus 2 --mem 256M --name "$name"
run "$ua" rmdir "/tmp/lwk-$uidb"
run "$ua" ln -s /tmp/nothing "$memb"
refused "a file of $ua's where $ub's memory file goes is refused" \
	"$memb, the memory file of partition '$name', is there already and belongs to user $ua" \
	"$ub" "$lwkctl" boot --vm --cpus 2 --mem 256M --name "$name"
run "$ua" rm -f "$memb"
run "$ub" "$lwkctl" boot --vm --cpus 2 --mem 256M --name "$name" --timeout 180
if [ "$status" = 0 ] && echo "$out" | grep -q "^$name: up"; then
	pass "$ub boots its own partition $name beside $ua's"
else
	fail "$ub: lwkctl boot --vm --name $name -> $status" "$out"
fi
mode_is "$ub's memory file is 0600, $ub's" "$memb" "600 $ub"
run "$ub" "$lwkexec" /bin/echo "from $ub"
if [ "$status" = 0 ] && [ "$out" = "from $ub" ]; then
	pass "$ub's lwkexec, no partition named, runs on $ub's own"
else
	fail "$ub: lwkexec /bin/echo -> $status" "$out"
fi
run "$ua" "$lwkexec" /bin/echo "from $ua"
if [ "$status" = 0 ] && [ "$out" = "from $ua" ]; then
	pass "$ua's lwkexec, no partition named, runs on $ua's own"
else
	fail "$ua: lwkexec /bin/echo -> $status" "$out"
fi
mem_is "$ub's memory file is another than $ua's" "/tmp/lwk-$uidb" "$name" "$memb"
unreadable "$ua cannot read $ub's memory file" "$ua" "$memb"

# (6) A root partition's memory is closed to users too.
run_root "$lwkctl" boot --vm --cpus 2 --mem 256M --name "$rootname" --timeout 180
if [ "$status" = 0 ]; then pass "root boots $rootname"; else
	fail "root: lwkctl boot --vm --name $rootname -> $status" "$out"; fi
unreadable "$ub cannot read the root partition's memory file" "$ub" \
	"$(record_mem "$share/rootxdg/lwk" "$rootname")"
mode_is "the root partition's memory file is 0600, root's" "$memroot" "600 root"
refused "$ub: lwkexec on root's partition is refused" \
	"lwkexec: partition '$rootname' belongs to user root (uid 0)" \
	"$ub" "$lwkexec" --partition "$rootname" /bin/echo hi
run_root "$lwkctl" shutdown --name "$rootname"
if [ "$status" = 0 ] && [ ! -e "$memroot" ]; then pass "root shuts $rootname down"; else
	fail "root: lwkctl shutdown --name $rootname -> $status" "$out"; fi

# (7) Each owner shuts their own down; the memory files go with them.
for u in "$ua" "$ub"; do
	mem=$mema
	[ "$u" = "$ub" ] && mem=$memb
	run "$u" "$lwkctl" shutdown --name "$name"
	if [ "$status" = 0 ] && echo "$out" | grep -q "^$name: down" && [ ! -e "$mem" ] &&
		[ ! -e "/tmp/lwk-$(id -u "$u")/$name" ]; then
		pass "$u shuts $name down; its memory file and record are gone"
	else
		fail "$u: lwkctl shutdown --name $name -> $status" "$out
$(ls -l "$mem" 2>&1)"
	fi
done
ready "$ua" "$name"
if [ "$status" != 0 ]; then pass "$ua's partition is down"; else fail "$ua's is still up"; fi

verdict
