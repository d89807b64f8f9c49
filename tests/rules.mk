# Host unit tests: pure kernel logic built for the host under ASan/UBSan,
# against the fake arch (tests/host/fakeinc, fake_arch.c).
HOST_KSRCS := kernel/mm/pmem.c kernel/core/bootdesc.c kernel/lib/elf_loader.c kernel/lib/cmdline.c \
	$(wildcard boot/shim*.c boot/pc/shim*.c) kernel/mm/uvm.c kernel/proc/futex.c \
	kernel/proc/signal.c kernel/channel/service.c kernel/channel/service_ctl.c
# The Linux side in the same binary: proxy/lib and lwkexec without its main,
# built with the proxy's flags (tests/host/test_lwkexec.c and others).
HOST_PROXY_SRCS := $(wildcard proxy/lib/*.c) \
	$(filter-out proxy/lwkexec/lwkexec.c,$(wildcard proxy/lwkexec/*.c)) tests/host/test_lwkexec.c
HOST_SRCS := $(sort $(wildcard tests/host/*.c) $(HOST_KSRCS) $(HOST_PROXY_SRCS))
HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(HOST_SRCS))
HOST_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all

$(BUILD)/host/%.o: %.c | $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOSTCFLAGS) -c $< -o $@

# The service core's tests and fakes read its private header.
$(addprefix $(BUILD)/host/tests/host/,fake_service.o test_service_checks.o): private HOSTCFLAGS += \
	-Ikernel/channel

$(patsubst %.c,$(BUILD)/host/%.o,$(HOST_PROXY_SRCS)): private HOSTCFLAGS := -std=gnu11 -O1 -g \
	$(WARN) $(HOST_SANITIZE) -Ikernel/include -Ikernel/lib -Iarch/$(ARCH)/include -Iproxy/lib -Iproxy/lwkexec \
	-Itests/host -I$(BUILD)/gen -D_GNU_SOURCE -pthread -MMD -MP

$(BUILD)/host/unit: $(HOST_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(HOST_SANITIZE) -pthread -o $@ $^ -lfdt

host-test: $(BUILD)/host/unit
	$(BUILD)/host/unit

.PHONY: host-test

# ELF loader fixtures: one small program built the three ways Linux runs
# programs, read at run time by tests/host/test_elf.c (tests run from the
# repository root). Order-only, so that they stay off the link line.
ELF_FIXTURE_DIR := $(BUILD)/host/fixtures
ELF_FIXTURES := $(addprefix $(ELF_FIXTURE_DIR)/hello-,static static-pie dynamic)

$(ELF_FIXTURE_DIR)/hello-static: ELF_FIXTURE_FLAGS := -static
$(ELF_FIXTURE_DIR)/hello-static-pie: ELF_FIXTURE_FLAGS := -fPIE -static-pie
$(ELF_FIXTURE_DIR)/hello-dynamic: ELF_FIXTURE_FLAGS := -fPIE -pie

$(ELF_FIXTURES): tests/host/fixtures/hello.c
	@mkdir -p $(dir $@)
	@echo "  FIXTURE $@"
	$(Q)$(CC) -O2 $(ELF_FIXTURE_FLAGS) -o $@ $<

$(BUILD)/host/tests/host/test_elf.o: private HOSTCFLAGS += -DELF_FIXTURE_DIR='"$(ELF_FIXTURE_DIR)"'
$(BUILD)/host/unit: | $(ELF_FIXTURES)

# Bad ELF files for lwkctl bare (tests/run-all.sh): a good static program
# broken one way per file by a host tool. Every test run builds user-progs,
# so they hang from it.
BAD_ELF_DIR := $(BUILD)/user/bad-elf
BAD_ELF_GOOD := $(BUILD)/user/libc-min/hello

$(BUILD)/tools/mkbadelf: tests/tools/mkbadelf.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) -std=gnu11 -O2 -g $(WARN) -MMD -MP -o $@ $<

$(BAD_ELF_DIR)/.stamp: $(BUILD)/tools/mkbadelf $(BAD_ELF_GOOD)
	@mkdir -p $(dir $@)
	@echo "  BADELF  $(BAD_ELF_DIR)"
	$(Q)$< $(BAD_ELF_GOOD) $(dir $@)
	@touch $@

user-progs: $(BAD_ELF_DIR)/.stamp

# The channel fuzzer (tests/vm/fuzz.sh): forges forwarded-call messages in
# a running partition's channel. A host program, built like the proxy.
CHANFUZZ_SRCS := tests/tools/chanfuzz.c proxy/lib/partition.c proxy/lib/transport_vm.c \
	proxy/lib/transport_dev.c

$(BUILD)/tools/chanfuzz: $(CHANFUZZ_SRCS:%.c=$(BUILD)/proxy/%.o)
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) -pie -pthread -o $@ $^

user-progs: $(BUILD)/tools/chanfuzz
