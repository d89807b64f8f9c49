# The kernel links the same string and format routines that test programs use.
KOBJS += $(patsubst %.c,$(BUILD)/%.o,$(wildcard libc-min/*.c))
