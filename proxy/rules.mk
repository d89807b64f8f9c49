# The Linux side: host programs, built with the host's C library.
#   proxy/lib/      what every Linux-side program shares: transports (VM
#                   memory file, lwk.ko's /dev/lwk), partition records,
#                   the partition loader (pload.c, with libfdt), option
#                   parsing (options.c) and option values (values.c),
#                   reading files (file.c); it calls nothing in lwkctl/ or
#                   lwkexec/
#   proxy/lwkctl/   lwkctl: partition management (boot beside Linux or
#                   --vm, status, dmesg, stats, shutdown, bare)
#   proxy/lwkexec/  lwkexec: the proxy of one LWK process (launch,
#                   dispatcher, one handler per forwarded call)
#   proxy/lwknoise/ lwknoise: OS-noise probes (fwq, ftq, detour), a plain
#                   Linux program that also runs under lwkexec; it takes
#                   only the option parser from proxy/lib
# From kernel/ they take the ABI (kernel/include/uapi) and the ELF loader
# (kernel/lib/elf_loader.c, pure logic built a second time for Linux).
# lwkexec is a PIE, so Linux places it far above the LWK process layout
# (uapi/lwk/layout.h) that it mirrors at the same addresses.
PROXY_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Ikernel/include -Ikernel/lib \
	-Iarch/$(ARCH)/include -Iproxy/lib \
	-I$(BUILD)/gen -D_GNU_SOURCE -fPIE -pthread -ffile-prefix-map=$(CURDIR)=. -MMD -MP

PROXY_LIB := $(wildcard proxy/lib/*.c) kernel/lib/elf_loader.c
LWKCTL_SRCS := $(wildcard proxy/lwkctl/*.c) $(PROXY_LIB)
LWKEXEC_SRCS := $(wildcard proxy/lwkexec/*.c) $(PROXY_LIB)
LWKNOISE_SRCS := $(wildcard proxy/lwknoise/*.c) proxy/lib/options.c

$(BUILD)/proxy/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(PROXY_CFLAGS) -c -o $@ $<

$(BUILD)/bin/lwkctl: $(LWKCTL_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^ -lfdt

$(BUILD)/bin/lwkexec: $(LWKEXEC_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^ -lfdt

$(BUILD)/bin/lwknoise: $(LWKNOISE_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^

all: $(BUILD)/bin/lwkctl $(BUILD)/bin/lwkexec $(BUILD)/bin/lwknoise
