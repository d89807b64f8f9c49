// SPDX-License-Identifier: GPL-2.0-only
/* User mode: the SYSCALL MSRs, FPU/SIMD state, entering ring 3 and reading
 * a system call's registers. */
#include <string.h>
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/thread_arch.h>
#include <arch/trap.h>
#include <lwk/cpu.h>

#define CR4_OSXSAVE (1u << 18)
#define XCR0_X87 1u
#define XCR0_SSE 2u
#define XCR0_AVX 4u
#define XCR0_AVX512 0xe0u /* opmask, ZMM_Hi256, Hi16_ZMM */

void syscall_entry(void);
void trap_return(void);

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* SSE always (x86_64 programs assume it); XSAVE with every user state the
 * CPU has, so that programs see AVX and AVX-512 where they exist. */
static void fpu_init(void)
{
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
	struct cpuid_regs l1 = cpuid(1, 0);

	if (l1.ecx & (1u << 26)) { /* XSAVE */
		struct cpuid_regs d = cpuid(0xd, 0);
		uint64_t xcr0 = XCR0_X87 | XCR0_SSE;

		if (d.eax & XCR0_AVX)
			xcr0 |= XCR0_AVX;
		if ((d.eax & XCR0_AVX512) == XCR0_AVX512)
			xcr0 |= XCR0_AVX512;
		write_cr4(cr4 | CR4_OSXSAVE);
		xsetbv(0, xcr0);
	} else {
		write_cr4(cr4);
	}
	__asm__ volatile("fninit");
}

void arch_user_init_cpu(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)GDT_USER_BASE << 48) | ((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Entered with interrupts off, direction clear, no single-step, and
	 * AC clear so that SMAP stays in force. */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_NT | RFLAGS_AC);
	fpu_init();
}

void arch_set_kernel_stack(uint64_t top)
{
	struct cpu *c = this_cpu();

	c->kstack_top = top;
	c->arch.tss.rsp[0] = top;
}

/* In the kernel (after SWAPGS) the user's GS base sits in KERNEL_GS_BASE. */
void arch_tls_load(const struct thread_arch *ta)
{
	wrmsr(MSR_FS_BASE, ta->fs_base);
	wrmsr(MSR_KERNEL_GS_BASE, ta->gs_base);
}

void arch_tls_save(struct thread_arch *ta)
{
	ta->fs_base = rdmsr(MSR_FS_BASE);
	ta->gs_base = rdmsr(MSR_KERNEL_GS_BASE);
}

/* FS base goes into an MSR that faults on a non-canonical value. */
bool arch_tls_pointer_ok(uint64_t tp)
{
	return tp < 0x0000800000000000ull;
}

void arch_tls_set_pointer(struct thread_arch *ta, uint64_t tp)
{
	ta->fs_base = tp;
}

uint64_t arch_syscall_nr(const struct trap_frame *tf)
{
	return tf->rax;
}

void arch_syscall_args(const struct trap_frame *tf, uint64_t a[6])
{
	a[0] = tf->rdi;
	a[1] = tf->rsi;
	a[2] = tf->rdx;
	a[3] = tf->r10;
	a[4] = tf->r8;
	a[5] = tf->r9;
}

void arch_syscall_set_return(struct trap_frame *tf, int64_t v)
{
	tf->rax = (uint64_t)v;
}

bool arch_frame_from_user(const struct trap_frame *tf)
{
	return tf->cs & 3;
}

bool arch_random(uint64_t *out)
{
	static int has = -1;
	unsigned char ok;

	if (has < 0)
		has = !!(cpuid(1, 0).ecx & (1u << 30));
	if (!has)
		return false;
	for (int i = 0; i < 10; i++) { /* RDRAND may transiently fail */
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

uint64_t arch_hwcap(void)
{
	return cpuid(1, 0).edx; /* what Linux puts in AT_HWCAP on x86 */
}

uint64_t arch_hwcap2(void)
{
	return (read_cr4() & CR4_FSGSBASE) ? 2 : 0; /* HWCAP2_FSGSBASE */
}

/* A signal frame holds the XSAVE area for the enabled state plus the
 * ucontext and siginfo: Linux's AT_MINSIGSTKSZ is that size. */
uint64_t arch_min_signal_stack(void)
{
	uint64_t xsave = (cpuid(1, 0).ecx & (1u << 26)) ? cpuid(0xd, 0).ebx : 512;

	return ALIGN_UP(xsave + 1024, 64);
}

void thread_first_entry(void);

/* Lay out a new thread's kernel stack: its user frame at the top (a copy of
 * @from, or a fresh one for @entry/@sp), and below it what
 * arch_context_switch pops: six zero registers and thread_first_entry. */
uint64_t arch_thread_init(uint64_t kstack_top, const struct trap_frame *from, uint64_t entry,
			  uint64_t sp)
{
	struct trap_frame *tf = (struct trap_frame *)(kstack_top - sizeof(*tf));
	uint64_t *k = (uint64_t *)tf;

	if (from) {
		*tf = *from;
	} else {
		memset(tf, 0, sizeof(*tf));
		tf->rip = entry;
		tf->cs = GDT_USER_CODE;
		tf->rflags = RFLAGS_IF | 2;
		tf->ss = GDT_USER_DATA;
	}
	tf->rsp = sp;
	*--k = (uint64_t)thread_first_entry;
	for (int i = 0; i < 6; i++)
		*--k = 0;
	return (uint64_t)k;
}

void arch_frame_set_return(struct trap_frame *tf, uint64_t v)
{
	tf->rax = v;
}

/* ---- FPU/SIMD state, saved on every switch between user threads ---------- */

static int xsave_kind = -1; /* 1: XSAVE, 0: FXSAVE */

uint64_t arch_fpu_state_size(void)
{
	if (xsave_kind < 0)
		xsave_kind = !!(read_cr4() & CR4_OSXSAVE);
	return xsave_kind ? cpuid(0xd, 0).ebx : 512;
}

void arch_fpu_save(void *area)
{
	if (xsave_kind)
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
	else
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void arch_fpu_restore(const void *area)
{
	if (xsave_kind)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(-1), "d"(-1) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

/* A fresh area: Linux's initial state (FCW 0x37f, MXCSR 0x1f80). With
 * XSAVE a zero header means "init state" for every component. */
void arch_fpu_init_area(void *area)
{
	memset(area, 0, arch_fpu_state_size());
	((uint16_t *)area)[0] = 0x37f;
	((uint32_t *)area)[6] = 0x1f80;
	((uint32_t *)area)[7] = 0xffbf; /* MXCSR_MASK as FXSAVE reports it */
}

uint64_t arch_frame_user_sp(const struct trap_frame *tf)
{
	return tf->rsp;
}

uint64_t arch_frame_size(void)
{
	return sizeof(struct trap_frame);
}
