#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lwkexec against Linux: unmodified Debian programs run natively and under
# lwkexec must print the same stdout and end with the same status; bad
# programs and bad requests must fail with the shell's status and a clear
# line. Needs a running partition (VM, or beside Linux), e.g.
#   build/bin/lwkctl boot --vm --cpus 4 --mem 1G
# (LWK_PARTITION picks one if several run). Ends with "N passed, N failed".
# Arguments name groups to run (e.g. "run.sh identity own_fds"); none: all.
# shellcheck disable=SC2016 # the $ in single quotes are the programs'
set -u
cd "$(dirname "$0")/../.." || exit 2
lwkexec=$PWD/${BUILD:-build}/bin/lwkexec
lwkctl=$PWD/${BUILD:-build}/bin/lwkctl
passed=0
failed=0
work=$(mktemp -d "${TMPDIR:-/tmp}/lwkexec-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The same environment natively and on the LWK (PATH without pyenv-style
# shims, which are scripts that exec).
export LC_ALL=C TZ=UTC PATH=/usr/local/bin:/usr/bin:/bin

pass() {
	echo "PASS lwkexec: $1"
	passed=$((passed + 1))
}

fail() {
	echo "FAIL lwkexec: $1"
	shift
	for line in "$@"; do echo "  $line"; done
	failed=$((failed + 1))
}

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got:  $2" "want: $3"; fi
}

# compare NAME CMD...: same stdout and status natively and under lwkexec
# (stdin from $work/stdin).
compare() {
	local name=$1 ns ls
	shift
	(cd "$work/run" && timeout 120 "$@") <"$work/stdin" >"$work/native.out" 2>/dev/null
	ns=$?
	(cd "$work/run" && timeout 300 "$lwkexec" --mem 256M -- "$@") <"$work/stdin" \
		>"$work/lwk.out" 2>"$work/lwk.err"
	ls=$?
	if [ $ns = $ls ] && cmp -s "$work/native.out" "$work/lwk.out"; then
		pass "$name"
		return
	fi
	fail "$name" "status native $ns, lwkexec $ls" \
		"$(diff "$work/native.out" "$work/lwk.out" | head -5)" \
		"stderr: $(head -3 "$work/lwk.err")"
}

# expect NAME STATUS PATTERN CMD...: lwkexec's status, and a stderr line
# matching PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3 st
	shift 3
	(cd "$work/run" && timeout 120 "$lwkexec" "$@") </dev/null >/dev/null 2>"$work/err"
	st=$?
	if [ "$st" = "$want" ] && grep -qE -- "$pattern" "$work/err"; then
		pass "$name"
	else
		fail "$name" "status $st (want $want), stderr: $(head -3 "$work/err")" \
			"want a line matching: $pattern"
	fi
}

setup() {
	mkdir -p "$work/run" "$work/dir/sub"
	: >"$work/stdin"
	seq 1 2000 | awk '{ printf "%05d line %d\n", ($1 * 7919) % 10007, $1 }' >"$work/lines"
	printf 'alpha\n' >"$work/dir/a.txt"
	head -c 5000 "$work/lines" >"$work/dir/b.dat"
	ln -s a.txt "$work/dir/link"
	chmod 640 "$work/dir/a.txt"
	chmod 755 "$work/dir/sub"
	touch -h -d '2021-02-03 04:05:06' "$work/dir/a.txt" "$work/dir/b.dat" "$work/dir/link" \
		"$work/dir/sub"
	printf '#!/bin/sh\necho no\n' >"$work/run/not-exec"
	chmod 644 "$work/run/not-exec"
	head -c 200 /dev/zero >"$work/run/zeros"
	chmod 755 "$work/run/zeros"
	printf '#!/bin/sh -e\necho "script: $0 $*"\n' >"$work/run/script"
	printf '#!/no/such/sh\n' >"$work/run/bad-interp"
	chmod 755 "$work/run/bad-interp"
	chmod 755 "$work/run/script"
	unrunnable_setup
}

