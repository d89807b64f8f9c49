/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arch_context_switch(uint64_t *save_ksp, uint64_t load_ksp): save the
 * callee-saved registers on this stack, store the stack pointer in
 * *save_ksp, load load_ksp and pop the registers saved there. A new
 * thread's stack is prepared (arch_thread_init) so that the final ret lands
 * in thread_first_entry with its user frame at %rsp, which goes to user
 * mode the way every return from the kernel does.
 */
	.text
	.global arch_context_switch
arch_context_switch:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret

	.global thread_first_entry
thread_first_entry:
	mov	%rsp, %rdi		/* the user frame; 16-byte aligned */
	call	thread_return_to_user	/* a signal may be pending already */
	jmp	trap_return
