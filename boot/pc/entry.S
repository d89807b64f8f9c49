/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * First instructions. Two loaders reach us in 32-bit protected mode with
 * paging off:
 *   - GRUB through the multiboot2 header (eax = magic, ebx = boot info);
 *   - QEMU's -kernel through the PVH ELF note (ebx = hvm_start_info).
 * Both join common32, which builds just enough page tables (the low 4 GiB
 * identity-mapped and at DIRECT_MAP, the kernel at KERNEL_VMA), enters long
 * mode and calls boot_main(magic, info) in the higher half.
 */
#include <arch/x86.h>

#define KERNEL_VMA 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VMA)
#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define PVH_MAGIC 0x336ec578
#define QEMU_EXIT_PANIC 0x12

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short 3, 0		/* entry address tag */
	.long 12
	.long PHYS(mb2_entry)
	.balign 8
	.short 0, 0		/* end tag */
	.long 8
mb2_header_end:

	.section .note.Xen, "a"
	.balign 4
	.long 4			/* name size: "Xen\0" */
	.long 4			/* descriptor size */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long PHYS(pvh_entry)
	.balign 4

	.section .boot32, "ax"
	.code32
	.global mb2_entry
mb2_entry:
	cli
	cld
	mov	%eax, %esi
	mov	%ebx, %edi
	jmp	common32

	.global pvh_entry
pvh_entry:
	cli
	cld
	mov	$PVH_MAGIC, %esi
	mov	%ebx, %edi

common32:
	mov	$PHYS(boot_stack_top), %esp

	/* Long mode is required; say so on COM1 rather than triple-fault. */
	mov	$0x80000000, %eax
	cpuid
	cmp	$0x80000001, %eax
	jb	no_long_mode
	mov	$0x80000001, %eax
	cpuid
	test	$(1 << 29), %edx
	jz	no_long_mode

	push	%edi
	call	build_boot_page_tables
	pop	%edi

	mov	$PHYS(boot_pml4), %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	/* An explicit CR0, not the loader's: its CD/NW bits are undefined. */
	mov	$CR0_LONG_MODE, %eax
	mov	%eax, %cr0

	lgdt	PHYS(boot_gdt_desc)
	ljmp	$GDT_KERNEL_CODE, $PHYS(entry64_low)

/* pml4[0] and pml4[256] -> pdpt_low: 4 GiB in 2 MiB pages, identity and at
 * DIRECT_MAP. pml4[511] -> pdpt_high: the top 2 GiB map physical 0..2 GiB. */
build_boot_page_tables:
	mov	$PHYS(boot_pd), %edi
	xor	%ecx, %ecx
1:	mov	%ecx, %eax
	shl	$21, %eax
	or	$(PTE_P | PTE_W | PTE_PS), %eax
	mov	%eax, (%edi, %ecx, 8)
	mov	%ecx, %eax
	shr	$11, %eax		/* high bits of (ecx << 21) */
	mov	%eax, 4(%edi, %ecx, 8)
	inc	%ecx
	cmp	$2048, %ecx
	jb	1b

	mov	$PHYS(boot_pdpt_low), %edi
	mov	$PHYS(boot_pd), %eax
	or	$(PTE_P | PTE_W), %eax
	xor	%ecx, %ecx
2:	mov	%eax, (%edi, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jb	2b

	mov	$PHYS(boot_pdpt_high), %edi
	mov	$PHYS(boot_pd), %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, 510 * 8(%edi)
	add	$4096, %eax
	mov	%eax, 511 * 8(%edi)

	mov	$PHYS(boot_pml4), %edi
	mov	$PHYS(boot_pdpt_low), %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, (%edi)
	mov	%eax, 256 * 8(%edi)
	mov	$PHYS(boot_pdpt_high), %eax
	or	$(PTE_P | PTE_W), %eax
	mov	%eax, 511 * 8(%edi)
	ret

no_long_mode:
	mov	$PHYS(no_long_mode_msg), %esi
1:	lodsb
	test	%al, %al
	jz	2f
	mov	$0x3f8, %dx
	out	%al, %dx
	jmp	1b
2:	mov	$QEMU_EXIT_PANIC, %al
	mov	$QEMU_EXIT_PORT, %dx
	out	%al, %dx
3:	hlt
	jmp	3b

	.code64
entry64_low:
	mov	$GDT_KERNEL_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	movabs	$entry64_high, %rax
	jmp	*%rax

	.text
entry64_high:
	movabs	$boot_stack_top, %rsp
	xor	%ebp, %ebp
	mov	%esi, %eax		/* boot_main(magic, info) */
	mov	%edi, %esi
	mov	%eax, %edi
	call	boot_main
1:	cli
	hlt
	jmp	1b

	.section .rodata
no_long_mode_msg:
	.asciz "lwk: this CPU has no 64-bit long mode; lwk needs an x86_64 CPU\r\n"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 64-bit code */
	.quad 0x00cf92000000ffff	/* data */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.bss
	.balign 4096
	.global boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.global boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
