// SPDX-License-Identifier: GPL-2.0-only
/*
 * The x86_64 signal frame, as Linux lays it out (so that glibc, musl and
 * debuggers read it): the return address (sa_restorer), a ucontext with
 * the registers in a sigcontext, the siginfo, and the XSAVE area above.
 */
#include <string.h>
#include <lwk/arch.h>
#include <arch/x86.h>
#include <arch/trap.h>
#include <lwk/proc.h>
#include <lwk/signal.h>

struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved1[8];
};

struct ucontext64 {
	uint64_t uc_flags, uc_link;
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
	struct sigcontext64 mc;
	uint64_t sigmask;
};

struct siginfo64 {
	int32_t signo, errno_, code, pad;
	union {
		uint64_t addr;
		struct {
			int32_t pid, uid;
			uint64_t value;
		} kill;
		uint8_t bytes[112];
	};
};

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext64 uc;
	struct siginfo64 info;
};

_Static_assert(sizeof(struct sigcontext64) == 256, "Linux struct sigcontext");
_Static_assert(sizeof(struct ucontext64) == 304, "Linux struct ucontext");
_Static_assert(sizeof(struct siginfo64) == 128, "Linux siginfo_t");
_Static_assert(__builtin_offsetof(struct ucontext64, mc) == 40, "uc_mcontext");

#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define FP_XSTATE_MAGIC1 0x46505853u
#define FP_XSTATE_MAGIC2 0x46505845u
#define USER_FLAGS 0x50dd5ull /* AC OF DF TF SF ZF AF PF CF RF: what user code may set */

static void regs_to_context(const struct trap_frame *tf, struct sigcontext64 *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10, mc->r11 = tf->r11;
	mc->r12 = tf->r12, mc->r13 = tf->r13, mc->r14 = tf->r14, mc->r15 = tf->r15;
	mc->rdi = tf->rdi, mc->rsi = tf->rsi, mc->rbp = tf->rbp, mc->rbx = tf->rbx;
	mc->rdx = tf->rdx, mc->rax = tf->rax, mc->rcx = tf->rcx, mc->rsp = tf->rsp;
	mc->rip = tf->rip, mc->eflags = tf->rflags;
	mc->cs = (uint16_t)tf->cs, mc->ss = (uint16_t)tf->ss;
	if (tf->vector < 32) { /* a fault: what Linux reports with it */
		mc->trapno = tf->vector;
		mc->err = tf->error;
		mc->cr2 = tf->vector == 14 ? read_cr2() : 0;
	}
}

static void context_to_regs(const struct sigcontext64 *mc, struct trap_frame *tf)
{
	tf->r8 = mc->r8, tf->r9 = mc->r9, tf->r10 = mc->r10, tf->r11 = mc->r11;
	tf->r12 = mc->r12, tf->r13 = mc->r13, tf->r14 = mc->r14, tf->r15 = mc->r15;
	tf->rdi = mc->rdi, tf->rsi = mc->rsi, tf->rbp = mc->rbp, tf->rbx = mc->rbx;
	tf->rdx = mc->rdx, tf->rax = mc->rax, tf->rcx = mc->rcx, tf->rsp = mc->rsp;
	tf->rip = mc->rip;
	tf->rflags = (tf->rflags & ~USER_FLAGS) | (mc->eflags & USER_FLAGS);
	tf->cs = GDT_USER_CODE; /* never anything else: no way into ring 0 */
	tf->ss = GDT_USER_DATA;
}

static void siginfo_fill(struct siginfo64 *si, int sig, const struct ksiginfo *info)
{
	memset(si, 0, sizeof(*si));
	si->signo = sig;
	si->code = info->code;
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		si->addr = info->addr;
	} else {
		si->kill.pid = info->pid;
		si->kill.uid = info->uid;
		si->kill.value = info->value; /* sigqueue's si_value */
	}
}

int arch_siginfo_copy_out(struct thread *t, uint64_t uva, int sig, const struct ksiginfo *info)
{
	struct siginfo64 si;

	siginfo_fill(&si, sig, info);
	return uvm_copy_out(&t->proc->uvm, uva, &si, sizeof(si));
}

/* Write the FPU state the handler interrupts to the user stack at @at; the
 * handler itself starts from the initial state, as on Linux. */
