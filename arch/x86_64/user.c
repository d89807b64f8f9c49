// SPDX-License-Identifier: GPL-2.0-only
/* User mode: the SYSCALL MSRs, FPU/SIMD state, entering ring 3 and reading
 * a system call's registers. */
#include <string.h>
#include <arch/arch.h>
#include <arch/x86.h>
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

void arch_set_user_tls(uint64_t fs_base)
{
	wrmsr(MSR_FS_BASE, fs_base);
}

/* Linux's initial state: MXCSR 0x1f80 (all exceptions masked), x87 control
 * word 0x37f. */
static void fpu_reset_user(void)
{
	uint32_t mxcsr = 0x1f80;
	uint16_t fcw = 0x37f;

	__asm__ volatile("fninit; fldcw %0; ldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
}

__noreturn void arch_user_enter(uint64_t kstack_top, uint64_t entry, uint64_t sp)
{
	struct trap_frame *tf = (struct trap_frame *)(kstack_top - sizeof(*tf));

	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->cs = GDT_USER_CODE;
	tf->rflags = RFLAGS_IF | 2; /* bit 1 is always set */
	tf->rsp = sp;
	tf->ss = GDT_USER_DATA;
	fpu_reset_user();
	__asm__ volatile("mov %0, %%rsp; jmp trap_return" : : "r"(tf) : "memory");
	__builtin_unreachable();
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

/* A signal frame holds the XSAVE area for the enabled state plus the
 * ucontext and siginfo: Linux's AT_MINSIGSTKSZ is that size. */
uint64_t arch_min_signal_stack(void)
{
	uint64_t xsave = (cpuid(1, 0).ecx & (1u << 26)) ? cpuid(0xd, 0).ebx : 512;

	return ALIGN_UP(xsave + 1024, 64);
}
