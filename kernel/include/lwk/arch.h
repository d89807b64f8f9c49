/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The narrow interface between generic kernel code and an architecture,
 * declared once here for every arch: arch/<arch>/ implements it for a
 * machine, tests/host/fake_arch.c for the host unit tests. Generic code
 * (kernel/) includes this header, not arch/<arch>/ headers; lwk/cpu.h,
 * lwk/proc.h and lwk/spinlock.h pull in the arch's struct cpu_arch,
 * struct thread_arch and arch_pause for it.
 *
 * What cannot be an out-of-line call comes from the arch's
 * <arch/arch_impl.h>: the functions an arch may make inline
 *
 *   void *arch_phys_to_virt(paddr_t p)       owned RAM through the direct map
 *   paddr_t arch_virt_to_phys(const void *v) of a direct-map or image address
 *   uint64_t arch_cycles(void)               the cycle counter
 *   uint64_t arch_irq_save(void)             interrupts off, returns the old
 *   void arch_irq_restore(uint64_t flags)    state, for arch_irq_restore
 *   void arch_irq_disable(void), arch_irq_enable(void)
 *   void arch_irq_take_pending(void)         with interrupts off: take those
 *                                            pending, then turn them off again
 *
 * and the constants: KERNEL_VMA (the kernel image's virtual base, virt =
 * phys + KERNEL_VMA), ARCH_VECTOR_PAGE_FAULT and ARCH_VECTOR_WAKE (vector
 * numbers, for counters), ARCH_CLONE_ARG_{FLAGS,STACK,PARENT_TID,
 * CHILD_TID,TLS} (clone(2)'s register arguments in this arch's order) and
 * ARCH_UNAME_MACHINE (uname(2)'s machine field). <arch/percpu.h> gives
 * struct cpu *arch_this_cpu(void), the running core's block (lwk/cpu.h).
 *
 * A few hooks are declared next to the code that calls them: the panic's
 * (lwk/panic.h), the signal frame's (lwk/signal.h), and the user code of
 * the forwarding ktests (kernel/channel/forward_test.c).
 */
#pragma once

#include <lwk/types.h>
#include <arch/arch_impl.h>

struct cpu;
struct trap_frame;
struct thread_arch;

/* ---- cores ------------------------------------------------------------------ */

/* Identity of the running core: its logical index, and the ID the
 * hardware reports, read afresh. */
unsigned int arch_cpu_id(void);
uint32_t arch_cpu_hw_id(void);

/* Stop this core for good (panic, shutdown). */
__noreturn void arch_halt_forever(void);

/* Is the memory protection the kernel relies on on (no-execute, write
 * protection, no kernel access to user pages where the CPU can refuse it)?
 * Logs what is missing. */
bool arch_cpu_features_ok(void);

/* Finish the boot core's setup once memory management is up: interrupt
 * controller on, IPIs possible. Returns the boot core's hardware ID. */
uint32_t arch_boot_cpu_late_init(void);
/* Put the listed cores into their wait-for-start state. */
int arch_cpus_send_init(struct cpu *const *list, unsigned int n);
/* Start core @c, already in that state, through the trampoline page;
 * bounded by @timeout_us. Returns 0 once the core runs kernel code,
 * -ETIMEDOUT if it never did. */
int arch_cpu_start(struct cpu *c, paddr_t trampoline, uint64_t timeout_us);
/* Put a core that failed to start back into its wait-for-start state. */
void arch_cpu_park(struct cpu *c);
/* Interrupt a halted core so that it looks at its work again. */
void arch_cpu_wake(struct cpu *c);
/* Halt until an interrupt arrives, with no lost-wakeup window: the caller
 * has interrupts off and has checked for work. */
void arch_idle_halt(void);

/* The doorbell to Linux: interrupt @vector on the Linux core @hw_id (a
 * fixed interrupt, physical destination). 0, or -errno if it could not be
 * sent. */
int arch_notify_host(uint32_t vector, uint32_t hw_id);

/* Interrupt and exception vectors, for counters and reports. */
const char *arch_vector_name(unsigned int vec);

/* A hardware random number; false if the CPU has none. */
bool arch_random(uint64_t *out);

/* ---- console and verdict ------------------------------------------------------ */

/* The polled console (a serial port), if there is one; without one, output
 * goes nowhere (the log ring still has it). */
void arch_console_write(const char *s, size_t n);
/* Bare mode: a user program's stdout (fd 1) or stderr (fd 2), raw; only
 * where there is a console. */
void arch_user_output(int fd, const char *s, size_t n);
/* From here on, use exactly the console and the exit device that the boot
 * description names (lwk,uart-port, lwk,exit-port): none named, none used.
 * A partition beside Linux names none, and the kernel touches no device of
 * the machine's. */
struct bootdesc;
void arch_devices_setup(const struct bootdesc *bd);

/* Leave the machine with a verdict: under QEMU (lwk,exit-port) this exits
 * through its exit device (QEMU's status is code * 2 + 1); elsewhere the
 * core halts with interrupts off, and the channel header says why. */
enum arch_exit_code {
	ARCH_EXIT_PASS = 0x10,	/* QEMU status 33 */
	ARCH_EXIT_FAIL = 0x11,	/* QEMU status 35 */
	ARCH_EXIT_PANIC = 0x12, /* QEMU status 37 */
};
__noreturn void arch_exit(enum arch_exit_code code);

/* ktests: user code to copy into a test process (the arch's ktest_user.S
 * says how it is driven). */
extern const char arch_ktest_user_code[], arch_ktest_user_code_end[];
extern const char arch_ktest_user_quiet[], arch_ktest_user_noisy[];

/* ---- time ------------------------------------------------------------------ */

/* The one-shot timer of this core: one interrupt when the cycle counter
 * (arch_cycles) reaches @deadline. Armed only while a thread sleeps. */
void arch_timer_arm(uint64_t deadline);
void arch_timer_disarm(void);

/* Busy-wait on the calibrated cycle counter. */
void arch_udelay(uint64_t us);
/* The cycle counter's frequency (arch_cycles per second), and setting it
 * once measured. */
uint64_t arch_tsc_hz(void);
void arch_tsc_set_hz(uint64_t hz);

/* ---- kernel page tables -------------------------------------------------------- */

/* The image runs from physical @base (lwk,kernel) instead of its link
 * address. Called once by an entry that was told so, before anything turns
 * an image address into a physical one; -EINVAL if @base cannot be one
 * (not 2 MiB aligned, or out of the arch's reach). */
int arch_kernel_set_phys_base(uint64_t base);

/* Start a fresh set with the kernel image mapped (text read-only and
 * executable, everything else no-execute), add owned RAM to the direct map
 * with the largest pages that fit, then switch to them. */
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

/* ---- user address spaces ------------------------------------------------------- */

/* A root table per process. Protection bits are Linux's PROT_* values.
 * @large allows 2 MiB / 1 GiB pages where the alignment of va, pa and size
 * permits. */
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

/* ---- user mode ------------------------------------------------------------------ */

void arch_user_init_cpu(void);
/* Kernel stack used on entry from user mode on this core. */
void arch_set_kernel_stack(uint64_t top);
/* The running thread's user TLS registers (struct thread_arch). User code
 * may change them without a system call, so they are read back when a
 * thread is switched out, never assumed. */
void arch_tls_save(struct thread_arch *ta);
void arch_tls_load(const struct thread_arch *ta);
/* clone's CLONE_SETTLS: may @tp be the thread pointer? Then set it in @ta. */
bool arch_tls_pointer_ok(uint64_t tp);
void arch_tls_set_pointer(struct thread_arch *ta, uint64_t tp);
uint64_t arch_syscall_nr(const struct trap_frame *tf);
void arch_syscall_args(const struct trap_frame *tf, uint64_t a[6]);
void arch_syscall_set_return(struct trap_frame *tf, int64_t v);
bool arch_frame_from_user(const struct trap_frame *tf);
/* AT_HWCAP, AT_HWCAP2, and AT_MINSIGSTKSZ for this CPU's enabled state. */
uint64_t arch_hwcap(void);
uint64_t arch_hwcap2(void);
uint64_t arch_min_signal_stack(void);

/* ---- threads --------------------------------------------------------------------- */

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
