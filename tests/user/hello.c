// SPDX-License-Identifier: GPL-2.0-only
/* The smallest program: crt0, printf to stdout, exit status from main. */
#include <stdio.h>
#include "lwk_test.h"

int main(void)
{
	printf("hello from %s\n", "lwk");
	test_pass("hello");
	return 0;
}
