# SPDX-License-Identifier: GPL-2.0-only
# User test programs: each tests/user/NAME.c is built twice, against
# libc-min ($(BUILD)/user/libc-min/NAME) and against glibc
# ($(BUILD)/user/glibc/NAME), so that a failure on the LWK can be told
# apart from a failure of libc-min. tests/user/run.sh native runs them here.
UTESTS := $(basename $(notdir $(wildcard tests/user/*.c)))
UTEST_LIBC_MIN := $(addprefix $(UBUILD)/libc-min/,$(UTESTS))
UTEST_GLIBC := $(addprefix $(UBUILD)/glibc/,$(UTESTS))
# lwk_test.h is found with -iquote: glibc's own headers must win.
UGLIBC_CFLAGS := -std=gnu11 -O2 -g $(WARN) -iquote libc-min/include \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP

$(UTEST_LIBC_MIN): $(UBUILD)/libc-min/%: tests/user/%.c $(UCRT0) $(ULIBC) | $(USYSCALL_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (libc-min)"
	$(Q)$(CC) $(UCFLAGS) $(ULDFLAGS) -MF $@.d -MT $@ -o $@ $(UCRT0) $< $(ULIBC) -lgcc

$(UTEST_GLIBC): $(UBUILD)/glibc/%: tests/user/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc)"
	$(Q)$(CC) $(UGLIBC_CFLAGS) -static -MF $@.d -MT $@ -o $@ $<

user-progs: $(UTEST_LIBC_MIN) $(UTEST_GLIBC)

user-native-test: user-progs
	@tests/user/run.sh native

.PHONY: user-progs user-native-test

# Programs that end badly on purpose (glibc only): their exit status is
# what the tests check.
UCRASH := $(patsubst tests/user/crash/%.c,$(UBUILD)/crash/%,$(wildcard tests/user/crash/*.c))

$(UCRASH): $(UBUILD)/crash/%: tests/user/crash/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc)"
	$(Q)$(CC) $(UGLIBC_CFLAGS) -O0 -static -MF $@.d -MT $@ -o $@ $<

user-progs: $(UCRASH)

# Programs for the LWK only (libc-min): the syscall fuzzer must never run
# natively, where random syscalls as root could change this machine.
ULWK := $(patsubst tests/user/lwk/%.c,$(UBUILD)/lwk-only/%,$(wildcard tests/user/lwk/*.c))

$(ULWK): $(UBUILD)/lwk-only/%: tests/user/lwk/%.c $(UCRT0) $(ULIBC) | $(USYSCALL_H)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (libc-min, LWK only)"
	$(Q)$(CC) $(UCFLAGS) $(ULDFLAGS) -MF $@.d -MT $@ -o $@ $(UCRT0) $< $(ULIBC) -lgcc

user-progs: $(ULWK)

# Programs that need threads, OpenMP or signal actions, which libc-min
# lacks: built with glibc only, into the same directory as the glibc
# builds above so that run.sh finds them. Their names must not repeat a
# tests/user/*.c name. omp_* files are OpenMP programs.
UGLIBC_ONLY := $(patsubst tests/user/glibc/%.c,$(UBUILD)/glibc/%,$(wildcard tests/user/glibc/*.c))
$(foreach p,$(filter $(UTESTS),$(notdir $(UGLIBC_ONLY))),\
	$(error tests/user/$(p).c and tests/user/glibc/$(p).c both build $(UBUILD)/glibc/$(p)))

$(UGLIBC_ONLY): $(UBUILD)/glibc/%: tests/user/glibc/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc only)"
	$(Q)$(CC) $(UGLIBC_CFLAGS) -pthread $(if $(filter omp_%,$*),-fopenmp) -static \
		-MF $@.d -MT $@ -o $@ $<

user-progs: $(UGLIBC_ONLY)

# The same glibc programs linked dynamically ($(UBUILD)/glibc-dyn/NAME):
# under lwkexec the LWK loads ld.so, which maps libc.so.6 and friends
# through the proxy (file-backed MAP_PRIVATE filled by a forwarded pread).
UGLIBC_DYN := $(addprefix $(UBUILD)/glibc-dyn/,$(UTESTS) $(notdir $(UGLIBC_ONLY)))

$(UBUILD)/glibc-dyn/%: tests/user/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc, dynamic)"
	$(Q)$(CC) $(UGLIBC_CFLAGS) -fPIE -pie -MF $@.d -MT $@ -o $@ $<

$(UBUILD)/glibc-dyn/%: tests/user/glibc/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc only, dynamic)"
	$(Q)$(CC) $(UGLIBC_CFLAGS) -fPIE -pie -pthread $(if $(filter omp_%,$*),-fopenmp) \
		-MF $@.d -MT $@ -o $@ $<

user-progs: $(UGLIBC_DYN)
