// SPDX-License-Identifier: GPL-2.0-only
/* The IDT, and what happens on each vector. Every exception in the kernel is
 * fatal for now and is decoded in full before the panic: vector name, error
 * code, RIP, CR2, all registers and a backtrace. */
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/trap.h>
#include <arch/lapic.h>
#include <lwk/counters.h>
#include <lwk/log.h>
#include <lwk/cpus.h>
#include <lwk/panic.h>
#include <lwk/proc.h>

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type; /* present, DPL 0, 64-bit interrupt gate */
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;

_Static_assert(sizeof(struct idt_entry) == 16, "IDT gate layout");

static struct idt_entry idt[256] __aligned(16);
extern const char trap_stubs[];

#define EXCEPTION(vec, name) [vec] = name,
static const char *const exception_names[32] = {
#include <uapi/arch/exceptions.def>
};
#undef EXCEPTION

static uint8_t vector_ist(uint64_t vec)
{
	switch (vec) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DOUBLE_FAULT;
	case 18:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned int vec = 0; vec < 256; vec++) {
		uint64_t addr = (uint64_t)trap_stubs + 16 * vec;

		idt[vec] = (struct idt_entry){
			.offset_lo = addr & 0xffff,
			.selector = GDT_KERNEL_CODE,
			.ist = vector_ist(vec),
			/* int3 and into may be used from user mode (DPL 3) */
			.type = (vec == 3 || vec == 4) ? 0xee : 0x8e,
			.offset_mid = (addr >> 16) & 0xffff,
			.offset_hi = addr >> 32,
		};
	}
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed desc = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" : : "m"(desc));
}

static void print_page_fault(const struct trap_frame *tf)
{
	uint64_t e = tf->error;

	log_raw(
	    "  page fault at CR2=0x%016llx: %s %s in %s mode%s%s\n", (unsigned long long)read_cr2(),
	    e & 1 ? "protection violation on a" : "not-present page on a",
	    e & 16 ? "instruction fetch" : (e & 2 ? "write" : "read"), e & 4 ? "user" : "kernel",
	    e & 8 ? ", reserved bit set" : "", e & 32 ? ", protection key" : "");
	if (read_cr2() < 4096)
		log_raw("  (a NULL pointer dereference)\n");
}

static void print_registers(const struct trap_frame *tf)
{
#define R(n) (unsigned long long)tf->n
	log_raw("  RIP=0x%016llx CS=0x%llx RFLAGS=0x%llx\n", R(rip), R(cs), R(rflags));
	log_raw("  RSP=0x%016llx SS=0x%llx  CR2=0x%016llx CR3=0x%llx\n", R(rsp), R(ss),
		(unsigned long long)read_cr2(), (unsigned long long)read_cr3());
	log_raw("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n", R(rax), R(rbx), R(rcx),
		R(rdx));
	log_raw("  RSI=%016llx RDI=%016llx RBP=%016llx R8 =%016llx\n", R(rsi), R(rdi), R(rbp),
		R(r8));
	log_raw("  R9 =%016llx R10=%016llx R11=%016llx R12=%016llx\n", R(r9), R(r10), R(r11),
		R(r12));
	log_raw("  R13=%016llx R14=%016llx R15=%016llx\n", R(r13), R(r14), R(r15));
#undef R
}

static __noreturn void exception_fatal(struct trap_frame *tf)
{
	panic_begin();
	log_raw("\nPANIC on cpu%u: %s (vector %llu), error code 0x%llx\n", arch_cpu_id(),
		exception_names[tf->vector], (unsigned long long)tf->vector,
		(unsigned long long)tf->error);
	if (tf->vector == 14)
		print_page_fault(tf);
	print_registers(tf);
	arch_backtrace(tf->rbp, tf->rip);
	panic_end();
}

/* The signal Linux sends for each exception taken in user mode. */
static int exception_signal(uint64_t vec)
{
	switch (vec) {
	case 0:
	case 16:
	case 19:
		return 8; /* SIGFPE */
	case 1:
	case 3:
		return 5; /* SIGTRAP */
	case 6:
		return 4; /* SIGILL */
	case 12:
	case 17:
		return 7; /* SIGBUS */
	default:
		return 11; /* SIGSEGV */
	}
}

