/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The narrow interface between generic kernel code and x86_64. Generic code
 * (kernel/) includes this header and nothing else from arch/.
 */
#pragma once

#include <lwk/types.h>
#include <arch/pause.h>

/* Kernel virtual memory map (4-level paging):
 *
 *   0xffffffff80000000 +-------------------------------+
 *                      | kernel image (phys + KERNEL_VMA) |
 *   0xffffc00000000000 +-------------------------------+
 *                      | device MMIO (uncached)        |
 *   0xffff800000000000 +-------------------------------+
 *                      | direct map of owned RAM       |
 *                      | (virt = phys + DIRECT_MAP)    |
 *   0xffff800000000000 +-------------------------------+
 *                      | non-canonical hole            |
 *   0x0000800000000000 +-------------------------------+
 *                      | user space (later issues);    |
 *                      | page 0 is never mapped        |
 *   0x0000000000000000 +-------------------------------+
 */
#define KERNEL_VMA 0xffffffff80000000ull
#define DIRECT_MAP 0xffff800000000000ull
#define MMIO_BASE 0xffffc00000000000ull

static inline void *arch_phys_to_virt(paddr_t p)
{
	return (void *)(uintptr_t)(pa_addr(p) + DIRECT_MAP);
}

static inline paddr_t arch_virt_to_phys(const void *v)
{
	uint64_t va = (uint64_t)(uintptr_t)v;

	if (va >= KERNEL_VMA)
		return pa_make(va - KERNEL_VMA);
	return pa_make(va - DIRECT_MAP);
}

/* Identity of the running core: its logical index, and the ID the
 * hardware reports (the APIC ID), read afresh. */
unsigned int arch_cpu_id(void);
uint32_t arch_cpu_hw_id(void);

/* Stop this core for good (panic, shutdown). */
__noreturn void arch_halt_forever(void);

static inline uint64_t arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Early, polled console (COM1). */
void arch_console_init(void);
void arch_console_write(const char *s, size_t n);
/* Bare mode: a user program's stdout (fd 1) or stderr (fd 2), raw. */
void arch_user_output(int fd, const char *s, size_t n);

/* Leave the machine with a verdict: under QEMU this exits through
 * isa-debug-exit; elsewhere the core halts. */
enum arch_exit_code {
	ARCH_EXIT_PASS = 0x10,	/* QEMU status 33 */
	ARCH_EXIT_FAIL = 0x11,	/* QEMU status 35 */
	ARCH_EXIT_PANIC = 0x12, /* QEMU status 37 */
};
__noreturn void arch_exit(enum arch_exit_code code);

/* Interrupt and exception vectors, for counters and reports. */
#define ARCH_VECTOR_PAGE_FAULT 14
#define ARCH_VECTOR_WAKE 0xf0 /* arch_cpu_wake() */
const char *arch_vector_name(unsigned int vec);

/* ktests: user code to copy into a test process (ktest_user.S says how
 * it is driven). */
extern const char arch_ktest_user_code[], arch_ktest_user_code_end[];
extern const char arch_ktest_user_quiet[], arch_ktest_user_noisy[];

/* The one-shot timer of this core: one interrupt when the cycle counter
 * (arch_cycles) reaches @deadline. Armed only while a thread sleeps. */
void arch_timer_arm(uint64_t deadline);
void arch_timer_disarm(void);

/* Busy-wait using the calibrated TSC. */
void arch_udelay(uint64_t us);
uint64_t arch_tsc_hz(void);

/* Kernel page tables: start a fresh set with the kernel image mapped (text
 * read-only and executable, everything else no-execute), add owned RAM to
 * the direct map with the largest pages that fit, then switch to them. */
int arch_mmu_init(void);
int arch_mmu_map_direct(paddr_t base, uint64_t size);
void arch_mmu_activate(void);
/* How many pages of each size the direct map uses: [0] 4K, [1] 2M, [2] 1G. */
void arch_mmu_direct_stats(uint64_t counts[3]);
/* Is @va mapped in the current tables, and writable / executable? */
bool arch_mmu_query(uint64_t va, bool *writable, bool *executable);
bool arch_mmu_query_user(uint64_t va, bool *writable, bool *executable);
/* Drop this core's TLB entries for user memory. */
void arch_tlb_flush_all(void);

/* User address spaces: a root table per process. Protection bits are
 * Linux's PROT_* values. @large allows 2 MiB / 1 GiB pages where the
 * alignment of va, pa and size permits. */
#define ARCH_PROT_READ 1
#define ARCH_PROT_WRITE 2
#define ARCH_PROT_EXEC 4
int arch_uspace_create(uint64_t *root_pa);
int arch_uspace_map(uint64_t root_pa, uint64_t va, paddr_t pa, uint64_t size, unsigned int prot,
		    bool large);
void arch_uspace_destroy(uint64_t root_pa);
/* Change protection of 4 KiB-mapped pages; -EINVAL where a large page
 * covers only part of the range. */
