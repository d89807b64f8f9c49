ARCH_DIR := arch/$(ARCH)
# ktest_*.S: user code for ktests, linked into the ktest image only.
ARCH_KTEST_SRCS := $(wildcard $(ARCH_DIR)/ktest_*.S)
KOBJS += $(patsubst %.S,$(BUILD)/%.o,$(filter-out $(ARCH_KTEST_SRCS),$(wildcard $(ARCH_DIR)/*.S))) \
	$(patsubst %.c,$(BUILD)/%.o,$(filter-out $(ARCH_DIR)/asm-offsets.c,$(wildcard $(ARCH_DIR)/*.c)))
KTEST_OBJS += $(patsubst %.S,$(BUILD)/%.o,$(ARCH_KTEST_SRCS))

# Offsets that assembly needs are generated from the C structs, never counted
# by hand: the compiler emits "->NAME value" markers that we turn into defines.
$(BUILD)/gen/asm-offsets.h: $(ARCH_DIR)/asm-offsets.c | $(BUILD)/fdt-include/.stamp
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(KCFLAGS)) -S $< -o $(BUILD)/gen/asm-offsets.s
	$(Q){ echo '/* generated from $< */'; echo '#pragma once'; \
	  sed -n 's/.*->\([A-Z_0-9]*\) \$$\{0,1\}\([0-9-]*\).*/#define \1 \2/p' \
	  $(BUILD)/gen/asm-offsets.s; } > $@