/* A user program faulted: that is its own problem, never the kernel's.
 * Signal handlers do not exist yet, so the process dies of the signal. */
/* si_code for the fault, as Linux reports it. */
static int exception_code(const struct trap_frame *tf)
{
	switch (tf->vector) {
	case 14:
		return (tf->error & 1) ? 2 : 1; /* SEGV_ACCERR : SEGV_MAPERR */
	case 6:
		return 2; /* ILL_ILLOPN */
	case 0:
		return 1; /* FPE_INTDIV */
	case 3:
		return 1; /* TRAP_BRKPT */
	default:
		return 0x80; /* SI_KERNEL */
	}
}

/* A page fault on an access the page tables now allow: a stale TLB entry
 * from before an mprotect that granted more (the fault itself dropped
 * it). Retrying is all it takes. */
static bool spurious_user_fault(const struct trap_frame *tf)
{
	bool w, x;

	if (tf->vector != 14 || !(tf->error & 1))
		return false;
	if (!arch_mmu_query_user(read_cr2(), &w, &x))
		return false;
	return (!(tf->error & 2) || w) && (!(tf->error & 16) || x);
}

static void user_exception(struct trap_frame *tf)
{
	struct ksiginfo info = {
		.signo = exception_signal(tf->vector),
		.code = exception_code(tf),
		.addr = tf->vector == 14 ? read_cr2() : tf->rip,
	};

	if (!spurious_user_fault(tf))
		signal_fault(tf, &info, exception_names[tf->vector]);
	thread_return_to_user(tf);
}

_Static_assert(VEC_IPI_CALL == ARCH_VECTOR_WAKE, "one wake-up vector");

const char *arch_vector_name(unsigned int vec)
{
	if (vec < 32)
		return exception_names[vec];
	switch (vec) {
	case VEC_TIMER:
		return "timer";
	case VEC_IPI_CALL:
		return "wake-up IPI";
	case VEC_APIC_ERROR:
		return "APIC error";
	case VEC_SPURIOUS:
		return "spurious interrupt";
	default:
		return "unexpected interrupt";
	}
}

static void trap_handle(struct trap_frame *tf)
{
	if (tf->vector == 2 && cpus_stop_requested())
		cpus_stopped(); /* shutdown */
	if (tf->vector == 2 && panic_in_progress()) {
		if (panic_cpu() != (int)arch_cpu_id())
			arch_halt_forever(); /* stopped by the panicking core */
		return;			     /* a stray NMI must not cut the report short */
	}
	/* NMI and machine checks are the hardware's, not the program's. */
	if (tf->vector < 32 && (tf->cs & 3) && tf->vector != 2 && tf->vector != 18) {
		user_exception(tf);
		return;
	}
	if (tf->vector < 32)
		exception_fatal(tf);
	switch (tf->vector) {
	case VEC_IPI_CALL:
		if (this_cpu()->tlb_flush) { /* mprotect on another core */
			write_cr3(read_cr3());
			__atomic_store_n(&this_cpu()->tlb_flush, 0, __ATOMIC_SEQ_CST);
		}
		lapic_eoi();
		break;
	case VEC_TIMER: /* a sleeper's deadline: the idle loop looks */
		lapic_eoi();
		break;
	case VEC_APIC_ERROR:
		log_warn("APIC error, ESR 0x%x", lapic_read_esr());
		lapic_eoi();
		break;
	case VEC_SPURIOUS: /* no EOI for spurious interrupts */
		break;
	default:
		log_warn("unexpected interrupt vector %llu", (unsigned long long)tf->vector);
		lapic_eoi();
	}
	/* Back to user mode: a signal sent from another core (that is why it
	 * interrupted us) is delivered now. */
	if ((tf->cs & 3) && this_cpu()->current)
		thread_return_to_user(tf);
}

void trap_dispatch(struct trap_frame *tf)
{
	uint64_t traced = counters_vector(tf->vector);

	trap_handle(tf);
	trace_exit(traced);
}
