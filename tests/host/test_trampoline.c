// SPDX-License-Identifier: GPL-2.0-only
/* The trampoline reads its parameter block through offsets generated from
 * the C struct (asm-offsets.h). Check that the generated numbers, the struct
 * the host compiler lays out, and the fixed ABI all agree: lwk.ko fills the
 * same block from a different compiler run. */
#include <stddef.h>
#include <uapi/arch/trampoline.h>
#include <asm-offsets.h>
#include "htest.h"

HTEST(trampoline, generated_offsets_match_struct)
{
	EXPECT_EQ(TP_MAGIC, offsetof(struct lwk_trampoline_params, magic));
	EXPECT_EQ(TP_CR3, offsetof(struct lwk_trampoline_params, cr3));
	EXPECT_EQ(TP_FAR_OFFSET, offsetof(struct lwk_trampoline_params, far_offset));
	EXPECT_EQ(TP_GDT_LIMIT, offsetof(struct lwk_trampoline_params, gdt_limit));
	EXPECT_EQ(TP_STARTED, offsetof(struct lwk_trampoline_params, started));
	EXPECT_EQ(TP_ENTRY, offsetof(struct lwk_trampoline_params, entry));
	EXPECT_EQ(TP_STACK_TOP, offsetof(struct lwk_trampoline_params, stack_top));
	EXPECT_EQ(TP_ARG, offsetof(struct lwk_trampoline_params, arg));
	EXPECT_EQ(TP_PARAMS_OFFSET, LWK_TRAMPOLINE_PARAMS_OFFSET);
}

HTEST(trampoline, far_pointer_and_gdt_descriptor_are_contiguous)
{
	/* ljmpl reads {u32 offset, u16 selector}; lgdtl reads {u16 limit,
	 * u32 base}: both must be packed back to back in the block. */
	EXPECT_EQ(offsetof(struct lwk_trampoline_params, far_selector),
		  offsetof(struct lwk_trampoline_params, far_offset) + 4);
	EXPECT_EQ(offsetof(struct lwk_trampoline_params, gdt_base),
		  offsetof(struct lwk_trampoline_params, gdt_limit) + 2);
	EXPECT_EQ(offsetof(struct lwk_trampoline_params, gdt) % 8, 0);
	EXPECT(LWK_TRAMPOLINE_PARAMS_OFFSET + sizeof(struct lwk_trampoline_params) <= 4096);
}
