/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The channel's message protocol (channel.h), written once for both sides:
 * the kernel and the proxy publish, read and check every message, and
 * hand over posted[] and signal bits, only through these helpers. They use
 * the compiler's __atomic builtins, so they build in the freestanding
 * kernel and in glibc programs alike.
 *
 * Two conversations use them. The halves of each share a name, _post on
 * the writer's side and _read on the reader's:
 *
 *   forwarded calls (step 5)    the LWK (kernel/channel/forward.c)
 *                               and the proxy (proxy/lwkexec/service_dispatch.c)
 *     request, LWK_MSG_SYSCALL  forward_request_post     -> forward_request_read
 *     completion, RESULT        forward_completion_read  <- forward_completion_post
 *
 *   process control (2-4, 7)    the proxy (proxy/lwkexec/service_launch.c)
 *                               and the service core (kernel/channel/service_ctl.c)
 *     command, CREATE..RELEASE  ctl_command_post         -> ctl_command_read
 *     reply, LWK_MSG_REPLY      ctl_reply_read           <- ctl_reply_post
 *
 * Publishing: the writer withdraws the message first (seq 0), writes the
 * body, and stores the new seq last with release order. Reading: the
 * reader loads seq with acquire order, copies the message, and loads seq
 * again: if it changed, the writer was at work meanwhile and the copy is
 * torn. The copy is what the reader checks and acts on; the writer (never
 * trusted) may scribble on the original at any time.
 */
#pragma once

#include <stdint.h>
#include <uapi/lwk/abi.h>
#include <uapi/lwk/channel.h>

/* What reading a message found: 0, or one of these (each its own cause). */
#define LWK_MSG_ERR_STALE (-1) /* nothing new: seq 0, seen already, or not the awaited one */
#define LWK_MSG_ERR_TORN (-2)  /* rewritten while it was copied */
#define LWK_MSG_ERR_MAGIC (-3)
#define LWK_MSG_ERR_ABI (-4)
#define LWK_MSG_ERR_TYPE (-5)
#define LWK_MSG_ERR_SIZE (-6)

/* The type argument of lwk_msg_check and the readers: any type (the
 * reader dispatches on it, as the service core does on commands). */
#define LWK_MSG_TYPE_ANY 0

#define LWK_CHAN_POSTED_WORDS (LWK_CHAN_MAX_SLOTS / 64)

/* The seq a message carries now (acquire: its body is visible). */
static inline uint32_t lwk_msg_seq(const struct lwk_msg_hdr *h)
{
	return __atomic_load_n(&h->seq, __ATOMIC_ACQUIRE);
}

/* The seq for a new message after @last: never 0 (nothing published) and
 * never @avoid (an answer still standing for an older message). */
static inline uint32_t lwk_msg_seq_next(uint32_t last, uint32_t avoid)
{
	uint32_t seq = last + 1;

	while (!seq || seq == avoid)
		seq++;
	return seq;
}

/* Withdraw the message at @h and write its header but for seq: the body
 * may be written next, in place. */
