/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The AP start trampoline. Copied to a 4 KiB page below 1 MiB; an AP that
 * receives STARTUP with that page's number begins here in real mode with
 * CS = page << 8 and IP = 0. It goes straight to 64-bit mode using the
 * parameter block (struct lwk_trampoline_params) at TP_PARAMS_OFFSET in the
 * same page, and calls params->entry(params->arg) on params->stack_top.
 * Everything is position independent: the page can be anywhere below 1 MiB.
 */
#include <arch/x86.h>
#include <asm-offsets.h>

	.section .rodata
	.balign 16
	.global trampoline_start, trampoline_end
	.code16
trampoline_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	TP_PARAMS_OFFSET + TP_GDT_LIMIT

	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	movl	TP_PARAMS_OFFSET + TP_CR3, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	/* After INIT, CR0 has CD and NW set: write all of it, or the core
	 * runs with its caches off. */
	mov	$CR0_LONG_MODE, %eax
	mov	%eax, %cr0
	/* far pointer {u32 far_offset, u16 far_selector} */
	ljmpl	*TP_PARAMS_OFFSET + TP_FAR_OFFSET

	.code64
	.global trampoline_long
trampoline_long:
	mov	$GDT_KERNEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	lea	(trampoline_start + TP_PARAMS_OFFSET)(%rip), %rbx
	mov	TP_STACK_TOP(%rbx), %rsp
	mov	TP_ARG(%rbx), %rdi
	mov	TP_ENTRY(%rbx), %rax
	/* Tell the boot core we are in. The block, its GDT and the
	 * trampoline page tables stay in use until this core switches to the
	 * kernel's tables and reports itself online: only then is the block
	 * reused for the next core. */
	movl	$1, TP_STARTED(%rbx)
	xor	%ebp, %ebp
	call	*%rax
1:	cli
	hlt
	jmp	1b
trampoline_end:
