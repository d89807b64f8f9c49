/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-mode code for ktests, copied into a test process (so it lives in
 * .rodata and never runs in the kernel). It is position independent, and
 * its stack pointer is the address of a control block of four words:
 *   [0] state, written here: 1 running, 2 deadline reached
 *   [1] deadline, a TSC value, written by the kernel
 *   [2] go: the kernel sets it to let the code exit
 * The quiet variant spins on RDTSC (no kernel entry); the noisy one calls
 * getpid until the deadline.
 */
	.section .rodata
	.global arch_ktest_user_code, arch_ktest_user_quiet, arch_ktest_user_noisy
	.global arch_ktest_user_code_end
	.balign 16
arch_ktest_user_code:
arch_ktest_user_quiet:
	movq	$1, (%rsp)
1:	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	8(%rsp), %rax
	jb	1b
	jmp	2f

arch_ktest_user_noisy:
	movq	$1, (%rsp)
3:	mov	$39, %eax		/* getpid */
	syscall
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	cmp	8(%rsp), %rax
	jb	3b

2:	movq	$2, (%rsp)
4:	pause
	cmpq	$0, 16(%rsp)
	je	4b
	mov	$60, %eax		/* exit(0) */
	xor	%edi, %edi
	syscall
	ud2
arch_ktest_user_code_end:
