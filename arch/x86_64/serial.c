// SPDX-License-Identifier: GPL-2.0-only
/* COM1 at 115200 8N1: the console for the log and for panics. Polled, so it
 * works before interrupts and with interrupts off. */
#include <lwk/arch.h>
#include <arch/x86.h>

/* COM1 carries the kernel log; in bare mode COM2 and COM3 carry the user
 * program's stdout and stderr, byte for byte. */
#define COM1 0x3f8
#define COM2 0x2f8
#define COM3 0x3e8
#define LSR_THR_EMPTY 0x20

static void uart_init(uint16_t port)
{
	outb(port + 1, 0x00); /* no interrupts */
	outb(port + 3, 0x80); /* DLAB */
	outb(port + 0, 0x01); /* divisor 1: 115200 baud */
	outb(port + 1, 0x00);
	outb(port + 3, 0x03); /* 8N1 */
	outb(port + 2, 0xc7); /* FIFO on, cleared */
	outb(port + 4, 0x03); /* DTR, RTS */
}

void arch_console_init(void)
{
	uart_init(COM1);
	uart_init(COM2);
	uart_init(COM3);
}

static void serial_putc(uint16_t port, char c)
{
	/* Bounded: a missing UART must not hang the kernel. */
	for (int i = 0; i < 100000 && !(inb(port + 5) & LSR_THR_EMPTY); i++)
		arch_pause();
	outb(port, c);
}

void arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc(COM1, '\r');
		serial_putc(COM1, s[i]);
	}
}

void arch_user_output(int fd, const char *s, size_t n)
{
	uint16_t port = fd == 2 ? COM3 : COM2;

	for (size_t i = 0; i < n; i++)
		serial_putc(port, s[i]);
}
