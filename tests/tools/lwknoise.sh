#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# lwknoise: bad input gets one line and status 2; short fwq, ftq and
# detour runs give a well-formed JSON summary and CSV with the right
# counts. Never judges the figures (a shared machine is noisy).
#   tests/tools/lwknoise.sh           on this host's Linux cores
#   tests/tools/lwknoise.sh lwkexec   on LWK cores of a running partition
#                                     ($LWK_PARTITION, or the only one)
# Prints PASS/FAIL lines and "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
mode=${1:-linux}
suite=lwknoise-$mode
. tests/vm/lib.sh
noise=$build/bin/lwknoise
python=/usr/bin/python3

# run ARGS...: lwknoise on $cores, the process's cores: LWK cores in
# lwkexec mode (it asks for $ncores, and learns which it got), else
# Linux cores (taskset). stdout in $work/out, stderr in $work/err, status
# in $status.
run() {
	if [ "$mode" = lwkexec ]; then
		timeout 300 "$lwkexec" --cores "${cores:-$ncores}" "$noise" "$@" >"$work/out" 2>"$work/err"
	else
		timeout 120 taskset -c "$cores" "$noise" "$@" >"$work/out" 2>"$work/err"
	fi
	status=$?
}

# refused TEXT ARGS...: status 2 and one line on stderr holding TEXT.
refused() {
	local text=$1
	shift
	run "$@"
	if [ "$status" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && grep -qF -- "$text" "$work/err"; then
		pass "lwknoise $* -> 2: $(cat "$work/err")"
	else
		fail "lwknoise $* -> $status (want 2 and one line with '$text')" "$(head -5 "$work/err")"
	fi
}

# The JSON summary and the CSV of a run, checked against what was asked:
# check_run WHAT PROBE CORES SAMPLES JSON [CSV]. SAMPLES is the exact count
# per core, or "max:N" for detour (at most N kept per core).
check_run() {
	local what=$1 out
	shift
	if out=$("$python" - "$@" 2>&1 <<'EOF'
import csv, json, sys
probe, cores, samples, jpath = sys.argv[1:5]
cpath = sys.argv[5] if len(sys.argv) > 5 else None
cores = [int(c) for c in cores.split(",")]
s = json.load(open(jpath))
assert s["probe"] == probe, f"probe {s['probe']}"
assert s["tsc_hz"] > 0 and s["tsc_hz_source"], "no TSC rate"
assert isinstance(s["tsc_invariant"], bool)
got = [c["core"] for c in s["cores"]]
assert got == cores, f"cores {got}, want {cores}"
keys = ("samples min median max threshold_ticks detours detours_per_s max_detour_ticks "
        "max_detour_us detour_ticks noise_overhead start_tsc run_ticks run_s").split()
for c in s["cores"]:
    for k in keys:
        assert k in c, f"core {c['core']}: no {k}"
    n = c["samples"]
    if samples.startswith("max:"):
        assert 0 <= n <= int(samples[4:]) and c["detours"] >= n, f"core {c['core']}: {n} kept"
    else:
        assert n == int(samples), f"core {c['core']}: {n} samples, want {samples}"
    if n:
        assert c["min"] <= c["median"] <= c["max"], f"core {c['core']}: min/median/max"
    assert c["max_detour_ticks"] <= c["detour_ticks"] <= c["run_ticks"], "detour sums"
    assert 0 <= c["noise_overhead"] <= 1 and c["run_ticks"] > 0, "overhead"
if cpath:
    rows = list(csv.reader(open(cpath)))
    assert rows[0] == ["core", "index", "tsc", "value"], f"header {rows[0]}"
    for c in s["cores"]:
        mine = [r for r in rows[1:] if int(r[0]) == c["core"]]
        assert len(mine) == c["samples"], f"core {c['core']}: {len(mine)} CSV rows"
        assert [int(r[1]) for r in mine] == list(range(len(mine))), "indexes"
        tsc = [int(r[2]) for r in mine]
        assert tsc == sorted(tsc), "tsc not rising"
    assert len(rows) == 1 + sum(c["samples"] for c in s["cores"]), "stray CSV rows"
EOF
	); then
		pass "$what"
	else
		fail "$what" "$out"$'\n'"$(head -3 "$work/err")"
	fi
}

# A probe run that must succeed, then check_run on its outputs.
probe_ok() { # what probe cores samples -- lwknoise args
	local what=$1 probe=$2 cores=$3 samples=$4
	shift 5
	run "$@"
	if [ "$status" != 0 ]; then
		fail "$what: status $status" "$(head -5 "$work/err")"
		return
	fi
	check_run "$what" "$probe" "$cores" "$samples" "$work/s.json" "$work/s.csv"
}

# What the LWK answers differently from Linux: the cores a process has,
# and files (forwarded). The rest of the command line is lwknoise's own,
# checked on Linux only (each lwkexec launch is seconds under TCG).
bad_input_lwk() {
	refused "core $absent is unknown, offline or outside this process's affinity; this process may run on cores $allowed" \
		fwq --cores "$absent"
	refused "cannot write $work/no-dir/s.json: No such file or directory" \
		fwq --json "$work/no-dir/s.json"
}

bad_input() {
	refused "name a probe: fwq, ftq or detour"
	refused "unknown probe 'fqw' (fwq, ftq or detour)" fqw
	refused "unknown option '--bogus'" fwq --bogus
	refused "--samples 0: a run needs at least one sample" fwq --samples 0
	refused "--samples 0: a run needs at least one sample" detour --samples 0
	refused "give --samples or --seconds, not both" ftq --samples 5 --seconds 1
	refused "--seconds wants a time in seconds above 0" fwq --seconds 0
	refused "--cores wants a list of cores like 0,2-3" fwq --cores 1-x
	refused "--cores lists core $first twice" fwq --cores "$first,$first"
	refused "core $absent is unknown, offline or outside this process's affinity; this process may run on cores $allowed" \
		fwq --cores "$absent"
	refused "--work is for fwq" detour --work 5
	refused "--interval wants ticks, 1000 or more, not '10'" ftq --interval 10
	refused "--threshold wants ticks (500) or a multiple, 1 or more" fwq --threshold 0.5x
	refused "cannot write $work/no-dir/s.json: No such file or directory" \
		fwq --json "$work/no-dir/s.json"
	refused "cannot write $work/no-dir/s.csv: No such file or directory" \
		fwq --csv "$work/no-dir/s.csv"
}

# A core the process may use but cannot pin to: sched_setaffinity made to
# say EPERM (Linux only: the LWK runs no preloaded library of ours).
unpinnable() {
	printf '%s\n' '#define _GNU_SOURCE' '#include <errno.h>' '#include <sched.h>' \
		'int sched_setaffinity(pid_t p, size_t n, const cpu_set_t *s)' \
		'{ (void)p; (void)n; (void)s; errno = EPERM; return -1; }' >"$work/nopin.c"
	if ! gcc -shared -fPIC -o "$work/nopin.so" "$work/nopin.c" 2>"$work/err"; then
		fail "build a library that refuses sched_setaffinity" "$(cat "$work/err")"
		return
	fi
	LD_PRELOAD=$work/nopin.so timeout 60 "$noise" fwq --samples 5 --cores "$first" \
		>/dev/null 2>"$work/err"
	status=$?
	local want="cannot pin a thread to core $first: sched_setaffinity: Operation not permitted"
	if [ "$status" = 2 ] && [ "$(cat "$work/err")" = "lwknoise: $want" ]; then
		pass "a core it cannot pin to -> 2: lwknoise: $want"
	else
		fail "a core it cannot pin to -> $status (want 2, '$want')" "$(cat "$work/err")"
	fi
}

runs() {
	local j=$work/s.json c=$work/s.csv
	probe_ok "fwq on core $first: JSON and CSV" fwq "$first" 300 -- \
		fwq --samples 300 --cores "$first" --json "$j" --csv "$c"
	probe_ok "fwq on cores $cores at once" fwq "$cores" 200 -- \
		fwq --samples 200 --work 16 --cores all --json "$j" --csv "$c"
	probe_ok "ftq on cores $cores at once" ftq "$cores" 100 -- \
		ftq --samples 100 --interval 100000 --cores "$cores" --json "$j" --csv "$c"
	probe_ok "detour on cores $cores, at most 50 kept" detour "$cores" max:50 -- \
		detour --seconds 0.2 --samples 50 --threshold 3x --cores all --json "$j" --csv "$c"
	[ "$mode" = lwkexec ] ||
		probe_ok "detour with a threshold in ticks" detour "$first" max:100000 -- \
			detour --seconds 0.1 --threshold 1000 --cores "$first" --json "$j" --csv "$c"
	# the summary on standard output, the default core, a run for a time
	run fwq --seconds 0.1 --work 8
	if [ "$status" = 0 ] && cp "$work/out" "$j" &&
		"$python" -c 'import json,sys; s=json.load(open(sys.argv[1])); assert len(s["cores"]) == 1 and s["cores"][0]["samples"] > 0 and s["seconds"] == 0.1' "$j" 2>"$work/err"; then
		pass "fwq --seconds 0.1 on the core it starts on: JSON on stdout"
	else
		fail "fwq --seconds 0.1: status $status" "$(head -5 "$work/err")"
	fi
}

# The cores to probe: two (or one), the first of this process's on
# Linux; on an LWK, those that lwkexec --cores $ncores gives: ask lwknoise.
cores=
if [ "$mode" = lwkexec ]; then
	ncores=$(compute_cores_upto 2)
	run fwq --samples 1 --cores all
else
	timeout 60 "$noise" fwq --samples 1 --cores all >"$work/out" 2>"$work/err"
fi
status=$?
cores=$("$python" -c 'import json, sys
print(",".join(str(c["core"]) for c in json.load(sys.stdin)["cores"][:2]))' <"$work/out" 2>/dev/null)
if [ -z "$cores" ]; then
	fail "lwknoise fwq --cores all: status $status" "$(head -5 "$work/err")"
	verdict
	exit
fi
first=${cores%%,*}
absent=1023
# as lwknoise writes a core list: ranges of 2 or more
allowed=$("$python" -c 'import sys
c = list(map(int, sys.argv[1].split(",")))
out, i = [], 0
while i < len(c):
    j = i
    while j + 1 < len(c) and c[j + 1] == c[j] + 1:
        j += 1
    out.append(f"{c[i]}-{c[j]}" if j > i else str(c[i]))
    i = j + 1
print(",".join(out))' "$cores")
if [ "$mode" = lwkexec ]; then
	bad_input_lwk
else
	bad_input
	unpinnable
	run --help
	if [ "$status" = 0 ] && grep -q '^usage: lwknoise PROBE' "$work/out"; then
		pass "lwknoise --help"
	else
		fail "lwknoise --help: status $status" "$(head -3 "$work/out")"
	fi
fi
runs
verdict
