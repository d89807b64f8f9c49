// SPDX-License-Identifier: GPL-2.0-only
/* Compiled to assembly only: each DEFINE leaves a "->NAME value" marker that
 * the build turns into build/gen/asm-offsets.h. */
#include <stddef.h>
#include <arch/trap.h>
#include <lwk/cpu.h>
#include <uapi/arch/trampoline.h>

#define DEFINE(sym, val) __asm__ volatile("\n->" #sym " %0" : : "i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(TF_RIP, offsetof(struct trap_frame, rip));
	DEFINE(TF_SIZE, sizeof(struct trap_frame));
	DEFINE(TF_CS, offsetof(struct trap_frame, cs));
	DEFINE(TF_RCX, offsetof(struct trap_frame, rcx));
	DEFINE(TF_R11, offsetof(struct trap_frame, r11));
	DEFINE(TF_RFLAGS, offsetof(struct trap_frame, rflags));
	DEFINE(TF_SS, offsetof(struct trap_frame, ss));
	DEFINE(CPU_SCRATCH, offsetof(struct cpu, scratch));
	DEFINE(CPU_KSTACK_TOP, offsetof(struct cpu, kstack_top));
	DEFINE(TP_MAGIC, offsetof(struct lwk_trampoline_params, magic));
	DEFINE(TP_CR3, offsetof(struct lwk_trampoline_params, cr3));
	DEFINE(TP_FAR_OFFSET, offsetof(struct lwk_trampoline_params, far_offset));
	DEFINE(TP_GDT_LIMIT, offsetof(struct lwk_trampoline_params, gdt_limit));
	DEFINE(TP_STARTED, offsetof(struct lwk_trampoline_params, started));
	DEFINE(TP_ENTRY, offsetof(struct lwk_trampoline_params, entry));
	DEFINE(TP_STACK_TOP, offsetof(struct lwk_trampoline_params, stack_top));
	DEFINE(TP_ARG, offsetof(struct lwk_trampoline_params, arg));
	DEFINE(TP_PARAMS_OFFSET, LWK_TRAMPOLINE_PARAMS_OFFSET);
}