static int fpu_to_user(struct thread *t, uint64_t at, uint64_t size)
{
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	uint32_t *sw;

	arch_fpu_save(t->fpu);
	sw = (uint32_t *)((uint8_t *)t->fpu + 464); /* fxsave sw_reserved */
	sw[0] = FP_XSTATE_MAGIC1;
	sw[1] = size + 4;
	*(uint64_t *)&sw[2] = (read_cr4() & (1u << 18)) ? (uint64_t)-1 : 3;
	sw[4] = size;
	if (uvm_copy_out(&t->proc->uvm, at, t->fpu, size) ||
	    uvm_copy_out(&t->proc->uvm, at + size, &magic2, 4))
		return -1;
	arch_fpu_init_area(t->fpu);
	arch_fpu_restore(t->fpu);
	return 0;
}

/* Returning to a non-canonical address would fault in ring 0 (IRETQ and
 * SYSRET both check it there): user addresses are refused up front. */
static bool user_address(uint64_t va)
{
	return va < 0x0000800000000000ull;
}

int arch_signal_frame_setup(struct thread *t, struct trap_frame *tf, uint64_t sp, int sig,
			    const struct ksiginfo *info, const struct k_sigaction *ka,
			    uint64_t old_mask)
{
	uint64_t fpsize = arch_fpu_state_size();
	uint64_t fpstate = ALIGN_DOWN(sp - fpsize - 4, 64);
	uint64_t frame_at = ALIGN_DOWN(fpstate - sizeof(struct rt_sigframe), 16) - 8;
	struct rt_sigframe f;

	if (!user_address(ka->handler) || !user_address(ka->restorer))
		return -1;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.ss_sp = t->altstack_sp;
	f.uc.ss_flags = t->altstack_size ? 0 : 2;
	f.uc.ss_size = t->altstack_size;
	regs_to_context(tf, &f.uc.mc);
	f.uc.mc.fpstate = fpstate;
	f.uc.mc.oldmask = old_mask;
	f.uc.sigmask = old_mask;
	siginfo_fill(&f.info, sig, info);
	if (fpu_to_user(t, fpstate, fpsize) || uvm_copy_out(&t->proc->uvm, frame_at, &f, sizeof(f)))
		return -1;
	tf->rip = ka->handler;
	tf->rsp = frame_at;
	tf->rdi = sig;
	tf->rsi = frame_at + __builtin_offsetof(struct rt_sigframe, info);
	tf->rdx = frame_at + __builtin_offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF);
	tf->cs = GDT_USER_CODE;
	tf->ss = GDT_USER_DATA;
	return 0;
}

/* An XSAVE image from user memory must not make XRSTOR fault in the
 * kernel: only enabled components, standard format, sane MXCSR. */
static bool fpu_image_ok(const uint8_t *img, bool xsave)
{
	uint32_t mxcsr = *(const uint32_t *)(img + 24);
	const uint64_t *hdr = (const uint64_t *)(img + 512);
	uint64_t xcr0 = 3;

	if (mxcsr & 0xffff0000u)
		return false;
	if (!xsave)
		return true;
	__asm__ volatile("xgetbv"
			 : "=a"(*(uint32_t *)&xcr0), "=d"(((uint32_t *)&xcr0)[1])
			 : "c"(0));
	if (hdr[0] & ~xcr0 || hdr[1])
		return false;
	for (int i = 2; i < 8; i++)
		if (hdr[i])
			return false;
	return true;
}

int arch_signal_frame_restore(struct thread *t, struct trap_frame *tf, uint64_t *mask)
{
	struct rt_sigframe f;
	uint64_t at = tf->rsp - 8; /* the handler's ret popped pretcode */
	uint64_t fpsize = arch_fpu_state_size();

	if (uvm_copy_in(&t->proc->uvm, &f, at, sizeof(f)) || !user_address(f.uc.mc.rip))
		return -1;
	if (f.uc.mc.fpstate) {
		if (uvm_copy_in(&t->proc->uvm, t->fpu, f.uc.mc.fpstate, fpsize) ||
		    !fpu_image_ok(t->fpu, fpsize > 512))
			return -1;
	} else {
		arch_fpu_init_area(t->fpu);
	}
	arch_fpu_restore(t->fpu);
	context_to_regs(&f.uc.mc, tf);
	*mask = f.uc.sigmask;
	return 0;
}

uint64_t arch_frame_pc(const struct trap_frame *tf)
{
	return tf->rip;
}

uint64_t arch_frame_return_value(const struct trap_frame *tf)
{
	return tf->rax;
}

/* As Linux does for -ERESTARTSYS: back over the 2-byte SYSCALL instruction,
 * with the number in rax again (the other argument registers are intact). */
void arch_syscall_restart(struct trap_frame *tf, uint64_t nr)
{
	tf->rax = nr;
	tf->rip -= 2;
}
