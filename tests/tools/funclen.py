#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Function lengths per folder: median, 90th percentile and maximum.

A function is a line holding only "{" at column 0 that follows a line
ending in ")" (the project's Linux brace style), up to the next "}" at
column 0. Its length counts both brace lines.

usage: tests/tools/funclen.py [--depth N] [DIR...]
  DIR        folders to measure (default: the C folders of the tree)
  --depth N  group by the first N parts of the path (kernel/mm/x.c with
             N=1: kernel), to compare trees whose folders differ
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
    args, depth = sys.argv[1:], 0
    if args[:1] == ["--depth"] and len(args) > 1 and args[1].isdigit():
        depth, args = int(args[1]), args[2:]
    roots = args or ["kernel", "arch", "boot", "proxy", "libc-min", "tests"]
    files = subprocess.run(["git", "ls-files", "--"] + roots, capture_output=True,
                           text=True, check=True).stdout.split()
    per_dir = {}
    for path in files:
        if path.endswith(".c"):
            folder = os.path.dirname(path)
            if depth:
                folder = "/".join(folder.split("/")[:depth])
            per_dir.setdefault(folder, []).extend(lengths(path))
    print(f"{'folder':32} {'funcs':>5} {'median':>6} {'p90':>5} {'max':>5}")
    for d in sorted(per_dir):
        v = sorted(per_dir[d])
        if not v:
            continue
        p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
        print(f"{d:32} {len(v):5} {statistics.median(v):6.0f} {p90:5} {v[-1]:5}")


if __name__ == "__main__":
    main()
