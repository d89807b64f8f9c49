// SPDX-License-Identifier: GPL-2.0-only
/*
 * The wall clock of a shim-built boot description: the CMOS real-time
 * clock (MC146818 and its descendants) read once at boot, turned into Unix
 * time and tied to the TSC read at the same moment, so that
 * lwk,wallclock-offset-ns = CLOCK_REALTIME - CLOCK_MONOTONIC.
 *
 * The registers come through env->cmos_read (port I/O lives in the arch
 * layer, boot/pc/start.c); everything else here is pure and host-tested.
 * The RTC counts whole seconds, so the clock starts up to a second behind.
 */
#include <stdio.h>
#include "shim_internal.h"

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_MDAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY 0x32 /* the ACPI FADT may name another; QEMU and PCs use this */

#define RTC_A_UIP 0x80	  /* an update is in progress: the registers may be torn */
#define RTC_B_24H 0x02	  /* hours count 0-23, else 1-12 with a PM flag */
#define RTC_B_BINARY 0x04 /* values are binary, else BCD */
#define RTC_HOUR_PM 0x80  /* 12-hour mode */

/* An update keeps UIP set for about 2 ms; a clock that holds it for 10 ms
 * is broken. Two reads that disagree mean the clock ticked in between;
 * more than a few in a row mean it is not a clock. */
#define RTC_UIP_WAIT_DIV 100 /* tsc_hz / 100: 10 ms */
#define RTC_READ_TRIES 5
#define NSEC_PER_SEC 1000000000ull

static bool leap_year(uint32_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static uint32_t month_days(uint32_t year, uint32_t mon)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return days[mon - 1] + (mon == 2 && leap_year(year));
}

/* Leap years in [1, y]. */
static uint64_t leaps_through(uint32_t y)
{
	return y / 4 - y / 100 + y / 400;
}

int64_t shim_rtc_to_unix(const struct shim_rtc_time *tm)
{
	uint64_t days;

	if (tm->year < 1970)
		return -1;
	days = 365ull * (tm->year - 1970) + leaps_through(tm->year - 1) - leaps_through(1969);
	for (uint32_t m = 1; m < tm->mon; m++)
		days += month_days(tm->year, m);
	days += tm->mday - 1;
	return (int64_t)(((days * 24 + tm->hour) * 60 + tm->min) * 60 + tm->sec);
}

/* A register's value in the clock's format; -1 if it is not a number. */
static int rtc_value(uint8_t v, bool binary)
{
	if (binary)
		return v;
	if ((v & 0xf) > 9 || (v >> 4) > 9)
		return -1;
	return (v >> 4) * 10 + (v & 0xf);
}

/* Hours in 24-hour form: 12-hour clocks count 12, 1, ..., 11 with a PM flag. */
static int rtc_hours(uint8_t v, uint8_t status_b)
{
	bool binary = status_b & RTC_B_BINARY;
	bool pm = v & RTC_HOUR_PM;
	int h;

	if (status_b & RTC_B_24H)
		return rtc_value(v, binary);
	h = rtc_value(v & ~RTC_HOUR_PM, binary);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + (pm ? 12 : 0);
}

/* The century register is not kept by every firmware (it reads 0 or 0xff
 * there): anything outside 19..21 is taken as "not kept", and the years
 * are then 2000-2099. */
static uint32_t rtc_century(uint8_t v, bool binary)
{
	int c = rtc_value(v, binary);

	return c >= 19 && c <= 21 ? (uint32_t)c : 20;
}

int shim_rtc_decode(const struct shim_rtc_regs *r, struct shim_rtc_time *tm, char *why,
		    size_t whylen)
{
	bool binary = r->status_b & RTC_B_BINARY;
	int sec = rtc_value(r->sec, binary), min = rtc_value(r->min, binary);
	int hour = rtc_hours(r->hour, r->status_b), mday = rtc_value(r->mday, binary);
	int mon = rtc_value(r->mon, binary), year = rtc_value(r->year, binary);

	if (sec < 0 || sec > 59 || min < 0 || min > 59 || hour < 0 || hour > 23 || mon < 1 ||
	    mon > 12 || year < 0 || year > 99 || mday < 1) {
		snprintf(why, whylen,
			 "the RTC holds no valid time (%02x-%02x-%02x %02x:%02x:%02x, status B "
			 "0x%02x)",
			 r->year, r->mon, r->mday, r->hour, r->min, r->sec, r->status_b);
		return -EINVAL;
	}
	tm->year = rtc_century(r->century, binary) * 100 + (uint32_t)year;
	tm->mon = (uint32_t)mon;
	tm->mday = (uint32_t)mday;
	tm->hour = (uint32_t)hour;
	tm->min = (uint32_t)min;
	tm->sec = (uint32_t)sec;
	if (tm->mday > month_days(tm->year, tm->mon)) {
		snprintf(why, whylen,
			 "the RTC says day %u of month %u of %u, which has no such day", tm->mday,
			 tm->mon, tm->year);
		return -EINVAL;
	}
	if (tm->year < 1970) {
		snprintf(why, whylen, "the RTC says the year %u, before 1970", tm->year);
		return -EINVAL;
	}
	return 0;
}

