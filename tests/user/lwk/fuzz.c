// SPDX-License-Identifier: GPL-2.0-only
/*
 * Syscall fuzzer, for the LWK only: never run it on Linux, where random
 * syscalls as root can change the machine (mount, sethostname, ...).
 * 100,000 random syscall numbers with random arguments. The
 * kernel must answer every one (an error is fine) and survive; the program
 * must still be alive at the end to say how many calls it made. Calls that
 * legitimately end, stop or rewire this very process (exit, kill, clone,
 * sigreturn, memory management on its own mappings, TLS, blocking waits)
 * are skipped: they would end the test, not find a kernel bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lwk_test.h"

#define CALLS 100000
#define MAX_NR 460
#define SCRATCH (64ul << 20)

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
	return test_rand(&rng);
}

static int skipped(long nr)
{
	static const long skip[] = {
		SYS_exit,
		SYS_exit_group,
		SYS_kill,
		SYS_tkill,
		SYS_tgkill,
		SYS_rt_sigreturn,
		SYS_clone,
		SYS_clone3,
		SYS_fork,
		SYS_vfork,
		SYS_execve,
		SYS_execveat,
		SYS_munmap,
		SYS_mremap,
		SYS_mprotect,
		SYS_madvise,
		SYS_brk,
		SYS_mmap,
		SYS_arch_prctl,
		SYS_set_tid_address,
		SYS_futex,
		SYS_nanosleep,
		SYS_clock_nanosleep,
		SYS_rt_sigaction,
		SYS_rt_sigprocmask,
		SYS_sigaltstack,
		SYS_pause,
		SYS_rt_sigsuspend,
		SYS_wait4,
		SYS_waitid,
		SYS_sched_setaffinity,
		SYS_seccomp,
		SYS_prctl,
		SYS_reboot,
		SYS_write,
		SYS_writev,
	};

	for (unsigned int i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (nr == skip[i])
			return 1;
	return 0;
}

/* An argument: small integers, flags, pointers into the scratch area, or
 * anything at all, each a quarter of the time. */
static long argument(char *scratch)
{
	uint64_t r = next();

	switch (r & 3) {
	case 0:
		return (long)(r >> 2) % 64 - 8;
	case 1:
		return (long)(1ul << ((r >> 2) % 64));
	case 2:
		return (long)(scratch + (r >> 2) % (SCRATCH / 2));
	default:
		return (long)next();
	}
}

int main(void)
{
	char *scratch =
	    mmap(NULL, SCRATCH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long ok = 0, failed = 0, calls = 0;

	EXPECT(scratch != MAP_FAILED);
	while (calls < CALLS) {
		long nr = (long)(next() % MAX_NR), r;

		if (skipped(nr))
			continue;
		r = syscall(nr, argument(scratch), argument(scratch), argument(scratch),
			    argument(scratch), argument(scratch), argument(scratch));
		if (r == -1)
			failed++;
		else
			ok++;
		calls++;
	}
	printf("fuzz: %lu calls: %lu succeeded, %lu failed\n", calls, ok, failed);
	EXPECT(calls == CALLS);
	test_pass("fuzz");
	return 0;
}
