/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel entry: interrupts, exceptions and system calls (the C side is
 * trap.c and kernel/syscall/syscall.c). Each vector's stub pushes an error code (a
 * zero where the CPU pushes none) and its vector number, then joins
 * trap_common, which saves the registers as a struct trap_frame and calls
 * trap_dispatch(frame).
 */
#include <arch/x86.h>
#include <asm-offsets.h>

/* The trap-frame vector value that marks a system call. */
#define SYSCALL_VECTOR 0x100

.macro PUSH_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
.endm

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
		      (v) == 21 || (v) == 29 || (v) == 30)

/* One 16-byte stub per vector, all 256 of them, so that a vector nobody
 * expects still reaches trap_dispatch and is reported by number. The IDT
 * finds stub N at trap_stubs + 16 * N; a stub is at most 12 bytes (push
 * imm8, push imm32, jmp rel32). */
.macro TRAP_STUB vec
	.balign 16
	.if HAS_ERROR(\vec) == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

	.text
	.balign 16
	.global trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	TRAP_STUB vec
	.set vec, vec + 1
	.endr

	.text
/* On entry: vector and error code pushed, then the CPU's frame. From user
 * mode GS holds the user's base: swap in the kernel's per-CPU block. */
trap_common:
	testb	$3, 24(%rsp)		/* CS of the interrupted code */
	jz	1f
	swapgs
	/* User code may have set RFLAGS.AC, which would switch SMAP off in
	 * here; clear it (clac itself faults on CPUs without SMAP). */
	pushfq
	andl	$~0x40000, (%rsp)	/* RFLAGS.AC */
	popfq
1:	PUSH_REGS
	mov	%rsp, %rdi
	/* Make the frame look like a call from the interrupted RIP so that
	 * backtraces walk through it. */
	pushq	TF_RIP(%rsp)
	pushq	%rbp
	mov	%rsp, %rbp
	cld
	call	trap_dispatch
	add	$16, %rsp
	jmp	trap_return

/* Return to whatever the frame at %rsp describes. */
	.global trap_return
trap_return:
	POP_REGS
	add	$16, %rsp		/* vector and error code */
	testb	$3, 8(%rsp)
	jz	1f
	swapgs
1:	iretq

/*
 * SYSCALL: RIP in %rcx, RFLAGS in %r11, interrupts masked by FMASK, still on
 * the user stack. Build the same struct trap_frame an interrupt would (so
 * signals and ptrace-like code see one format), call
 * syscall_dispatch(frame), and go back with SYSRET when it is safe, else
 * IRET (a non-canonical return address would fault in ring 0 on Intel).
 */
	.global syscall_entry
syscall_entry:
	swapgs
	mov	%rsp, %gs:CPU_SCRATCH
	mov	%gs:CPU_KSTACK_TOP, %rsp
	pushq	$GDT_USER_DATA		/* ss */
	pushq	%gs:CPU_SCRATCH		/* rsp */
	pushq	%r11			/* rflags */
	pushq	$GDT_USER_CODE		/* cs */
	pushq	%rcx			/* rip */
	pushq	$0			/* error code */
	pushq	$SYSCALL_VECTOR
	PUSH_REGS
	mov	%rsp, %rdi
	xor	%ebp, %ebp
	cld
	call	syscall_dispatch
	/* SYSRET only to a canonical user address, with the frame's own
	 * CS/SS, and only when RCX/R11 hold RIP/RFLAGS as SYSCALL left them
	 * (rt_sigreturn restores every register; SYSRET would clobber two). */
	movq	TF_RIP(%rsp), %rcx
	cmpq	%rcx, TF_RCX(%rsp)
	jne	trap_return
	movq	TF_RFLAGS(%rsp), %r11
	cmpq	%r11, TF_R11(%rsp)
	jne	trap_return
	movq	%rcx, %r11
	sar	$47, %r11
	jnz	trap_return
	cmpq	$GDT_USER_CODE, TF_CS(%rsp)
	jne	trap_return
	cmpq	$GDT_USER_DATA, TF_SS(%rsp)
	jne	trap_return
	POP_REGS
	add	$16, %rsp
	popq	%rcx			/* rip */
	add	$8, %rsp		/* cs */
	popq	%r11			/* rflags */
	popq	%rsp			/* user stack: from here nothing may fault */
	swapgs
	sysretq