# Files execve(2) refuses whatever their mode bits say: a FIFO, a
# directory, a socket; scripts and ELF programs whose interpreter is one
# of those (or not executable, or missing); 5 #! scripts in a row (n4
# runs through n3 ... n0 runs through sh: the most Linux follows) and 6.
unrunnable_setup() {
	local d=$work/run
	mkfifo "$d/fifo"
	mkdir "$d/adir" "$d/i"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$d/sock"
	chmod 755 "$d/fifo" "$d/adir" "$d/sock"
	for t in fifo adir not-exec sock; do
		printf '#!%s\n' "$d/$t" >"$d/s-$t"
		ln -s "../$t" "$d/i/$t"
	done
	# /bin/true with its PT_INTERP pointing at i/NAME (relative: both
	# Linux and lwkexec look it up from the working directory)
	python3 -c '
import sys
elf = open("/bin/true", "rb").read()
old = b"/lib64/ld-linux-x86-64.so.2"
for name in sys.argv[2:]:
    new = ("i/" + name).encode()
    open(sys.argv[1] + "/e-" + name, "wb").write(elf.replace(old, new + b"\0" * (len(old) - len(new))))' \
		"$d" fifo adir not-exec sock none
	printf '#!/bin/sh\necho "level 0: $*"\n' >"$d/n0"
	for i in 1 2 3 4 5; do printf '#!%s\n' "$d/n$((i - 1))" >"$d/n$i"; done
	chmod 755 "$d"/s-* "$d"/e-* "$d"/n?
}

programs() {
	compare "echo hi" echo hi
	compare "cat FILE" cat "$work/lines"
	compare "ls -l DIR" ls -l "$work/dir"
	compare "ls -la --full-time DIR" ls -la --full-time "$work/dir/sub"
	compare "sha256sum FILE" sha256sum "$work/lines"
	compare "sort FILE" sort "$work/lines"
	compare "sort -n -k3 FILE" sort -n -k3 "$work/lines"
	compare "python3 json+hashlib" python3 -c '
import hashlib, json
d = {"n": list(range(5)), "s": "lwk"}
print(json.dumps(d, sort_keys=True))
print(hashlib.sha256(json.dumps(d).encode()).hexdigest())'
	compare "perl -e" perl -e 'my %h = (a => 1, b => 2); print join(",", map { "$_=$h{$_}" } sort keys %h), "\n"; printf("%.3f\n", atan2(1, 1) * 4);'
	compare "sh -c builtins" sh -c 'i=0; while [ $i -lt 5 ]; do i=$((i + 1)); printf "%s " $i; done; echo; exit 7'
	compare "sh -c exit status" sh -c 'exit 42'
	compare "wc -l < FILE" wc -l "$work/lines"
	compare "#! script" ./script one two
	cp "$work/lines" "$work/stdin"
	compare "cat < FILE (stdin)" cat
	: >"$work/stdin"
}

# printf ... | lwkexec cat: stdin is a pipe.
pipe_in() {
	local out
	out=$(printf 'one\ntwo\n' | timeout 120 "$lwkexec" cat)
	same "printf | lwkexec cat" "$out" "$(printf 'one\ntwo\n')"
	out=$(timeout 120 "$lwkexec" seq 1 100000 | tail -1)
	same "lwkexec seq | tail (stdout a pipe)" "$out" 100000
}

# 200 MB through the LWK: read by it, written by it, checked by sha256.
big_write() {
	local want got
	head -c 200M /dev/urandom >"$work/big"
	want=$(sha256sum <"$work/big" | cut -d' ' -f1)
	timeout 300 "$lwkexec" --mem 256M dd if="$work/big" of="$work/big.dd" bs=1M status=none
	got=$(sha256sum <"$work/big.dd" | cut -d' ' -f1)
	same "dd 200 MB" "$got" "$want"
	timeout 300 "$lwkexec" --mem 256M head -c 200M "$work/big" >"$work/big.head"
	got=$(sha256sum <"$work/big.head" | cut -d' ' -f1)
	same "head -c 200M > FILE" "$got" "$want"
	got=$(timeout 300 "$lwkexec" --mem 256M sha256sum <"$work/big" | cut -d' ' -f1)
	same "sha256sum < 200 MB" "$got" "$want"
	rm -f "$work/big" "$work/big.dd" "$work/big.head"
}