uint64_t shim_tsc_to_ns(uint64_t cycles, uint64_t hz)
{
	/* The kernel's CLOCK_MONOTONIC (sys_time.c), to the same rounding. */
	uint64_t mult = (NSEC_PER_SEC << 32) / hz;

	return (uint64_t)(((unsigned __int128)cycles * mult) >> 32);
}

/* ---- reading the clock (through env->cmos_read) ---------------------------- */

static bool rtc_wait_update(const struct shim_env *env)
{
	uint64_t deadline = env->cycles(env->ctx) + env->tsc_hz / RTC_UIP_WAIT_DIV;

	while (env->cmos_read(env->ctx, RTC_STATUS_A) & RTC_A_UIP)
		if (env->cycles(env->ctx) > deadline)
			return false;
	return true;
}

static void rtc_read_regs(const struct shim_env *env, struct shim_rtc_regs *r)
{
	void *ctx = env->ctx;

	r->sec = env->cmos_read(ctx, RTC_SECONDS);
	r->min = env->cmos_read(ctx, RTC_MINUTES);
	r->hour = env->cmos_read(ctx, RTC_HOURS);
	r->mday = env->cmos_read(ctx, RTC_MDAY);
	r->mon = env->cmos_read(ctx, RTC_MONTH);
	r->year = env->cmos_read(ctx, RTC_YEAR);
	r->century = env->cmos_read(ctx, RTC_CENTURY);
	r->status_b = env->cmos_read(ctx, RTC_STATUS_B);
}

static bool rtc_regs_equal(const struct shim_rtc_regs *a, const struct shim_rtc_regs *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->mday == b->mday &&
	       a->mon == b->mon && a->year == b->year && a->century == b->century &&
	       a->status_b == b->status_b;
}

static int rtc_stuck(char *why, size_t whylen)
{
	snprintf(why, whylen, "the RTC stayed in an update (status A bit 7) for 10 ms");
	return -EIO;
}

/* Registers read outside an update, twice alike, and the TSC when the
 * first read began (the time is then in [that second, the next)). */
static int rtc_read_stable(const struct shim_env *env, struct shim_rtc_regs *r, uint64_t *tsc,
			   char *why, size_t whylen)
{
	struct shim_rtc_regs again;

	for (int i = 0; i < RTC_READ_TRIES; i++) {
		if (!rtc_wait_update(env))
			return rtc_stuck(why, whylen);
		*tsc = env->cycles(env->ctx);
		rtc_read_regs(env, r);
		if (!rtc_wait_update(env))
			return rtc_stuck(why, whylen);
		rtc_read_regs(env, &again);
		if (rtc_regs_equal(r, &again))
			return 0;
	}
	snprintf(why, whylen, "the RTC changed between every two of %d reads", RTC_READ_TRIES);
	return -EIO;
}

int shim_read_wallclock(struct shim_state *st)
{
	const struct shim_env *env = st->env;
	struct shim_rtc_regs regs;
	struct shim_rtc_time tm;
	uint64_t tsc, mono, real;
	int64_t secs;
	int ret;

	if (!env->cmos_read || !env->cycles) {
		snprintf(st->wallclock_why, sizeof(st->wallclock_why), "no RTC to read");
		return -ENODEV;
	}
	ret = rtc_read_stable(env, &regs, &tsc, st->wallclock_why, sizeof(st->wallclock_why));
	if (!ret)
		ret = shim_rtc_decode(&regs, &tm, st->wallclock_why, sizeof(st->wallclock_why));
	if (ret)
		return ret;
	secs = shim_rtc_to_unix(&tm);
	real = (uint64_t)secs * NSEC_PER_SEC;
	mono = shim_tsc_to_ns(tsc, env->tsc_hz);
	if (secs < 0 || mono > real) {
		snprintf(st->wallclock_why, sizeof(st->wallclock_why),
			 "the RTC time (%lld s) is before the TSC's start (%llu ns ago)",
			 (long long)secs, (unsigned long long)mono);
		return -EINVAL;
	}
	st->has_wallclock = true;
	st->wallclock_offset_ns = real - mono;
	return 0;
}

/* A machine without a readable clock still boots: its CLOCK_REALTIME
 * counts from the epoch, and the console says why. */
void shim_collect_wallclock(struct shim_state *st)
{
	char msg[200];

	if (!shim_read_wallclock(st) || !st->env->warn)
		return;
	snprintf(msg, sizeof(msg), "wall clock: %s; CLOCK_REALTIME counts from 1970",
		 st->wallclock_why);
	st->env->warn(st->env->ctx, msg);
}
