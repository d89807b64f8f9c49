// SPDX-License-Identifier: GPL-2.0-only
/*
 * The only port I/O devices the kernel drives once it runs: a 16550 UART
 * as the console (polled, so it works before interrupts and with them off)
 * and QEMU's isa-debug-exit port for the verdict. Both exist only when the
 * boot description names them (lwk,uart-port, lwk,exit-port): the PC loader
 * path does, a partition beside Linux does not, and then the kernel touches
 * no port at all. Until the description is read, the PC path has COM1 and
 * the exit port (arch_pc_machine_init), an entry from Linux has neither.
 */
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <arch/x86.h>
#include <arch/boot.h>

/* The console carries the kernel log; in bare mode COM2 and COM3 carry the
 * user program's stdout and stderr, byte for byte (QEMU's -serial files:
 * they exist only where there is a console as well). */
#define COM1 0x3f8
#define COM2 0x2f8
#define COM3 0x3e8
#define LSR_THR_EMPTY 0x20

static uint16_t console_port; /* 0: none */
static bool user_ports;
static uint16_t exit_port; /* 0: none */
static bool pc_machine;

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

static void console_use(uint16_t port)
{
	if (port && port != console_port)
		uart_init(port);
	if (port && !user_ports) {
		uart_init(COM2);
		uart_init(COM3);
	}
	console_port = port;
	user_ports = port != 0;
}

void arch_pc_machine_init(void)
{
	pc_machine = true;
	console_use(COM1);
	exit_port = QEMU_EXIT_PORT;
}

bool arch_pc_machine_owned(void)
{
	return pc_machine;
}

void arch_devices_setup(const struct bootdesc *bd)
{
	console_use(bd->has_uart_port ? (uint16_t)bd->uart_port : 0);
	exit_port = bd->has_exit_port ? (uint16_t)bd->exit_port : 0;
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
	uint16_t port = READ_ONCE(console_port);

	for (size_t i = 0; port && i < n; i++) {
		if (s[i] == '\n')
			serial_putc(port, '\r');
		serial_putc(port, s[i]);
	}
}

void arch_user_output(int fd, const char *s, size_t n)
{
	uint16_t port = fd == 2 ? COM3 : COM2;

	for (size_t i = 0; READ_ONCE(user_ports) && i < n; i++)
		serial_putc(port, s[i]);
}

__noreturn void arch_exit(enum arch_exit_code code)
{
	if (exit_port)
		outb(exit_port, code);
	arch_halt_forever();
}
