# The Linux side: host programs, built with the host's C library.
#   lwkctl   partition management (boot --vm, status, dmesg, shutdown, bare)
#   lwkexec  the proxy of one LWK process
# The ELF loader is the kernel's own (kernel/elf.c is pure logic), built
# again for Linux. lwkexec is a PIE, so Linux places it far above the LWK
# process layout (lwk/layout.h) that it mirrors at the same addresses.
PROXY_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Ikernel/include -Iproxy -I$(BUILD)/gen \
	-D_GNU_SOURCE -fPIE -pthread -ffile-prefix-map=$(CURDIR)=. -MMD -MP

PROXY_LIB := proxy/common.c proxy/partition.c proxy/transport_vm.c kernel/elf.c
LWKCTL_SRCS := proxy/lwkctl.c $(wildcard proxy/lwkctl_*.c) $(PROXY_LIB)
LWKEXEC_SRCS := proxy/lwkexec.c $(wildcard proxy/service*.c proxy/sys_*.c) $(PROXY_LIB)

$(BUILD)/proxy/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(PROXY_CFLAGS) -c -o $@ $<

$(BUILD)/bin/lwkctl: $(LWKCTL_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^

$(BUILD)/bin/lwkexec: $(LWKEXEC_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^

-include $(wildcard $(BUILD)/proxy/*/*.d)

all: $(BUILD)/bin/lwkctl $(BUILD)/bin/lwkexec
