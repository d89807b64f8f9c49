// SPDX-License-Identifier: GPL-2.0-only
/*
 * Says it started, then spins forever without a system call: only a
 * signal (Ctrl-C through lwkexec) or the death of its proxy ends it. The
 * kill tests (tests/vm/kill.sh) use it.
 */
#include <stdio.h>

int main(void)
{
	static volatile unsigned long spins;

	printf("looping\n");
	fflush(stdout);
	for (;;)
		spins++;
}
