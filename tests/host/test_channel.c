// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the channel's message protocol (uapi/lwk/channel_msg.h),
 * the helpers that both the kernel and the proxy publish, read and check
 * messages with: every way a message is refused has its own error.
 */
#include <uapi/lwk/channel_msg.h>
#include "htest.h"

/* A request as the LWK publishes it, message @seq. */
static void request_post(struct lwk_chan_req *slot, uint32_t seq, uint32_t nr)
{
	lwk_msg_begin(&slot->hdr, LWK_MSG_SYSCALL, sizeof(*slot));
	slot->pid = 7;
	slot->nr = nr;
	lwk_msg_publish(&slot->hdr, seq);
}

HTEST(channel, post_and_read)
{
	struct lwk_chan_req slot = { 0 }, copy;

	request_post(&slot, 5, 39);
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0), 0);
	EXPECT_EQ(copy.hdr.seq, 5);
	EXPECT_EQ(copy.hdr.magic, LWK_MSG_MAGIC);
	EXPECT_EQ(copy.hdr.abi_version, LWK_ABI_VERSION);
	EXPECT_EQ(copy.nr, 39);
	EXPECT_EQ(copy.pid, 7);
}

HTEST(channel, post_from_a_built_message)
{
	struct lwk_chan_reply shared = { 0 }, built = { 0 }, copy;

	built.status = -12;
	built.hdr.seq = 99; /* ignored: the seq is the one posted */
	lwk_msg_post(&shared, &built, LWK_MSG_REPLY, sizeof(shared), 3);
	EXPECT_EQ(lwk_msg_seq(&shared.hdr), 3);
	EXPECT_EQ(lwk_msg_read_answer(&copy, &shared, LWK_MSG_REPLY, sizeof(copy), 3), 0);
	EXPECT(copy.status == -12);
}

HTEST(channel, nothing_published_is_stale)
{
	struct lwk_chan_req slot = { 0 }, copy;

	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0),
		  LWK_MSG_ERR_STALE);
	/* A writer at work has withdrawn the message (seq 0). */
	request_post(&slot, 4, 0);
	lwk_msg_begin(&slot.hdr, LWK_MSG_SYSCALL, sizeof(slot));
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0),
		  LWK_MSG_ERR_STALE);
}

HTEST(channel, replayed_seq_is_stale)
{
	struct lwk_chan_ctl slot = { 0 }, copy = { 0 };

	lwk_msg_post(&slot, &copy, LWK_MSG_START, sizeof(slot), 8);
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_TYPE_ANY, sizeof(copy), 7), 0);
	/* Handled already: the same seq again is no new command. */
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_TYPE_ANY, sizeof(copy), 8),
		  LWK_MSG_ERR_STALE);
}

HTEST(channel, answer_to_another_is_stale)
{
	struct lwk_chan_cmpl slot = { 0 }, copy;

	lwk_msg_begin(&slot.hdr, LWK_MSG_RESULT, sizeof(slot));
	slot.ret = 42;
	lwk_msg_publish(&slot.hdr, 10);
	EXPECT_EQ(lwk_msg_read_answer(&copy, &slot, LWK_MSG_RESULT, sizeof(copy), 11),
		  LWK_MSG_ERR_STALE);
	EXPECT_EQ(lwk_msg_read_answer(&copy, &slot, LWK_MSG_RESULT, sizeof(copy), 0),
		  LWK_MSG_ERR_STALE);
	EXPECT_EQ(lwk_msg_read_answer(&copy, &slot, LWK_MSG_RESULT, sizeof(copy), 10), 0);
	EXPECT_EQ(copy.ret, 42);
}

/* A message whose seq changes between the reader's two looks: copied
 * from a slot that a writer rewrote meanwhile. */
