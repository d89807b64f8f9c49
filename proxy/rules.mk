# The Linux side: host programs, built with the host's C library.
PROXY_CFLAGS := -std=gnu11 -O2 -g $(WARN) -Ikernel/include -D_GNU_SOURCE \
	-ffile-prefix-map=$(CURDIR)=. -MMD -MP

$(BUILD)/bin/lwkctl: proxy/lwkctl.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(PROXY_CFLAGS) -o $@ $<

all: $(BUILD)/bin/lwkctl
