# SPDX-License-Identifier: GPL-2.0-only
# libc-min for user programs: libc-min/*.c compiled a second time with user
# flags, plus libc-min/user/. Programs link $(UCRT0) first and $(ULIBC) last.
UBUILD := $(BUILD)/user
UCFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -fno-builtin -nostdinc \
	-isystem $(GCC_INC) -Ilibc-min/include -Ikernel/include -I$(UBUILD)/gen \
	-fno-pic -fno-pie -fno-stack-protector -static -nostdlib \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP
ULDFLAGS := -static -nostdlib -no-pie
ULIBC := $(UBUILD)/libc-min.a
UCRT0 := $(UBUILD)/crt0.o
ULIBC_OBJS := $(patsubst %.c,$(UBUILD)/obj/%.o,$(wildcard libc-min/*.c libc-min/user/*.c))

# SYS_xxx numbers, from the one syscall table: the preprocessor expands each
# SYSCALL() entry (and drops the comments and the flags), sed turns it into
# a #define.
USYSCALL_H := $(UBUILD)/gen/sys/syscall.h
$(USYSCALL_H): kernel/include/uapi/lwk/syscalls.def
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q){ echo '/* generated from $< */'; echo '#pragma once'; \
	  $(CC) -E -P -undef -x c '-DSYSCALL(nr,name,where,flags)=SYS_##name nr' $< | \
	  sed -n 's/^\(SYS_[a-z0-9_]* [0-9]*\)$$/#define \1/p'; } > $@.tmp
	$(Q)mv $@.tmp $@

$(UBUILD)/obj/%.o: %.c | $(USYSCALL_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (user)"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(UCRT0): libc-min/user/crt0.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(UCFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(ULIBC): $(ULIBC_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

libc-min-user: $(ULIBC) $(UCRT0)

.PHONY: libc-min-user
