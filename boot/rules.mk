# boot/ holds the generic boot-description writer (shim.c); boot/pc/ the PC
# platform: the loader entries (multiboot2, PVH), the AP trampoline, ACPI,
# the RTC and the GRUB image.
# entry.S must come first: the multiboot2 header lives in its first bytes.
KOBJS += $(BUILD)/boot/pc/entry.o \
	$(patsubst %.S,$(BUILD)/%.o,$(filter-out boot/pc/entry.S,$(wildcard boot/pc/*.S))) \
	$(patsubst %.c,$(BUILD)/%.o,$(filter-out %_test.c,$(wildcard boot/*.c boot/pc/*.c)))
# The partition hand-over's test loader (lwk.test-relocate=) is a ktest.
KTEST_OBJS += $(patsubst %.c,$(BUILD)/%.o,$(wildcard boot/pc/*_test.c))
