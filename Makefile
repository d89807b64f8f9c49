# SPDX-License-Identifier: GPL-2.0-only
# Non-recursive build: each directory contributes a small rules.mk.
#   make            the production kernel (build/lwk.elf) and its GRUB image
#                   (build/lwk.iso), which lwkctl boots; the ktest image
#                   (build/lwk-ktest.elf: the same objects plus the ktests),
#                   which tests/qemu/run boots
#   make test       host unit tests + ktests under QEMU, one verdict line
#   make ktest      ktests only
#   make test-partition  lwk.ko beside Debian's kernel in a QEMU guest
#                   (tests/partition/run.sh; also part of make test)
#   make demo       boot the kernel under QEMU and watch the cores come up
#   make bench      benchmarks: LWK against Linux in one guest (tests/bench/)

BUILD := build
# "make Q=" shows the full commands.
Q ?= @
ARCH := x86_64
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

CC := gcc
LD := ld
OBJCOPY := objcopy
GCC_INC := $(shell $(CC) -print-file-name=include)
FDT_LIB := /usr/lib/x86_64-linux-gnu/libfdt.a

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wstrict-prototypes \
	-Wmissing-prototypes -Wshadow
KCFLAGS := -std=gnu11 -O2 -g $(WARN) -DLWK_KERNEL -ffreestanding -fno-builtin -nostdinc \
	-isystem $(GCC_INC) -Ilibc-min/include -isystem $(BUILD)/fdt-include \
	-Ikernel/include -Ikernel/lib -Iarch/$(ARCH)/include -I$(BUILD)/gen -Iboot \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-common -fno-strict-aliasing \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP
KASFLAGS := $(filter-out -std=gnu11,$(KCFLAGS)) -D__ASSEMBLY__
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--build-id=none -T linker.ld

HOSTCFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Itests/host/fakeinc -Ikernel/include -Ikernel/lib -Iarch/$(ARCH)/include \
	-Iproxy/lib -Iboot \
	-Itests/host -I$(BUILD)/gen -MMD -MP

KOBJS :=
KTEST_OBJS :=
HOSTTESTS :=

all: $(BUILD)/lwk.elf $(BUILD)/lwk.iso $(BUILD)/lwk-ktest.elf

include libc-min/rules.mk
include boot/rules.mk
include arch/$(ARCH)/rules.mk
include kernel/rules.mk
include tests/rules.mk
include proxy/rules.mk
-include proxy/kmod/rules.mk
-include libc-min/user/rules.mk
-include tests/user/rules.mk
include tests/bench/rules.mk

# libfdt's headers are copied next to the build so the kernel's -nostdinc
# build sees them without the rest of /usr/include.
$(BUILD)/fdt-include/.stamp:
	@mkdir -p $(dir $@)
	$(Q)cp /usr/include/libfdt.h /usr/include/libfdt_env.h /usr/include/fdt.h $(dir $@)
	@touch $@

$(BUILD)/%.o: %.c | $(BUILD)/fdt-include/.stamp $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.S | $(BUILD)/fdt-include/.stamp $(BUILD)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KASFLAGS) -c $< -o $@

$(BUILD)/lwk.elf: $(KOBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(FDT_LIB)

# The same kernel with the ktests (TEST() records, the runner, their user
# code): lwk.ktest= works only here.
$(BUILD)/lwk-ktest.elf: $(KOBJS) $(KTEST_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(KTEST_OBJS) $(FDT_LIB)

$(BUILD)/lwk.iso: $(BUILD)/lwk.elf boot/pc/grub.cfg boot/pc/mkiso.sh
	@echo "  ISO     $@"
	$(Q)boot/pc/mkiso.sh $@ $(BUILD)/lwk.elf boot/pc/grub.cfg

# Debian packages the build and the tests need; 'make test' and 'make demo'
# install whatever is missing (as root, or through sudo).
DEB_PACKAGES := gcc binutils make git qemu-system-x86 grub-pc-bin grub-common \
	xorriso mtools libfdt-dev device-tree-compiler clang-format python3 perl \
	linux-image-amd64 linux-headers-amd64 busybox-static stress-ng gnuplot-nox

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing missing Debian packages:" $$missing; \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null || \
		{ echo "could not install:" $$missing "- install them with apt-get and retry"; exit 1; }; \
	fi

test: deps
	@$(MAKE) -s all $(BUILD)/host/unit user-progs
	@tests/run-all.sh all

# The partition-mode guest alone (make test runs it too).
test-partition: deps
	@$(MAKE) -s all user-progs
	@tests/partition/run.sh

ktest: deps
	@$(MAKE) -s all user-progs
	@tests/run-all.sh ktest

# Boot the GRUB image the way a user would and watch the cores come up.
demo: deps
	@$(MAKE) -s all user-progs
	@tests/demo.sh

# Measurements, never tests: boot time, then the LWK against Linux
# (tests/bench/run.sh: build/bench/results.json, the table, the plots).
bench: deps
	@$(MAKE) -s all bench-progs
	@tests/bench-boot.sh
	@tests/bench/run.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h')
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

format:
	clang-format -i $(FORMAT_FILES)

clean:
	rm -rf $(BUILD)

.PHONY: all clean deps test test-partition ktest demo bench format format-check
-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)
