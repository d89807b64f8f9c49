/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception entry (the C side is trap.c). Each vector's stub pushes an error code
 * (a zero where the CPU pushes none) and its vector number, then joins
 * trap_common, which saves the registers as a struct trap_frame and calls
 * trap_dispatch(frame). Only kernel mode exists so far: no swapgs yet.
 */
#include <asm-offsets.h>

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
trap_common:
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
	mov	%rsp, %rdi
	/* Make the frame look like a call from the interrupted RIP so that
	 * backtraces walk through it. */
	pushq	TF_RIP(%rsp)
	pushq	%rbp
	mov	%rsp, %rbp
	cld
	call	trap_dispatch
	add	$16, %rsp
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
	add	$16, %rsp	/* vector and error code */
	iretq
