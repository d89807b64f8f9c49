# lwk.ko, the Linux module of partition mode (proxy/kmod).
#   make module              build/kmod/lwk.ko, for the running kernel if its
#                            headers are installed, else for the newest
#                            Debian headers in /usr/src (linux-headers-*-amd64)
#   make module KVER=6.1.0-57-amd64   for that kernel
#   make module KDIR=/path/to/headers  against that build tree
# Kbuild builds out of tree in build/kmod/<version>/, from a copy of
# proxy/kmod and of the ABI headers (uapi/lwk, uapi/arch/trampoline.h): the
# module sees nothing else of this tree, and nothing is written next to the
# sources.
KMOD_RUNNING := $(shell uname -r)
KMOD_NEWEST := $(patsubst /usr/src/linux-headers-%,%,$(shell ls -d \
	/usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
KVER ?= $(if $(wildcard /lib/modules/$(KMOD_RUNNING)/build),$(KMOD_RUNNING),$(KMOD_NEWEST))
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build /usr/src/linux-headers-$(KVER)))
KMOD_DIR := $(BUILD)/kmod/$(or $(KVER),none)

module:
	@if [ -z "$(KDIR)" ] || [ ! -e "$(KDIR)/Makefile" ]; then \
		echo "module: no Linux headers for '$(KVER)': apt-get install linux-headers-amd64" \
			"(or linux-headers-$(KVER)), or name a tree with make module KDIR=..."; \
		exit 1; \
	fi
	@mkdir -p $(KMOD_DIR)/include/uapi/lwk $(KMOD_DIR)/include/uapi/arch
	$(Q)cp -up proxy/kmod/Kbuild proxy/kmod/*.c proxy/kmod/*.h $(KMOD_DIR)/
	$(Q)cp -up proxy/kmod/include/stdint.h $(KMOD_DIR)/include/
	$(Q)cp -up kernel/include/uapi/lwk/*.h $(KMOD_DIR)/include/uapi/lwk/
	$(Q)cp -up arch/$(ARCH)/include/uapi/arch/trampoline.h $(KMOD_DIR)/include/uapi/arch/
	@echo "  KBUILD  lwk.ko for $(KVER) ($(KDIR))"
	$(Q)$(MAKE) -s -C $(KDIR) M=$(abspath $(KMOD_DIR)) modules
	$(Q)cp $(KMOD_DIR)/lwk.ko $(BUILD)/kmod/lwk.ko
	@echo "  MODULE  $(BUILD)/kmod/lwk.ko"

.PHONY: module

# make install-module: lwk.ko into /lib/modules/<version>/updates (depmod
# run), the udev rule giving /dev/lwk to group lwk (created if missing).
# Loading it and reserving the trampoline page stay the administrator's
# steps; the command prints them.
install-module: module
	$(Q)$(MAKE) -s -C $(KDIR) M=$(abspath $(KMOD_DIR)) INSTALL_MOD_DIR=updates modules_install
	$(Q)depmod -a $(KVER)
	$(Q)getent group lwk >/dev/null || groupadd --system lwk
	$(Q)install -D -m 0644 proxy/kmod/60-lwk.rules /etc/udev/rules.d/60-lwk.rules
	@echo "installed lwk.ko for $(KVER) and /etc/udev/rules.d/60-lwk.rules (group lwk)."
	@printf '%s\n' 'next: add memmap=4K\\\$$0x90000 to GRUB_CMDLINE_LINUX in /etc/default/grub,' \
		'run update-grub, reboot, then: modprobe lwk trampoline=0x90000'

.PHONY: install-module

# make test-module: lwk.ko's own guest test (proxy/kmod/guest-test.sh):
# every ioctl in a QEMU guest running Debian's kernel, no partition suites.
# LWK_KMOD_CASES and a cycle count (LWK_KMOD_CYCLES) as the script says.
test-module:
	@proxy/kmod/guest-test.sh $(LWK_KMOD_CYCLES)

.PHONY: test-module
