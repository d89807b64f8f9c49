# The production kernel has no tests: the ktest runner (kernel/ktest/) and
# every *_test.c go only into the ktest image, build/lwk-ktest.elf.
KERNEL_SRCS := $(wildcard kernel/*/*.c)
KTEST_SRCS := $(filter kernel/ktest/%.c %_test.c,$(KERNEL_SRCS))
KOBJS += $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(KTEST_SRCS),$(KERNEL_SRCS)))
KTEST_OBJS += $(patsubst %.c,$(BUILD)/%.o,$(KTEST_SRCS))
