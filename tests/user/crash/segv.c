// SPDX-License-Identifier: GPL-2.0-only
/* Dies of SIGSEGV on purpose: a NULL write with no handler. The runner
 * expects status 139 (128 + 11), as a shell reports it on Linux. */
#include <stdio.h>

int main(void)
{
	volatile int *p = NULL;

	printf("about to fault\n");
	fflush(stdout);
	*p = 1;
	return 0;
}
