/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The kernel log ring. The kernel appends text lines; a reader on Linux
 * (lwkctl dmesg) copies them out. @head counts every byte ever written, so a
 * reader that remembers its last head knows what it missed: the ring holds
 * the last @size bytes, at data[(head - size) % size ...].
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>

#define LWK_LOG_MAGIC 0x4c574b4cu /* "LWKL" */

struct lwk_log_ring {
	uint32_t magic;
	uint32_t abi_version;
	uint32_t size; /* bytes in data[] */
	uint32_t pad;
	uint64_t head;
	uint8_t data[];
};

LWK_STATIC_ASSERT(sizeof(struct lwk_log_ring) == 24);
LWK_STATIC_ASSERT(__builtin_offsetof(struct lwk_log_ring, head) == 16);
