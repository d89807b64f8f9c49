#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: boot lwk.iso under QEMU (GRUB, multiboot2, serial console) on
# four cores and show the boot log and the in-kernel tests as they run.
set -u
cd "$(dirname "$0")/.."
echo "Booting build/lwk.iso under QEMU (4 cores, 512 MiB, TCG); the serial console follows."
echo
tests/qemu/run --iso --name demo --quiet -- lwk.ktest=all
status=$?
tr -d '\r' <build/logs/demo.log | sed -n '/cpu0: lwk: booting/,$p'

echo
echo "Running a static glibc program on the LWK (lwkctl bare --cpus 4):"
echo "\$ build/bin/lwkctl bare --cpus 4 build/user/glibc/hello"
build/bin/lwkctl bare --cpus 4 build/user/glibc/hello || status=$?
exit $status
