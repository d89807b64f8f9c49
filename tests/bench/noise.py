#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The noise run's figures (tests/bench/partition.sh), for tests/bench/report.py.

Reads DIR/N/ for each run N: lwknoise's JSON summaries (lwk.json: the LWK
core; linux.json: Linux cores 1, plain, and 2, tuned), the LWK core's
kernel entries ('lwkctl trace --csv': trace.csv), /proc/interrupts before
and after (irq0, irq1), and for run 1 the raw samples (lwk.csv, linux.csv).
Prints "M metric side value" lines on stdout (side lwk, linux-tuned or
linux), says what it could not measure on stderr, and draws with gnuplot:
  PLOTS/noise-fwq.png      every FWQ sample of run 1 against time, the
                           three kinds of core on one figure
  PLOTS/noise-detours.png  the detours' lengths, log2 bins, log counts
Kernel entries on the LWK core are the trace's records that begin inside
the probe's run (its start_tsc .. start_tsc + run_ticks); on a Linux core, the rise of
its column of /proc/interrupts over lwknoise's whole run (so the thread
start and exit are in it: a slight over-count). Kernel-attributable noise
time is the LWK core's time in the kernel inside the run; Linux does not
show it without tracing, so it has no Linux figure.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

LINUX_PLAIN, LINUX_TUNED, LWK_CORE = 1, 2, 1
KINDS = (("lwk", "LWK core"), ("linux-tuned", "Linux core, tuned (nohz_full)"),
         ("linux", "Linux core, plain"))


def warn(msg):
    print("noise: " + msg, file=sys.stderr)


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        warn("NOT MEASURED: %s: %s" % (path, e))
        return None


def core_of(summary, core):
    for c in summary.get("cores", []) if summary else []:
        if c.get("core") == core:
            return c
    return None


