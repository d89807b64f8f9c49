// SPDX-License-Identifier: GPL-2.0-only
/* Process start and end: what crt0 found on the initial stack, and exit(). */
#include <errno.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "internal.h"

char **environ;
static unsigned long *auxv;

int main(int argc, char **argv, char **envp);

void lm_start(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char **p = envp;

	/* The auxiliary vector follows the NULL that ends envp. */
	while (*p)
		p++;
	auxv = (unsigned long *)(p + 1);
	environ = envp;
	exit(main(argc, argv, envp));
}

unsigned long getauxval(unsigned long type)
{
	for (unsigned long *a = auxv; a && a[0] != AT_NULL; a += 2)
		if (a[0] == type)
			return a[1];
	errno = ENOENT;
	return 0;
}

/* No atexit() handlers yet: flushing stdout is all there is to do. */
void exit(int status)
{
	stdio_flush_all();
	_exit(status);
}
