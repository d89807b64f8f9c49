// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <lwk/arch.h>
#include <lwk/log.h>
#include <lwk/panic.h>
#include <lwk/spinlock.h>
#include <uapi/lwk/log.h>

#define LOG_RING_SIZE (64 * 1024)

/* The ring the kernel starts with; a channel (Linux can read it there)
 * takes over with log_use_ring(). */
static struct {
	struct lwk_log_ring hdr;
	uint8_t data[LOG_RING_SIZE];
} boot_ring = { .hdr = { LWK_LOG_MAGIC, LWK_ABI_VERSION, LOG_RING_SIZE, 0, 0 } };

static struct lwk_log_ring *ring = &boot_ring.hdr;
/* The kernel's own copies: Linux can write the ring's header, and a bad
 * size or head there must not send the kernel out of bounds. */
static uint32_t ring_size = LOG_RING_SIZE;
static uint64_t ring_head;

static struct spinlock log_lock = SPINLOCK_INIT;
static enum log_level max_level = LOG_INFO;
static const char *const level_tag[] = { "error: ", "warning: ", "", "debug: " };

void log_set_level(enum log_level level)
{
	max_level = level;
}

static void ring_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring->data[(ring_head + i) % ring_size] = s[i];
	ring_head += n;
	__atomic_store_n(&ring->head, ring_head, __ATOMIC_RELEASE);
}

void log_use_ring(struct lwk_log_ring *r, uint32_t size)
{
	uint64_t flags = arch_irq_save();
	uint64_t len;

	spin_lock(&log_lock);
	len = MIN(ring_head, (uint64_t)MIN(size, ring_size));
	for (uint64_t i = ring_head - len; i < ring_head; i++)
		r->data[i % size] = ring->data[i % ring_size];
	r->magic = LWK_LOG_MAGIC;
	r->abi_version = LWK_ABI_VERSION;
	r->size = size;
	/* The count of bytes ever written carries over: a reader's position
	 * stays meaningful. */
	__atomic_store_n(&r->head, ring_head, __ATOMIC_RELEASE);
	ring = r;
	ring_size = size;
	spin_unlock(&log_lock);
	arch_irq_restore(flags);
}

/*
 * Interrupt handlers log too, so the lock is taken with interrupts off.
 * Once a core panics, only it may write: it does so without the lock (the
 * holder may be a core it just stopped), and any other core that still
 * gets here stops itself instead of interleaving with the report.
 */
static void emit(const char *s, size_t n)
{
	uint64_t flags;

	if (panic_in_progress()) {
		if (panic_cpu() != (int)arch_cpu_id())
			arch_halt_forever();
		panic_note_output(s, n);
		ring_append(s, n);
		arch_console_write(s, n);
		return;
	}
	flags = arch_irq_save();
	spin_lock(&log_lock);
	ring_append(s, n);
	arch_console_write(s, n);
	spin_unlock(&log_lock);
	arch_irq_restore(flags);
}

/* Microseconds since TSC zero; before calibration the stamp is 0. */
static uint64_t log_stamp_us(void)
{
	uint64_t hz = arch_tsc_hz();

	return hz ? arch_cycles() / (hz / 1000000 ? hz / 1000000 : 1) : 0;
}

void log_write(enum log_level level, const char *fmt, ...)
{
	char line[512];
	uint64_t us = log_stamp_us();
	int n;
	va_list ap;

	if (level > max_level)
		return;
	n = snprintf(line, sizeof(line), "[%5llu.%06llu] cpu%u: %s",
		     (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000),
		     arch_cpu_id(), level_tag[level]);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	emit(line, n);
}

void log_raw(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	emit(line, n);
}

size_t log_tail(char *buf, size_t n)
{
	uint64_t head, len;

	uint64_t flags;

	if (!n)
		return 0;
	flags = arch_irq_save();
	spin_lock(&log_lock);
	head = ring_head;
	len = MIN(MIN((uint64_t)n - 1, head), (uint64_t)ring_size);
	for (uint64_t i = 0; i < len; i++)
		buf[i] = ring->data[(head - len + i) % ring_size];
	buf[len] = '\0';
	spin_unlock(&log_lock);
	arch_irq_restore(flags);
	return len;
}
