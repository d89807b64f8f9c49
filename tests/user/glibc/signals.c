// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signal delivery as a Linux program sees it: SA_SIGINFO handlers get the
 * sender's siginfo, run with the signal (and sa_mask) blocked, and return
 * through sigreturn to where the program was with its mask restored; a
 * SIGSEGV handler learns the faulting address and why, and escapes with
 * siglongjmp; SA_ONSTACK runs a handler on the alternate stack; a blocked
 * signal stays pending until it is unblocked, standard signals coalesce and
 * real-time ones queue in order. glibc only: libc-min has no sigaction.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lwk_test.h"

#define ALTSTACK_SIZE (64 * 1024)
#define NR_QUEUED 3

static volatile sig_atomic_t handled;
static volatile int seen_signo, seen_code, seen_value;
static volatile int seen_masked_self, seen_masked_extra;
static volatile int queued_values[NR_QUEUED];

static void on_signal(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int extra_blocked)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (extra_blocked)
		sigaddset(&sa.sa_mask, extra_blocked);
	EXPECT(sigaction(sig, &sa, NULL) == 0);
}

static int is_blocked(int sig)
{
	sigset_t now;

	EXPECT(sigprocmask(SIG_BLOCK, NULL, &now) == 0);
	return sigismember(&now, sig);
}

static void record_info(int sig, siginfo_t *info, void *uc)
{
	seen_signo = info->si_signo;
	seen_code = info->si_code;
	seen_value = info->si_value.sival_int;
	seen_masked_self = is_blocked(sig);
	seen_masked_extra = is_blocked(SIGUSR2);
	handled++;
}

/* raise() and sigqueue() each deliver before they return, with the
 * sender's si_code and value; afterwards the old mask is back. */
static void check_siginfo(void)
{
	volatile long before = 0x5eed, after;

	on_signal(SIGUSR1, record_info, 0, SIGUSR2);
	handled = 0;
	EXPECT(raise(SIGUSR1) == 0);
	after = before + 1;
	EXPECT(handled == 1 && seen_signo == SIGUSR1 && seen_code == SI_TKILL);
	EXPECT(seen_masked_self && seen_masked_extra);
	EXPECT(!is_blocked(SIGUSR1) && !is_blocked(SIGUSR2));
	EXPECT(after == 0x5eee);
	EXPECT(sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 }) == 0);
	EXPECT(handled == 2 && seen_signo == SIGUSR1 && seen_code == SI_QUEUE);
	printf("SIGUSR1: si_signo %d si_code %d value %d, masked in handler, resumed\n", seen_signo,
	       seen_code, seen_value);
	EXPECT(seen_value == 4242);
}

static sigjmp_buf fault_return;
static void *volatile fault_addr;

static void escape_fault(int sig, siginfo_t *info, void *uc)
{
	seen_signo = info->si_signo;
	seen_code = info->si_code;
	fault_addr = info->si_addr;
	siglongjmp(fault_return, 1);
}

/* Writes to addr, which must fault; returns what the handler saw. */
static void *fault_at(uintptr_t addr)
{
	/* volatile, so the compiler neither sees a constant NULL-ish address
	 * nor keeps the pointer in a register the longjmp would not restore. */
	static volatile uintptr_t target;

	target = addr;
	fault_addr = NULL;
	seen_signo = seen_code = 0;
	if (sigsetjmp(fault_return, 1) == 0) {
		*(volatile int *)target = 1;
		printf("write to %#lx did not fault\n", (unsigned long)addr);
		EXPECT(0);
	}
	EXPECT(seen_signo == SIGSEGV);
	return fault_addr;
}

