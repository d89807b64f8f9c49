# Host unit tests: pure kernel logic built for the host under ASan/UBSan.
HOST_KSRCS := kernel/pmem.c kernel/bootdesc.c $(wildcard boot/shim*.c)
HOST_SRCS := $(wildcard tests/host/*.c) $(HOST_KSRCS)
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_SRCS))

$(BUILD)/host/%.o: %.c | $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOSTCFLAGS) -c $< -o $@

$(BUILD)/host/unit: $(HOST_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -fsanitize=address,undefined -o $@ $^ -lfdt

host-test: $(BUILD)/host/unit
	$(BUILD)/host/unit

.PHONY: host-test
