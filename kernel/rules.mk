KOBJS += $(patsubst %.c,$(BUILD)/%.o,$(wildcard kernel/*/*.c))
