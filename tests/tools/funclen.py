#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Function lengths per folder: median, 90th percentile and maximum.

A function is a line holding only "{" at column 0 that follows a line
ending in ")" (the project's Linux brace style), up to the next "}" at
column 0. Its length counts both brace lines.

usage: tests/tools/funclen.py [DIR...]   (default: the C folders of the tree)
"""
import os
import statistics
import subprocess
import sys


def lengths(path):
    out, start, prev = [], None, ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f):
            line = line.rstrip("\n")
            if start is None and line == "{" and prev.rstrip().endswith(")"):
                start = n
            elif start is not None and line.startswith("}"):
                out.append(n - start + 1)
                start = None
            prev = line
    return out


def main():
    roots = sys.argv[1:] or ["kernel", "arch", "boot", "proxy", "libc-min", "tests"]
    files = subprocess.run(["git", "ls-files", "--"] + roots, capture_output=True,
                           text=True, check=True).stdout.split()
    per_dir = {}
    for path in files:
        if path.endswith(".c"):
            per_dir.setdefault(os.path.dirname(path), []).extend(lengths(path))
    print(f"{'folder':32} {'funcs':>5} {'median':>6} {'p90':>5} {'max':>5}")
    for d in sorted(per_dir):
        v = sorted(per_dir[d])
        if not v:
            continue
        p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
        print(f"{d:32} {len(v):5} {statistics.median(v):6.0f} {p90:5} {v[-1]:5}")


if __name__ == "__main__":
    main()
