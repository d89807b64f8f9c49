# entry.S must come first: the multiboot2 header lives in its first bytes.
KOBJS += $(BUILD)/boot/entry.o \
	$(patsubst %.S,$(BUILD)/%.o,$(filter-out boot/entry.S,$(wildcard boot/*.S))) \
	$(patsubst %.c,$(BUILD)/%.o,$(wildcard boot/*.c))