static inline void lwk_msg_begin(struct lwk_msg_hdr *h, uint16_t type, uint16_t size)
{
	__atomic_store_n(&h->seq, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	h->magic = LWK_MSG_MAGIC;
	h->abi_version = LWK_ABI_VERSION;
	h->type = type;
	h->size = size;
	h->pad = 0;
}

/* The body is written: publish it as message @seq. */
static inline void lwk_msg_publish(struct lwk_msg_hdr *h, uint32_t seq)
{
	__atomic_store_n(&h->seq, seq, __ATOMIC_RELEASE);
}

/* Publish the message built in @src (@size bytes, header first; its
 * header is filled here) at @dst as @type, message @seq. */
static inline void lwk_msg_post(void *dst, const void *src, uint16_t type, uint16_t size,
				uint32_t seq)
{
	const uint32_t hsize = sizeof(struct lwk_msg_hdr);

	lwk_msg_begin((struct lwk_msg_hdr *)dst, type, size);
	__builtin_memcpy((char *)dst + hsize, (const char *)src + hsize, size - hsize);
	lwk_msg_publish((struct lwk_msg_hdr *)dst, seq);
}

/* Is the header of a message (a copy) one of ours, of @type (or any, with
 * LWK_MSG_TYPE_ANY) and @size bytes? 0 or LWK_MSG_ERR_*. */
static inline int lwk_msg_check(const struct lwk_msg_hdr *h, uint16_t type, uint16_t size)
{
	if (h->magic != LWK_MSG_MAGIC)
		return LWK_MSG_ERR_MAGIC;
	if (h->abi_version != LWK_ABI_VERSION)
		return LWK_MSG_ERR_ABI;
	if (type != LWK_MSG_TYPE_ANY && h->type != type)
		return LWK_MSG_ERR_TYPE;
	if (h->size != size)
		return LWK_MSG_ERR_SIZE;
	return 0;
}

/* Copy message @seq (its seq loaded already) from @src to @dst, @size
 * bytes, and check the copy: 0 or LWK_MSG_ERR_*. */
static inline int lwk_msg_copy(void *dst, const void *src, uint16_t type, uint16_t size,
			       uint32_t seq)
{
	const struct lwk_msg_hdr *orig = (const struct lwk_msg_hdr *)src;
	struct lwk_msg_hdr *copy = (struct lwk_msg_hdr *)dst;

	__builtin_memcpy(dst, src, size);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&orig->seq, __ATOMIC_RELAXED) != seq)
		return LWK_MSG_ERR_TORN;
	copy->seq = seq;
	return lwk_msg_check(copy, type, size);
}

/* The server's read: a message newer than @last (the one it handled
 * last), copied to @dst and checked. A bad header still leaves the copy,
 * for the caller to refuse by its seq. */
static inline int lwk_msg_read_new(void *dst, const void *src, uint16_t type, uint16_t size,
				   uint32_t last)
{
	uint32_t seq = lwk_msg_seq((const struct lwk_msg_hdr *)src);

	if (!seq || seq == last)
		return LWK_MSG_ERR_STALE;
	return lwk_msg_copy(dst, src, type, size, seq);
}

/* The client's read: the answer to its message @seq, copied to @dst and
 * checked; LWK_MSG_ERR_STALE while there is none (or another's). */
static inline int lwk_msg_read_answer(void *dst, const void *src, uint16_t type, uint16_t size,
				      uint32_t seq)
{
	if (!seq || lwk_msg_seq((const struct lwk_msg_hdr *)src) != seq)
		return LWK_MSG_ERR_STALE;
	return lwk_msg_copy(dst, src, type, size, seq);
}

/* ---- posted[] and signals: bits set by one side, taken by the other ---- */

/* The LWK: slot @slot has news (a request, or an interrupt of one). */
static inline void lwk_chan_post(struct lwk_chan_proc *cp, unsigned int slot)
{
	__atomic_fetch_or(&cp->posted[slot / 64], 1ull << (slot % 64), __ATOMIC_SEQ_CST);
}

/* The proxy: take every posted bit into @taken (exchange with 0); nonzero
 * if any word had bits. */
static inline int lwk_chan_posted_take(struct lwk_chan_proc *cp,
				       uint64_t taken[LWK_CHAN_POSTED_WORDS])
{
	int any = 0;

	for (unsigned int w = 0; w < LWK_CHAN_POSTED_WORDS; w++) {
		taken[w] = 0;
		if (!__atomic_load_n(&cp->posted[w], __ATOMIC_RELAXED))
			continue;
		taken[w] = __atomic_exchange_n(&cp->posted[w], 0, __ATOMIC_ACQ_REL);
		any = 1;
	}
	return any;
}

/* The LWK, freeing an entry: no slot has news any more. */
static inline void lwk_chan_posted_clear(struct lwk_chan_proc *cp)
{
	for (unsigned int w = 0; w < LWK_CHAN_POSTED_WORDS; w++)
		__atomic_store_n(&cp->posted[w], 0, __ATOMIC_RELAXED);
}

/* The proxy: deliver the signals of @bits (bit signo - 1) to the process. */
static inline void lwk_chan_signals_post(struct lwk_chan_proc *cp, uint64_t bits)
{
	__atomic_or_fetch(&cp->signals, bits, __ATOMIC_RELEASE);
}

/* The LWK: take the signals asked for (exchange with 0). */
static inline uint64_t lwk_chan_signals_take(struct lwk_chan_proc *cp)
{
	return __atomic_exchange_n(&cp->signals, 0, __ATOMIC_ACQ_REL);
}