int arch_uspace_protect(uint64_t root_pa, uint64_t va, uint64_t size, unsigned int prot);
void arch_uspace_activate(uint64_t root_pa);
void arch_uspace_deactivate(void);

/* Are NX, write-protect, and SMEP/SMAP (where the CPU has them) on? Logs
 * what is missing. */
bool arch_cpu_features_ok(void);

struct cpu;
/* Finish the boot core's setup once memory management is up: interrupt
 * controller on, IPIs possible. Returns the boot core's APIC ID. */
uint32_t arch_boot_cpu_late_init(void);
void arch_tsc_set_hz(uint64_t hz);
/* Put the listed cores into their wait-for-STARTUP state (INIT). */
int arch_cpus_send_init(struct cpu *const *list, unsigned int n);
/* Start core @c, already INITed, through the trampoline page; bounded by @timeout_us.
 * Returns 0 once the core runs kernel code, -ETIMEDOUT if it never did. */
int arch_cpu_start(struct cpu *c, paddr_t trampoline, uint64_t timeout_us);
/* Put a core that failed to start back into wait-for-STARTUP (INIT). */
void arch_cpu_park(struct cpu *c);
/* Interrupt a halted core so that it looks at its work again. */
void arch_cpu_wake(struct cpu *c);
/* Halt until an interrupt arrives, with no lost-wakeup window: the caller
 * has interrupts off and has checked for work. */
void arch_idle_halt(void);
/* Disable interrupts and return the previous state, for arch_irq_restore. */
static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}
static inline void arch_irq_restore(uint64_t flags)
{
	if (flags & (1u << 9)) /* IF */
		__asm__ volatile("sti" ::: "memory");
}
static inline void arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}
static inline void arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}
/* With interrupts off: take those pending, then turn them off again. (sti's
 * shadow covers one instruction, hence the pause.) */
static inline void arch_irq_take_pending(void)
{
	arch_irq_enable();
	arch_pause();
	arch_irq_disable();
}

/* ---- user mode ------------------------------------------------------------- */

struct trap_frame;
void arch_user_init_cpu(void);
/* Kernel stack used on entry from user mode on this core. */
void arch_set_kernel_stack(uint64_t top);
/* The running thread's user TLS registers (struct thread_arch). User code
 * may change them without a system call (x86_64: WRFSBASE with FSGSBASE
 * on), so they are read back when a thread is switched out, never assumed. */
struct thread_arch;
void arch_tls_save(struct thread_arch *ta);
void arch_tls_load(const struct thread_arch *ta);
/* clone's CLONE_SETTLS: may @tp be the thread pointer? Then set it in @ta. */
bool arch_tls_pointer_ok(uint64_t tp);
void arch_tls_set_pointer(struct thread_arch *ta, uint64_t tp);
/* clone(2)'s register arguments in this arch's order. */
#define ARCH_CLONE_ARG_FLAGS 0
#define ARCH_CLONE_ARG_STACK 1
#define ARCH_CLONE_ARG_PARENT_TID 2
#define ARCH_CLONE_ARG_CHILD_TID 3
#define ARCH_CLONE_ARG_TLS 4
/* uname(2)'s machine field. */
#define ARCH_UNAME_MACHINE "x86_64"
uint64_t arch_syscall_nr(const struct trap_frame *tf);
void arch_syscall_args(const struct trap_frame *tf, uint64_t a[6]);
void arch_syscall_set_return(struct trap_frame *tf, int64_t v);
bool arch_frame_from_user(const struct trap_frame *tf);
/* A hardware random number (RDRAND); false if the CPU has none. */
bool arch_random(uint64_t *out);
/* AT_HWCAP, AT_HWCAP2, and AT_MINSIGSTKSZ for this CPU's enabled state. */
uint64_t arch_hwcap(void);
uint64_t arch_hwcap2(void);
uint64_t arch_min_signal_stack(void);

/* ---- threads ------------------------------------------------------------------ */

void arch_context_switch(uint64_t *save_ksp, uint64_t load_ksp);
/* Prepare a new thread's kernel stack; returns the stack pointer for
 * arch_context_switch. @from: copy that user frame (clone), else start at
 * @entry. Either way the user stack is @sp. */
uint64_t arch_thread_init(uint64_t kstack_top, const struct trap_frame *from, uint64_t entry,
			  uint64_t sp);
void arch_frame_set_return(struct trap_frame *tf, uint64_t v);
uint64_t arch_frame_user_sp(const struct trap_frame *tf);
uint64_t arch_frame_size(void);
uint64_t arch_frame_pc(const struct trap_frame *tf);
uint64_t arch_frame_return_value(const struct trap_frame *tf);
uint64_t arch_fpu_state_size(void);
void arch_fpu_save(void *area);
void arch_fpu_restore(const void *area);
void arch_fpu_init_area(void *area);
