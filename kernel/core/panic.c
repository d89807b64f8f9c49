// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/log.h>
#include <lwk/panic.h>

static int panicking = -1; /* id of the panicking core, or -1 */
/* The report's first line, kept for the channel. Only the panicking core
 * writes it, with every other core stopped: no lock is needed or taken. */
static char panic_line[LWK_CHAN_PANIC_LEN];
static size_t panic_line_len;
static bool panic_line_done;

bool panic_in_progress(void)
{
	return READ_ONCE(panicking) >= 0;
}

int panic_cpu(void)
{
	return READ_ONCE(panicking);
}

void panic_begin(void)
{
	int expected = -1;
	int me = arch_cpu_id();

	arch_irq_disable();
	if (!__atomic_compare_exchange_n(&panicking, &expected, me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		if (expected == me) { /* a fault while panicking: just leave */
			static const char msg[] = "\nlwk: fault while reporting a panic\n";

			arch_console_write(msg, sizeof(msg) - 1);
			arch_exit(ARCH_EXIT_PANIC);
		}
		arch_halt_forever(); /* another core is reporting */
	}
	arch_stop_other_cpus();
}

void panic_note_output(const char *s, size_t n)
{
	for (size_t i = 0; i < n && !panic_line_done; i++) {
		if (s[i] == '\n') {
			panic_line_done = panic_line_len > 0; /* skip leading blank lines */
			continue;
		}
		if (panic_line_len < sizeof(panic_line) - 1)
			panic_line[panic_line_len++] = s[i];
	}
}

__noreturn void panic_end(void)
{
	panic_line[panic_line_len] = '\0';
	channel_set_panicked(panic_line_len ? panic_line : "kernel panic (no report line)");
	log_raw("lwk: kernel panic on cpu%u; stopping\n", arch_cpu_id());
	arch_exit(ARCH_EXIT_PANIC);
}

__noreturn void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_raw("\nPANIC on cpu%u: %s\n", arch_cpu_id(), msg);
	/* Start at panic()'s caller: its frame and the address it called from. */
	arch_backtrace(*(uint64_t *)__builtin_frame_address(0),
		       (uint64_t)__builtin_return_address(0));
	panic_end();
}

/* libfdt is built with the stack protector; its canary is struct cpu's
 * stack_canary (arch/percpu.h). */
__noreturn void __stack_chk_fail(void);
__noreturn void __stack_chk_fail(void)
{
	panic("stack protector: a stack buffer overflow was detected");
}
