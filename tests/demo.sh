#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: boot the kernel with its ktests (build/lwk-ktest.elf) from a
# GRUB image under QEMU (multiboot2, serial console) on four cores and
# show the boot log and the in-kernel tests as they run;
# then boot a VM partition and run an OpenMP program and Debian's python3
# on it under lwkexec.
set -u
cd "$(dirname "$0")/.."
echo "Booting the kernel and its ktests (build/lwk-ktest.elf) from a GRUB image under QEMU"
echo "(4 cores, 512 MiB, TCG); the serial console follows."
echo
tests/qemu/run --iso --name demo --quiet -- lwk.ktest=all
status=$?
tr -d '\r' <build/logs/demo.log | sed -n '/cpu0: lwk: booting/,$p'

echo
echo "A VM partition: the LWK in a QEMU guest whose memory this host shares, and"
echo "programs run on it under lwkexec, their system calls served here."
lwkctl=build/bin/lwkctl lwkexec=build/bin/lwkexec
run() { echo "\$ $*"; "$@" || status=$?; }
export LWK_PARTITION=demo
$lwkctl shutdown --force >/dev/null 2>&1
run $lwkctl boot --vm --cpus 5 --mem 2G
if [ $status -eq 0 ]; then
	run $lwkexec --cores 4 build/user/glibc-dyn/omp_reduce
	run $lwkexec /usr/bin/python3 -c 'import hashlib, json; print(json.dumps({"sha256": hashlib.sha256(b"lwk").hexdigest()[:16], "sum": sum(range(10**6))}))'
	run $lwkctl status
	run $lwkctl shutdown
fi
exit $status