def interrupts(path):
    """Per CPU name ("CPU1"), the sum of every numeric per-CPU count."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    cpus = lines[0].split()
    sums = dict.fromkeys(cpus, 0)
    for line in lines[1:]:
        fields = line.split()[1:1 + len(cpus)]
        for name, v in zip(cpus, fields):
            if v.isdigit():
                sums[name] += int(v)
    return sums


def trace_records(path, core):
    out = []
    try:
        with open(path) as f:
            for row in csv.reader(f):
                if len(row) == 5 and row[0].isdigit() and int(row[0]) == core:
                    out.append((row[1], int(row[2]), int(row[3]), int(row[4])))
    except (OSError, ValueError) as e:
        warn("NOT MEASURED: the LWK core's kernel entries: %s: %s" % (path, e))
        return None
    return out


def run_figures(d):
    """M lines of one run directory."""
    lwk, linux = load_json(os.path.join(d, "lwk.json")), load_json(os.path.join(d, "linux.json"))
    cores = {"lwk": core_of(lwk, LWK_CORE), "linux-tuned": core_of(linux, LINUX_TUNED),
             "linux": core_of(linux, LINUX_PLAIN)}
    hz = {"lwk": lwk and lwk.get("tsc_hz"), "linux-tuned": linux and linux.get("tsc_hz")}
    hz["linux"] = hz["linux-tuned"]
    for side, c in cores.items():
        if not c or not hz[side] or not c.get("run_ticks"):
            warn("NOT MEASURED: %s's noise in %s" % (side, d))
            continue
        yield "noise_overhead", side, 100.0 * c["noise_overhead"]
        yield "max_detour", side, c["max_detour_ticks"] / hz[side] * 1e6
    c = cores["lwk"]
    recs = trace_records(os.path.join(d, "trace.csv"), LWK_CORE)
    if c and c.get("run_ticks") and hz["lwk"] and recs is not None:
        t0, t1 = c["start_tsc"], c["start_tsc"] + c["run_ticks"]
        inside, ticks = 0, 0
        for kind, nr, start, end in recs:
            # Entries made during the run. Not those begun before it: the
            # trace is per core, not per thread, and lwknoise's main thread
            # sits blocked in a futex wait on the same core all along.
            if t0 <= start < t1:
                inside += 1
                ticks += min(end or t1, t1) - start  # (0: never returned)
        yield "kernel_entries_fwq", "lwk", inside / c["run_s"]
        yield "kernel_noise_time", "lwk", 100.0 * ticks / c["run_ticks"]
    before, after = interrupts(os.path.join(d, "irq0")), interrupts(os.path.join(d, "irq1"))
    for side, core in (("linux-tuned", LINUX_TUNED), ("linux", LINUX_PLAIN)):
        name = "CPU%d" % core
        if cores[side] and before and after and name in before and name in after:
            yield "kernel_entries_fwq", side, (after[name] - before[name]) / cores[side]["run_s"]
        else:
            warn("NOT MEASURED: the interrupts of Linux core %d in %s" % (core, d))


def samples(path, core):
    out = []
    try:
        with open(path) as f:
            for row in csv.reader(f):
                if len(row) == 4 and row[0].isdigit() and int(row[0]) == core:
                    out.append((int(row[2]), int(row[3])))
    except (OSError, ValueError) as e:
        warn("NOT DRAWN: %s: %s" % (path, e))
    return out


def plot(d, dest):
    """The two figures of run 1 (its raw samples)."""
    lwk, linux = load_json(os.path.join(d, "lwk.json")), load_json(os.path.join(d, "linux.json"))
    if not lwk or not linux:
        return
    series = []
    for side, label in KINDS:
        summary, path, core = (lwk, "lwk.csv", LWK_CORE) if side == "lwk" else \
            (linux, "linux.csv", LINUX_TUNED if side == "linux-tuned" else LINUX_PLAIN)
        c, s = core_of(summary, core), samples(os.path.join(d, path), core)
        if c and s:
            series.append((side, label, summary["tsc_hz"], c, s))
    if not series:
        return
    os.makedirs(dest, exist_ok=True)
    origin = min(c["start_tsc"] for _, _, _, c, _ in series)  # one TSC in the guest
    for side, label, hz, c, s in series:
        with open(os.path.join(dest, "noise-fwq-%s.dat" % side), "w") as f:
            for tsc, v in s:
                f.write("%.6f %.3f\n" % ((tsc - origin) / hz, v / hz * 1e6))
        bins = {}
        for _, v in s:
            lost = v - c["min"]
            if v > c["min"] + c.get("threshold_ticks", 0) and lost > 0:
                us = lost / hz * 1e6
                b = 0
                while 2.0 ** (b + 1) <= us:
                    b += 1
                while b > -4 and 2.0 ** b > us:
                    b -= 1
                bins[b] = bins.get(b, 0) + 1
        with open(os.path.join(dest, "noise-detours-%s.dat" % side), "w") as f:
            for b in sorted(bins):
                f.write("%g %d\n" % (2.0 ** b, bins[b]))
    if not shutil.which("gnuplot"):
        warn("NOT DRAWN: no gnuplot: apt-get install gnuplot-nox")
        return
    q = lambda p: "'" + p.replace("'", "''") + "'"
    fwq = ", ".join("%s using 1:2 with points pt 7 ps 0.3 title %s" %
                    (q(os.path.join(dest, "noise-fwq-%s.dat" % side)), q(label))
                    for side, label, _, _, _ in series)
    det = ", ".join("%s using 1:2 with linespoints title %s" %
                    (q(os.path.join(dest, "noise-detours-%s.dat" % side)), q(label))
                    for side, label, _, _, _ in series
                    if os.path.getsize(os.path.join(dest, "noise-detours-%s.dat" % side)))
    script = ["set terminal pngcairo noenhanced size 1200,600",
              "set output %s" % q(os.path.join(dest, "noise-fwq.png")),
              "set title 'FWQ: each sample of the same work, three kinds of core at once'",
              "set xlabel 'time since the first probe started (s)'",
              "set ylabel 'sample length (us)'", "set logscale y", "set key outside bottom center",
              "plot " + fwq]
    if det:
        script += ["set output %s" % q(os.path.join(dest, "noise-detours.png")),
                   "set title 'FWQ detours: length beyond the shortest sample'",
                   "set xlabel 'detour length (us, log2 bins: a point counts [x, 2x))'",
                   "set ylabel 'detours'", "set logscale xy", "plot " + det]
    else:
        warn("no detour on any core in run 1: noise-detours.png not drawn")
    r = subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True,
                       capture_output=True)
    if r.returncode:
        err = r.stderr.strip().splitlines()
        warn("NOT DRAWN: gnuplot failed: " + (err[-1] if err else "status %d" % r.returncode))
    else:
        warn("plots: %s, %s" % (os.path.join(dest, "noise-fwq.png"),
                                os.path.join(dest, "noise-detours.png") if det else "-"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="the noise runs, DIR/1, DIR/2, ...")
    ap.add_argument("--plots", help="where to draw the figures (default: no figures)")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        warn("NOT MEASURED: no noise runs in %s (the guest did not get to them)" % a.dir)
        return 0
    runs = sorted((n for n in os.listdir(a.dir) if n.isdigit()), key=int)
    for n in runs:
        for metric, side, v in run_figures(os.path.join(a.dir, n)):
            print("M %s %s %.6g" % (metric, side, v))
    if a.plots and runs:
        plot(os.path.join(a.dir, runs[0]), a.plots)
    return 0


if __name__ == "__main__":
    sys.exit(main())
