# Benchmarks: static programs run both on Linux and on the LWK.
BENCH_PROGS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/*.c))

$(BENCH_PROGS): $(BUILD)/bench/%: tests/bench/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (glibc)"
	$(Q)$(CC) -std=gnu11 -O2 $(WARN) -pthread -static -o $@ $<

bench-progs: $(BENCH_PROGS)
.PHONY: bench-progs

# Partition-mode benchmarks alone (make bench runs them too, from run.sh).
bench-partition: bench-progs
	@tests/bench/partition.sh
.PHONY: bench-partition