# What a program sees of itself: its path, its cores, its memory (MemTotal
# is its arena, of 128M less its image and stacks).
identity() {
	local out want n
	# 2 cores, or 1 where the partition has no more (beside Linux).
	n=$("$lwkctl" status 2>/dev/null | grep -c '^  core [0-9]* .* \(free\|LWK pid\|loading\)')
	[ "$n" -gt 2 ] && n=2
	[ "$n" -lt 1 ] && n=1
	out=$(timeout 120 "$lwkexec" --cores $n --mem 128M python3 -c '
import os
print(os.readlink("/proc/self/exe"), os.cpu_count(), len(os.sched_getaffinity(0)))
print(open("/sys/devices/system/cpu/online").read().strip())
mem = [l for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0].split()[1]
maps = [[int(a, 16) for a in l.split()[0].split("-")] for l in open("/proc/self/maps")]
arena = sum(b - a for a, b in maps if 0x200000000000 <= a < 0x300000000000)
print(int(mem) << 10 == arena, 64 << 20 < arena < 128 << 20)
print(any(l.endswith("[stack]\n") for l in open("/proc/self/maps")))')
	want=$(printf '%s %s %s\n0%s\nTrue True\nTrue' "$(readlink -f /usr/bin/python3)" $n $n \
		"$([ $n = 2 ] && echo -1)")
	same "identity: /proc/self/exe, cpus, meminfo, maps" "$out" "$want"
}

# lwkexec's own descriptors (the memory file, its stderr) sit above the
# program's: the program can neither use nor replace them.
own_fds() {
	local out
	out=$(timeout 120 "$lwkexec" python3 -c '
import errno, os
fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
links = {f: os.readlink("/proc/self/fd/%d" % f) for f in fds if os.path.exists("/proc/self/fd/%d" % f)}
# the memory file (in /dev/shm for a VM partition, /dev/lwk beside Linux),
# and the copy of stderr above it (the highest fd)
mine = [f for f, l in links.items() if l.startswith(("/dev/shm/lwk-", "/dev/lwk"))] + [fds[-1]]
res = []
for fd in mine:
    for name, op in (("fstat", lambda: os.fstat(fd)), ("dup2", lambda: os.dup2(1, fd)),
                     ("close", lambda: os.close(fd))):
        try:
            op()
            res.append(name + " ok")
        except OSError as e:
            res.append(name + " " + errno.errorcode[e.errno])
print(len(set(mine)) == 2, sorted(set(res)))')
	same "lwkexec's fds: EBADF for the program" "$out" \
		"True ['close EBADF', 'dup2 EBADF', 'fstat EBADF']"
}

# /proc/self is lwkexec: its memory, descriptors and start-up data stay
# out of reach, by any path (also through a symlink the program makes);
# /dev/fd/N of the program's own descriptors still works.
proc_self() {
	local out
	out=$(cd "$work/run" && timeout 120 "$lwkexec" python3 -c '
import os
fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
mem = [f for f in fds if os.path.exists("/proc/self/fd/%d" % f) and
       os.readlink("/proc/self/fd/%d" % f).startswith(("/dev/shm/lwk-", "/dev/lwk"))][0]
linux = os.readlink("/proc/self")
tid = sorted(os.listdir("/proc/self/task"))[-1]
paths = ["/proc/self/mem", "/proc/thread-self/mem", "/proc/self/environ", "/proc/self/auxv",
         "/proc/self/task/%s/mem" % tid, "/proc/%s/mem" % linux, "/proc/%s/mem" % tid,
         "/proc/%d/mem" % os.getpid(), "/proc//self/./mem", "/proc/self/fd/%d" % mem,
         "/dev/fd/%d" % mem, "/proc/%s/fd/%d" % (linux, mem), "/proc/self/fdinfo/%d" % mem,
         "/proc/self/fdinfo/0", "/proc/self/task/%s/fdinfo/0" % tid, "memlink", "fdlink"]
os.symlink("/proc/self/mem", "memlink")
os.symlink("/dev/fd/%d" % mem, "fdlink")
bad = []
for p in paths:
    for flags in (os.O_RDONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_PATH):
        try:
            os.close(os.open(p, flags))
            bad.append(p)
        except PermissionError:
            pass
        except OSError as e:
            if flags != os.O_RDWR and flags != os.O_WRONLY | os.O_TRUNC:
                bad.append("%s %s" % (p, e))
for d, name in (("/proc/self", "mem"), ("/proc/self/fd", str(mem)), ("/proc/self/fdinfo", "1")):
    d = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.close(os.open(name, os.O_RDONLY, dir_fd=d))
        bad.append("openat " + name)
    except PermissionError:
        pass
print("", sorted(set(bad)))
with open("/dev/fd/0") as f, open("/dev/stdin") as g:
    print(f.readline().strip(), os.path.exists("/proc/self/status"))
print(open("/proc/self/cmdline").read().split("\0")[0] != "")' <"$work/dir/a.txt" 2>&1)
	same "/proc/self/mem, fd/, environ, /dev/fd/<lwkexec fd>: EACCES" "$out" \
		"$(printf ' []\nalpha True\nTrue')"
	same "cat /dev/fd/0" "$(timeout 120 "$lwkexec" cat /dev/fd/0 <"$work/dir/a.txt" 2>&1)" alpha
}

# A program that uses up its descriptors (EMFILE) is not mistaken by
# lwkexec for a partition that went away.
fds_used_up() {
	local out
	out=$(timeout 120 "$lwkexec" python3 -c '
import errno, os, time
fds = []
try:
    while True:
        fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as e:
    err = errno.errorcode[e.errno]
time.sleep(0.5)
try:
    os.open("/dev/null", os.O_RDONLY)
except OSError as e:
    err += " " + errno.errorcode[e.errno]
for fd in fds:
    os.close(fd)
print(err, len(fds) > 100)' 2>&1)
	same "program out of fds: lwkexec keeps serving" "$out" "EMFILE EMFILE True"
}

# Sockets: lengths Linux writes back (accept, getsockname, getsockopt,
# recvfrom) and sendmsg control data whose cmsg_len lies (EINVAL, as
# Linux answers, not a crash of lwkexec).
sockets() {
	cat >"$work/sock.py" <<'EOF'
import ctypes, errno, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.socket(); c.connect(s.getsockname())
n, addr = s.accept()
print(addr == c.getsockname(), n.getpeername() == c.getsockname())
print(s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE), len(s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.bind(("127.0.0.1", 0))
v.sendto(b"hi", u.getsockname())
print(u.recvfrom(10)[1] == v.getsockname())
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint), ("iov", ctypes.POINTER(iovec)),
                ("iovlen", ctypes.c_size_t), ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]
data = ctypes.create_string_buffer(b"x")
iov = iovec(ctypes.cast(data, ctypes.c_void_p), 1)
# cmsg_len 0, cmsg_len past the end, and a good one with fd 1
for clen, ctl in ((0, 16), (64, 24), (20, 24)):
    buf = ctypes.create_string_buffer(struct.pack("QiiI", clen, socket.SOL_SOCKET, socket.SCM_RIGHTS, 1) + b"\0" * 8)
    m = msghdr(None, 0, ctypes.pointer(iov), 1, ctypes.cast(buf, ctypes.c_void_p), ctl, 0)
    r = libc.sendmsg(a.fileno(), ctypes.byref(m), 0)
    print(clen, ctl, r, errno.errorcode.get(ctypes.get_errno()) if r < 0 else "")
EOF
	compare "sockets: address lengths, bad cmsg_len" python3 "$work/sock.py"
}

# Wait (at most 60 s) until FILE has a line PATTERN: the program is there.
wait_for() {
	local tries=600
	while [ $tries -gt 0 ] && ! grep -q "$1" "$2" 2>/dev/null; do
		sleep 0.1
		tries=$((tries - 1))
	done
}

# Signals: the program's status is lwkexec's; a signal sent to lwkexec
# reaches the program and interrupts its blocked read.
signals() {
	local st pid fifo=$work/fifo out=$work/sig.out holder
	{
		timeout 120 "$lwkexec" sh -c 'kill -TERM $$'
		st=$?
	} 2>/dev/null
	same "killed by SIGTERM: 143" "$st" 143
	st=$(timeout 120 "$lwkexec" yes 2>/dev/null | head -1 >/dev/null; echo "${PIPESTATUS[0]}")
	same "yes | head -1: SIGPIPE, 141" "$st" 141
	{
		timeout 120 "$lwkexec" python3 -c 'import signal, time; signal.alarm(1); time.sleep(30)'
		st=$?
	} 2>/dev/null
	same "alarm(1): SIGALRM, 142" "$st" 142
	mkfifo "$fifo"
	sleep 300 >"$fifo" &
	holder=$!
	"$lwkexec" python3 -c '
import signal, sys
signal.signal(signal.SIGUSR1, lambda s, f: print("usr1", flush=True))
print("ready", flush=True)
try:
    sys.stdin.read()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(5)' <"$fifo" >"$out" 2>/dev/null &
	pid=$!
	wait_for ready "$out"
	kill -USR1 $pid
	wait_for usr1 "$out"
	kill -INT $pid
	wait $pid
	st=$?
	kill $holder 2>/dev/null
	wait $holder 2>/dev/null
	if [ $st = 5 ] && [ "$(cat "$out")" = "$(printf 'ready\nusr1\ninterrupted')" ]; then
		pass "SIGUSR1 handled, SIGINT interrupts a blocked read"
	else
		fail "SIGUSR1 handled, SIGINT interrupts a blocked read" "status $st, output: $(cat "$out")"
	fi
}

# Process creation inside the LWK comes later: a program that forks gets
# ENOSYS at once, never a hang.
no_fork() {
	local out st
	out=$(timeout 120 "$lwkexec" python3 -c '
import os
try:
    os.fork()
except OSError as e:
    print(e.errno, e.strerror)' 2>&1)
	same "fork: ENOSYS" "$out" "38 Function not implemented"
	out=$(timeout 120 "$lwkexec" sh -c 'echo before; /bin/true; echo after' 2>&1)
	st=$?
	case $st:$out in
	2:before*"Cannot fork") pass "sh running a command: 'Cannot fork', status 2" ;;
	*) fail "sh running a command: status $st, want 2 and 'Cannot fork'" "$out" ;;
	esac
}

bad_requests() {
	expect "missing program: 127" 127 "^lwkexec: no-such-program-xyz: command not found$" \
		no-such-program-xyz
	expect "missing path: 127" 127 "^lwkexec: ./nope: No such file or directory$" ./nope
	expect "not executable: 126" 126 "^lwkexec: ./not-exec: Permission denied$" ./not-exec
	expect "not readable as a program: 126" 126 "^lwkexec: /etc/passwd: Permission denied$" \
		/etc/passwd
	expect "not an ELF: 126" 126 "^lwkexec: ./zeros: cannot execute: .+" ./zeros
	expect "missing #! interpreter: 127" 127 "^lwkexec: ./bad-interp: /no/such/sh: bad interpreter" \
		./bad-interp
	expect "--mem too big" 1 "^lwkexec: --mem .* MiB is more than partition .* free \([0-9]+ MiB" \
		--mem 1000G true
	expect "--cores 0: service core" 1 "core 0 is the service core" --cores 0-1 true
	expect "--cores too many" 1 "at most" --cores 200 true
	expect "bad option" 2 "see 'lwkexec --help'" --bogus true
	mkdir -p "$work/xdg"
	# An empty state directory hides VM partitions only: one beside Linux
	# is found through /dev/lwk.
	if "$lwkctl" status 2>/dev/null | head -1 | grep -q 'beside Linux'; then
		echo "SKIP lwkexec: no partition: says to boot one (this partition is beside Linux)"
	else
		XDG_RUNTIME_DIR=$work/xdg LWK_PARTITION='' expect "no partition: says to boot one" 1 \
			"^lwkexec: no LWK partition is running; start one with 'lwkctl boot --vm'$" true
	fi
	same "lwkexec creates no state directory" "$(ls -A "$work/xdg")" ""
}

# like_linux NAME STATUS PATTERN PROG: as expect, and Linux (env, which
# execve's PROG) ends with the same status.
like_linux() {
	local ns
	(cd "$work/run" && timeout 20 env -- "$4") </dev/null >/dev/null 2>&1
	ns=$?
	if [ "$ns" = "$2" ]; then
		expect "$@"
	else
		fail "$1" "natively 'env $4' ends with $ns, the test wants $2: fix the test"
	fi
}

# Never blocks, never reads what execve would not run; the shell's words.
unrunnable() {
	local d=$work/run
	like_linux "FIFO: 126" 126 "^lwkexec: ./fifo: Permission denied$" ./fifo
	like_linux "socket: 126" 126 "^lwkexec: ./sock: Permission denied$" ./sock
	like_linux "device: 126" 126 "^lwkexec: /dev/null: Permission denied$" /dev/null
	like_linux "directory: 126, as bash says it" 126 "^lwkexec: ./adir: Is a directory$" ./adir
	(cd "$d" && PATH=$d:$PATH timeout 120 "$lwkexec" fifo) </dev/null >/dev/null 2>"$work/err"
	same "FIFO found in PATH: 126" "$?: $(cat "$work/err")" "126: lwkexec: fifo: Permission denied"
	for t in fifo adir not-exec sock; do
		like_linux "#! interpreter a $t: 126" 126 \
			"^lwkexec: ./s-$t: $d/$t: bad interpreter: Permission denied$" "./s-$t"
		like_linux "ELF interpreter a $t: 126" 126 \
			"^lwkexec: ./e-$t: cannot execute: its interpreter i/$t: Permission denied$" \
			"./e-$t"
	done
	like_linux "ELF interpreter missing: 127" 127 \
		"^lwkexec: ./e-none: cannot execute: its interpreter i/none: No such file" ./e-none
	compare "5 #! scripts in a row" ./n4 a b
	like_linux "6 #! scripts in a row: 126" 126 \
		"^lwkexec: ./n5: cannot execute: more than 5 #! scripts in a row$" ./n5
	noexec_mount
}

# A program on a noexec mount does not run (a tmpfs mounted in a user
# namespace of its own, where one can be made).
noexec_mount() {
	local m=$work/noexec out
	mkdir "$m"
	if ! unshare -rm sh -c "mount -t tmpfs -o noexec none '$m'" 2>/dev/null; then
		echo "SKIP lwkexec: noexec mount: cannot mount one here (unshare -rm refused)"
		return
	fi
	out=$(unshare -rm sh -c "mount -t tmpfs -o noexec none '$m' && cp /bin/true '$m' &&
		{ '$m/true' 2>/dev/null; echo native \$?; timeout 120 '$lwkexec' '$m/true';
		echo lwkexec \$?; }" 2>&1 </dev/null)
	same "noexec mount: 126" "$out" "native 126
lwkexec: $m/true: Permission denied
lwkexec 126"
}

# The file the user gave as stdin, stdout or stderr is theirs: the program
# may open it by name (lwkexec's copy of stderr does not make it secret).
stdio_files() {
	local f=$work/stdio
	printf 'hello\n' >"$f"
	# shellcheck disable=SC2094 # reading the file stderr goes to is the point
	same "cat F 2>>F" "$(timeout 120 "$lwkexec" cat "$f" 2>>"$f")" hello
	same "sh -c 'echo >/dev/null' 2>/dev/null" \
		"$(timeout 120 "$lwkexec" sh -c 'echo x >/dev/null && echo ok' 2>/dev/null)" ok
	timeout 120 "$lwkexec" sh -c 'echo to-stderr >/dev/stderr' 2>"$f"
	same "echo >/dev/stderr 2>F" "$?: $(cat "$f")" "0: to-stderr"
	# shellcheck disable=SC2094
	timeout 120 "$lwkexec" sh -c 'echo more >>"$0"' "$f" 2>>"$f"
	same "echo >>F 2>>F" "$?: $(cat "$f")" "0: to-stderr
more"
}

# Every spelling of --mem and --cores lwkexec refuses gets one line that
# says what was given and what to give.
option_values() {
	expect "--mem 1K: too little, says 1 KiB and the least" 2 \
		"^lwkexec: --mem 1K \(1 KiB\) is too little: a process needs at least 16M$" \
		--mem 1K true
	expect "--mem 1 (bytes): too little" 2 \
		"^lwkexec: --mem 1 \(1 byte\) is too little: a process needs at least 16M$" --mem 1 true
	expect "--mem 1T: more than the partition has" 1 \
		"^lwkexec: --mem 1T: 1048576 MiB is more than partition .* has free \([0-9]+ MiB of [0-9]+ MiB\); ask for less, or boot a bigger partition$" \
		--mem 1T true
	expect "--mem 17T: too large" 2 "^lwkexec: --mem 17T is too large: at most 16T$" \
		--mem 17T true
	expect "--mem 99999999999999999999: too large" 2 \
		"^lwkexec: --mem 99999999999999999999 is too large: at most 16T$" \
		--mem 99999999999999999999 true
	expect "--mem 0" 2 "^lwkexec: --mem 0 is no memory: give a size like 512M or 2G$" --mem 0 true
	for v in 1.5G "" -1 2X 1KB " 1G"; do
		expect "--mem '$v': not a size" 2 \
			"^lwkexec: --mem '$v' is not a size: give a whole number with K, M, G or T, like 512M or 2G$" \
			--mem "$v" true
	done
	expect "--mem without a value" 2 "^lwkexec: --mem needs a value; see 'lwkexec --help'$" --mem
	expect "--cores 2-1: reversed" 2 \
		"^lwkexec: --cores 2-1: the range 2-1 runs backwards; write it 1-2$" --cores 2-1 true
	expect "--cores 0: no cores" 2 \
		"^lwkexec: --cores 0: a process needs at least one core; give a count like 2 or a list like 1,3-4$" \
		--cores 0 true
	expect "--cores 1-300: beyond any partition" 2 \
		"^lwkexec: --cores 1-300: core 300 does not exist: cores are numbered 0 to 255$" \
		--cores 1-300 true
	expect "--cores 300: more than any partition" 2 \
		"^lwkexec: --cores 300: a process can have at most 255 cores$" --cores 300 true
	expect "--cores 1,,2: not a list" 2 \
		"^lwkexec: --cores '1,,2' is not a core count or a list like 1,2,5-7$" --cores 1,,2 true
	# The first core past the partition's last one is named (a partition
	# of N cores has application cores 1 to N-1).
	local ncores
	ncores=$("$lwkctl" status 2>/dev/null | sed -n 's/^cores: \([0-9]*\),.*/\1/p')
	expect "--cores 1-200: no such core, named" 1 \
		"^lwkexec: --cores 1-200: no such core $ncores; partition .* has application cores 1-$((ncores - 1))$" \
		--cores 1-200 true
}

# lwkexec parses its options as every lwkctl command does (proxy/lib/
# options.c): "--opt VALUE" and "--opt=VALUE" alike, options end at "--"
# or at the program, and a refusal is one line.
option_spellings() {
	expect "--mem=1K: as --mem 1K" 2 \
		"^lwkexec: --mem 1K \(1 KiB\) is too little: a process needs at least 16M$" \
		--mem=1K true
	expect "--cores=2-1: as --cores 2-1" 2 \
		"^lwkexec: --cores 2-1: the range 2-1 runs backwards; write it 1-2$" --cores=2-1 true
	expect "--partition without a value" 2 \
		"^lwkexec: --partition needs a value; see 'lwkexec --help'$" --partition
	expect "--bogus=1: unknown option" 2 \
		"^lwkexec: unknown option '--bogus=1'; see 'lwkexec --help'$" --bogus=1 true
	expect "options after --: no program" 2 \
		"^lwkexec: no program given; see 'lwkexec --help'$" --mem 64M --
	same "--cores=1 --mem=64M -- PROG --mem: the program's own argument" \
		"$(cd "$work/run" && timeout 120 "$lwkexec" --cores=1 --mem=64M -- echo --mem 2>&1)" \
		"--mem"
	same "PROG --cores 9: options end at the program" \
		"$(cd "$work/run" && timeout 120 "$lwkexec" --mem 64M echo --cores 9 2>&1)" "--cores 9"
}

# /proc/meminfo and sysinfo say what the program can get: its arena (the
# reservation less its image and stacks), less what it uses already. A
# program that takes MemAvailable (but a little) gets it; 4 MiB more than
# MemAvailable it does not get.
meminfo() {
	local out
	out=$(timeout 300 "$lwkexec" --mem 64M python3 -c '
import ctypes, os
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
mi = {l.split(":")[0]: int(l.split()[1]) << 10 for l in open("/proc/meminfo")}
total, free, avail = mi["MemTotal"], mi["MemFree"], mi["MemAvailable"]
phys = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
print("total < 64M:", 0 < total < 64 << 20, "free <= total:", 0 < free <= total,
      "avail == free:", avail == free, "sysinfo total:", phys == total)
big = libc.malloc(avail + (4 << 20))
print("avail + 4M:", bool(big))
libc.free(ctypes.c_void_p(big))
print("avail - 2M:", bool(libc.malloc(avail - (2 << 20))))' 2>&1)
	same "meminfo: --mem 64M, MemAvailable is what malloc gets" "$out" \
		"total < 64M: True free <= total: True avail == free: True sysinfo total: True
avail + 4M: False
avail - 2M: True"
}

groups=${*:-programs pipe_in big_write identity own_fds proc_self fds_used_up sockets signals no_fork
	bad_requests unrunnable stdio_files option_values option_spellings meminfo}
for g in $groups; do
	declare -F "$g" >/dev/null || { echo "run.sh: no test group '$g'" >&2; exit 2; }
done
setup
for g in $groups; do "$g"; done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
