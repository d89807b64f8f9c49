#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Build and run lwkexec's host unit tests (tests/lwkexec/unit.c) under
# ASan/UBSan, with every lwkexec source but its main. Prints
# "N passed, N failed"; no partition needed.
cd "$(dirname "$0")/../.." || exit 2
out=${BUILD:-build}/lwkexec-unit
mkdir -p "$(dirname "$out")"
srcs=$(ls proxy/lwkexec/service*.c proxy/lwkexec/sys_*.c) || exit 2
# shellcheck disable=SC2086
gcc -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-fsanitize=address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -pthread \
	-Ikernel/include -Ikernel/lib -Iproxy/lib -Iproxy/lwkexec -o "$out" tests/lwkexec/unit.c $srcs \
	proxy/lib/*.c kernel/lib/elf_loader.c || exit 2
exec "$out"
