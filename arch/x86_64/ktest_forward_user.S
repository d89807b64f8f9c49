/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User-mode code for the forwarding ktests (kernel/channel/forward_test.c), copied
 * into a test process. Position independent. Its stack pointer at entry is
 * the address of a control block of 64-bit words, which it keeps in %rbx
 * (signal frames go on a stack below it):
 *   [0] done: the last round finished
 *   [1] round: the kernel bumps it to ask for one system call; ~0 ends
 *       the thread (exit(0))
 *   [2] the call's number, [3..8] its six arguments
 *   [9] what the call returned
 *   [10] how many times the signal handler ran
 * The handler only counts; it returns through the restorer
 * (rt_sigreturn), as a libc's sa_restorer does.
 */
	.section .rodata
	.global arch_ktest_fwd_code, arch_ktest_fwd_code_end
	.global arch_ktest_fwd_entry, arch_ktest_fwd_handler, arch_ktest_fwd_restorer
	.balign 16
arch_ktest_fwd_code:
arch_ktest_fwd_entry:
	mov	%rsp, %rbx
	lea	-4096(%rbx), %rsp
1:	mov	8(%rbx), %rax
	cmp	$-1, %rax
	je	3f
	cmp	(%rbx), %rax
	jne	2f
	pause
	jmp	1b
2:	mov	16(%rbx), %rax
	mov	24(%rbx), %rdi
	mov	32(%rbx), %rsi
	mov	40(%rbx), %rdx
	mov	48(%rbx), %r10
	mov	56(%rbx), %r8
	mov	64(%rbx), %r9
	syscall
	mov	%rax, 72(%rbx)
	mov	8(%rbx), %rax
	mov	%rax, (%rbx)
	jmp	1b
3:	mov	$60, %eax		/* exit(0) */
	xor	%edi, %edi
	syscall
	ud2

arch_ktest_fwd_handler:
	lock incq 80(%rbx)
	ret

arch_ktest_fwd_restorer:
	mov	$15, %eax		/* rt_sigreturn */
	syscall
	ud2
arch_ktest_fwd_code_end:
