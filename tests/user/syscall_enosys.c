// SPDX-License-Identifier: GPL-2.0-only
/* A number the kernel does not know must fail with ENOSYS, not crash. */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lwk_test.h"

int main(void)
{
	errno = 0;
	EXPECT(syscall(999) == -1);
	EXPECT(errno == ENOSYS);
	errno = 0;
	EXPECT(syscall(-1) == -1);
	EXPECT(errno == ENOSYS);
	/* And syscall() itself works for a number that exists. */
	EXPECT(syscall(SYS_getpid) == getpid());
	test_pass("syscall_enosys");
	return 0;
}