HTEST(channel, torn_message)
{
	struct lwk_chan_req slot = { 0 }, copy;

	request_post(&slot, 20, 0);
	/* lwk_msg_copy is the reader's second half: it was told seq 20, and
	 * the slot carries 21 by the time it looks again. */
	request_post(&slot, 21, 1);
	EXPECT_EQ(lwk_msg_copy(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 20), LWK_MSG_ERR_TORN);
	/* Withdrawn meanwhile (seq 0): torn as well. */
	lwk_msg_begin(&slot.hdr, LWK_MSG_SYSCALL, sizeof(slot));
	EXPECT_EQ(lwk_msg_copy(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 21), LWK_MSG_ERR_TORN);
}

HTEST(channel, bad_headers)
{
	struct lwk_chan_req slot = { 0 }, copy;

	request_post(&slot, 1, 0);
	slot.hdr.magic = 0x1234;
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0),
		  LWK_MSG_ERR_MAGIC);
	request_post(&slot, 2, 0);
	slot.hdr.abi_version = LWK_ABI_VERSION + 1;
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0),
		  LWK_MSG_ERR_ABI);
	request_post(&slot, 3, 0);
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_RESULT, sizeof(copy), 0),
		  LWK_MSG_ERR_TYPE);
	/* Any type will do for a reader that dispatches on it. */
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_TYPE_ANY, sizeof(copy), 0), 0);
	slot.hdr.size = sizeof(slot) - 8;
	EXPECT_EQ(lwk_msg_read_new(&copy, &slot, LWK_MSG_SYSCALL, sizeof(copy), 0),
		  LWK_MSG_ERR_SIZE);
	/* The copy is left for the caller to refuse by its seq. */
	EXPECT_EQ(copy.hdr.seq, 3);
}

HTEST(channel, errors_are_distinct)
{
	const int errs[] = { LWK_MSG_ERR_STALE, LWK_MSG_ERR_TORN, LWK_MSG_ERR_MAGIC,
			     LWK_MSG_ERR_ABI,	LWK_MSG_ERR_TYPE, LWK_MSG_ERR_SIZE };

	for (unsigned int i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		EXPECT(errs[i] < 0);
		for (unsigned int j = 0; j < i; j++)
			EXPECT(errs[i] != errs[j]);
	}
}

HTEST(channel, seq_next_skips_zero_and_avoid)
{
	EXPECT_EQ(lwk_msg_seq_next(4, 0), 5);
	EXPECT_EQ(lwk_msg_seq_next(0xffffffffu, 0), 1);
	EXPECT_EQ(lwk_msg_seq_next(4, 5), 6);
	EXPECT_EQ(lwk_msg_seq_next(0xffffffffu, 1), 2);
}

HTEST(channel, posted_bits_taken_once)
{
	static struct lwk_chan_proc cp;
	uint64_t taken[LWK_CHAN_POSTED_WORDS];

	EXPECT(!lwk_chan_posted_take(&cp, taken));
	lwk_chan_post(&cp, 0);
	lwk_chan_post(&cp, 63);
	lwk_chan_post(&cp, 64);
	lwk_chan_post(&cp, LWK_CHAN_MAX_SLOTS - 1);
	lwk_chan_post(&cp, 63); /* twice: one bit */
	EXPECT(lwk_chan_posted_take(&cp, taken));
	EXPECT_EQ(taken[0], (1ull << 63) | 1);
	EXPECT_EQ(taken[1], 1);
	EXPECT_EQ(taken[LWK_CHAN_POSTED_WORDS - 1], 1ull << 63);
	/* Taken: nothing is left for a second look. */
	EXPECT(!lwk_chan_posted_take(&cp, taken));
	EXPECT_EQ(taken[0], 0);
	lwk_chan_post(&cp, 5);
	lwk_chan_posted_clear(&cp);
	EXPECT(!lwk_chan_posted_take(&cp, taken));
}

HTEST(channel, signals_taken_once)
{
	static struct lwk_chan_proc cp;

	lwk_chan_signals_post(&cp, 1ull << (2 - 1));
	lwk_chan_signals_post(&cp, 1ull << (13 - 1));
	EXPECT_EQ(lwk_chan_signals_take(&cp), (1ull << 1) | (1ull << 12));
	EXPECT_EQ(lwk_chan_signals_take(&cp), 0);
}
