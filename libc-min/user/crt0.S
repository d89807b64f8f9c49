/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process entry. Linux starts us with %rsp pointing at argc, followed by
 * argv[], NULL, envp[], NULL, then the auxiliary vector; lm_start() in
 * start.c reads them. Only %rsp carries anything we need: %rdx holds a
 * dynamic linker's finaliser, and a static program has no dynamic linker.
 */
	.text
	.globl _start
	.type _start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip	/* the outermost frame: backtraces stop here */
	xor %ebp, %ebp
	mov %rsp, %rdi
	and $-16, %rsp		/* the ABI wants %rsp 16-byte aligned at a call */
	call lm_start
	hlt			/* lm_start does not return */
	.cfi_endproc
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
