/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The values that lwkctl's and lwkexec's options take, parsed once for
 * both: sizes (--mem), whole numbers in a range (--cpus, --timeout) and
 * core lists (--cores). A refused size or core list comes with one line
 * saying what is wrong with what was given and what to give (the caller
 * adds its program's name); a refused number with none, since what its
 * range means is the option's to say.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <uapi/lwk/channel.h>

/* The largest size a --mem may name: the most a process's arena can hold
 * (LWK_ARENA_MAX), far more than any partition has. */
#define VALUES_SIZE_MAX (16ull << 40)
/* The longest --timeout, in seconds: a day. */
#define VALUES_SECONDS_MAX 86400

/* A size: a whole number of bytes, or of KiB, MiB, GiB or TiB with the
 * suffix K, M, G or T (either case); not 0, at most VALUES_SIZE_MAX. 0 and
 * the size in @out, or -1 and, in @err, one line saying what is wrong with
 * @s, given as option @opt ("--mem"), and what to give instead. */
int values_size(const char *opt, const char *s, uint64_t *out, char *err, size_t errlen);
/* @bytes in the largest unit that holds it whole ("1 KiB", "512 MiB",
 * "3 bytes"), in @buf. */
const char *values_size_name(uint64_t bytes, char *buf, size_t len);
/* A decimal number in [min, max], digits only: 0, or -1. */
int values_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* --cores: a count ("3") in *@count with an empty @mask, or a list of core
 * indexes ("1,2,5-7") in @mask with *@count = 0. 0, or -EINVAL and, in
 * @err, one line that starts with what was given. */
int values_cores(const char *s, unsigned int *count, uint64_t mask[LWK_CHAN_MAX_CPUS / 64],
		 char *err, size_t errlen);
