/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Interrupt and exception entry (the C side is trap.c). Each vector's stub pushes an error code
 * (a zero where the CPU pushes none) and its vector number, then joins
 * trap_common, which saves the registers as a struct trap_frame and calls
 * trap_dispatch(frame). Only kernel mode exists so far: no swapgs yet.
 */
#include <asm-offsets.h>

.macro TRAP_STUB vec, has_error
	.balign 16
trap_stub_\vec:
	.if \has_error == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

	.text
/* Vectors with a CPU-pushed error code: 8 10-14 17 21 29 30. */
trap_stubs_start:
	TRAP_STUB 0, 0
	TRAP_STUB 1, 0
	TRAP_STUB 2, 0
	TRAP_STUB 3, 0
	TRAP_STUB 4, 0
	TRAP_STUB 5, 0
	TRAP_STUB 6, 0
	TRAP_STUB 7, 0
	TRAP_STUB 8, 1
	TRAP_STUB 9, 0
	TRAP_STUB 10, 1
	TRAP_STUB 11, 1
	TRAP_STUB 12, 1
	TRAP_STUB 13, 1
	TRAP_STUB 14, 1
	TRAP_STUB 15, 0
	TRAP_STUB 16, 0
	TRAP_STUB 17, 1
	TRAP_STUB 18, 0
	TRAP_STUB 19, 0
	TRAP_STUB 20, 0
	TRAP_STUB 21, 1
	TRAP_STUB 22, 0
	TRAP_STUB 23, 0
	TRAP_STUB 24, 0
	TRAP_STUB 25, 0
	TRAP_STUB 26, 0
	TRAP_STUB 27, 0
	TRAP_STUB 28, 0
	TRAP_STUB 29, 1
	TRAP_STUB 30, 1
	TRAP_STUB 31, 0
	.irp vec, 0xf0, 0xfe, 0xff
	TRAP_STUB \vec, 0
	.endr

	.section .rodata
	.balign 8
	.global trap_stub_table
/* {vector, stub} pairs, ended by a zero stub. */
trap_stub_table:
	.irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,0xf0,0xfe,0xff
	.quad \vec, trap_stub_\vec
	.endr
	.quad 0, 0

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
