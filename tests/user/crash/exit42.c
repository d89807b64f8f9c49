// SPDX-License-Identifier: GPL-2.0-only
/* Exits with a status that is neither 0 nor 1, to check it travels whole. */
#include <stdlib.h>

int main(void)
{
	exit(42);
}
