# The Linux side: host programs, built with the host's C library.
PROXY_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Ikernel/include -D_GNU_SOURCE \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP

# The ELF loader is the kernel's own (kernel/elf.c is pure logic), built
# again for Linux.
$(BUILD)/proxy/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(PROXY_CFLAGS) -c -o $@ $<

$(BUILD)/bin/lwkctl: $(BUILD)/proxy/proxy/lwkctl.o $(BUILD)/proxy/kernel/elf.o
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -o $@ $^

-include $(wildcard $(BUILD)/proxy/*/*.d)

all: $(BUILD)/bin/lwkctl