static void check_segv(void)
{
	void *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	EXPECT(page != MAP_FAILED);
	on_signal(SIGSEGV, escape_fault, 0, 0);
	/* Twice: siglongjmp must have unblocked SIGSEGV again, or the second
	 * fault would kill the process. */
	for (uintptr_t addr = 0x10; addr <= 0x20; addr += 0x10) {
		EXPECT(fault_at(addr) == (void *)addr);
		EXPECT(seen_code == SEGV_MAPERR);
	}
	EXPECT(fault_at((uintptr_t)page + 8) == (char *)page + 8);
	EXPECT(seen_code == SEGV_ACCERR);
	EXPECT(!is_blocked(SIGSEGV));
	EXPECT(munmap(page, 4096) == 0);
	printf("SIGSEGV: NULL+0x10 and +0x20 gave SEGV_MAPERR, a read-only page SEGV_ACCERR\n");
	EXPECT(signal(SIGSEGV, SIG_DFL) != SIG_ERR);
}

static void *volatile handler_local;
static volatile int handler_on_altstack;

static void note_stack(int sig, siginfo_t *info, void *uc)
{
	volatile int local = sig;
	stack_t now;

	handler_local = (void *)&local;
	handler_on_altstack = sigaltstack(NULL, &now) == 0 && (now.ss_flags & SS_ONSTACK);
	handled++;
}

static void check_altstack(void)
{
	static char altstack[ALTSTACK_SIZE] __attribute__((aligned(16)));
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) }, now;
	char *local;

	EXPECT(sigaltstack(&ss, NULL) == 0);
	on_signal(SIGUSR1, note_stack, SA_ONSTACK, 0);
	handled = 0;
	EXPECT(raise(SIGUSR1) == 0);
	EXPECT(handled == 1);
	local = (char *)handler_local;
	printf("SA_ONSTACK: handler local at %p, alternate stack %p-%p\n", (void *)local,
	       (void *)altstack, (void *)(altstack + sizeof(altstack)));
	EXPECT(local >= altstack && local < altstack + sizeof(altstack));
	EXPECT(handler_on_altstack);
	EXPECT(sigaltstack(NULL, &now) == 0 && !(now.ss_flags & SS_ONSTACK));
	ss.ss_flags = SS_DISABLE;
	EXPECT(sigaltstack(&ss, NULL) == 0);
}

static void count_signal(int sig, siginfo_t *info, void *uc)
{
	if (sig != SIGUSR2 && handled < NR_QUEUED)
		queued_values[handled] = info->si_value.sival_int;
	handled++;
}

static int is_pending(int sig)
{
	sigset_t pending;

	EXPECT(sigpending(&pending) == 0);
	return sigismember(&pending, sig);
}

static void block(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	EXPECT(sigprocmask(how, &set, NULL) == 0);
}

/* Two raises of a blocked standard signal make one delivery, at unblock. */
static void check_blocked_standard(void)
{
	on_signal(SIGUSR2, count_signal, 0, 0);
	handled = 0;
	block(SIG_BLOCK, SIGUSR2);
	EXPECT(!is_pending(SIGUSR2));
	EXPECT(raise(SIGUSR2) == 0 && raise(SIGUSR2) == 0);
	EXPECT(handled == 0 && is_pending(SIGUSR2));
	block(SIG_UNBLOCK, SIGUSR2);
	EXPECT(handled == 1 && !is_pending(SIGUSR2));
	printf("SIGUSR2: pending while blocked, delivered once when unblocked\n");
}

/* Real-time signals queue: three sent, three delivered, in order. */
static void check_blocked_realtime(void)
{
	int sig = SIGRTMIN;

	on_signal(sig, count_signal, 0, 0);
	handled = 0;
	block(SIG_BLOCK, sig);
	for (int i = 0; i < NR_QUEUED; i++)
		EXPECT(sigqueue(getpid(), sig, (union sigval){ .sival_int = 10 + i }) == 0);
	EXPECT(handled == 0 && is_pending(sig));
	block(SIG_UNBLOCK, sig);
	EXPECT(handled == NR_QUEUED && !is_pending(sig));
	for (int i = 0; i < NR_QUEUED; i++)
		EXPECT(queued_values[i] == 10 + i);
	printf("SIGRTMIN: %d queued while blocked, delivered in order\n", NR_QUEUED);
}

int main(void)
{
	check_siginfo();
	check_segv();
	check_altstack();
	check_blocked_standard();
	check_blocked_realtime();
	test_pass("signals");
	return 0;
}
