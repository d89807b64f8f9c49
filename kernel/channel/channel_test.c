// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests of the channel layout. They need a channel: boot with
 * lwk.channel=0x1000000,0x400000 (tests/run-all.sh has such a run);
 * without one they say so and pass.
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/counters.h>
#include <lwk/cpus.h>
#include <lwk/kmain.h>
#include <lwk/ktest.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <uapi/lwk/log.h>

static bool have_channel(const char *test)
{
	if (channel_present())
		return true;
	ktest_skip("needs a channel (lwk.channel=BASE,SIZE)");
	return false;
}

static bool inside(uint64_t off, uint64_t size, uint64_t total)
{
	return off <= total && size <= total - off;
}

TEST(channel, header_after_boot)
{
	const struct bootdesc *bd = kernel_bootdesc();
	struct lwk_chan_header *h = channel_header();

	if (!have_channel("channel.header_after_boot"))
		return;
	KT_EXPECT_EQ((uint64_t)h, (uint64_t)arch_phys_to_virt(pa_make(bd->channel.base)));
	KT_EXPECT_EQ(h->magic, LWK_CHAN_MAGIC);
	KT_EXPECT_EQ(h->abi_version, LWK_ABI_VERSION);
	KT_EXPECT_EQ(h->size, bd->channel.size);
	/* ktests run instead of the service loop: not READY */
	KT_EXPECT_EQ(h->state, LWK_STATE_BOOTING);
	KT_EXPECT_EQ(h->ncpus, ncpus);
	KT_EXPECT_EQ(h->cpus_online, cpus_online());
	KT_EXPECT_EQ(h->service_cpu, 0);
	KT_EXPECT_EQ(h->tsc_hz, bd->tsc_hz);
	for (unsigned int i = 0; i < ncpus; i++)
		KT_EXPECT_EQ(h->cpu_apic_id[i], cpus[i].apic_id);
	KT_EXPECT(h->mem_total > 0 && h->mem_total < pmem_total_bytes());
	KT_EXPECT_EQ(h->shutdown, 0);
	KT_EXPECT_EQ(h->panic[0], '\0');
}

/* The channel is reserved: no allocation ever lands in it. */
TEST(channel, not_allocatable)
{
	const struct bootdesc *bd = kernel_bootdesc();
	paddr_t pa[64];
	unsigned int n = 0;

	if (!have_channel("channel.not_allocatable"))
		return;
	while (n < ARRAY_SIZE(pa) && !pmem_alloc(PMEM_SHIFT_2M, &pa[n])) {
		KT_EXPECT(pa_addr(pa[n]) + MiB(2) <= bd->channel.base ||
			  pa_addr(pa[n]) >= bd->channel.base + bd->channel.size);
		n++;
	}
	while (n--)
		pmem_free(pa[n], PMEM_SHIFT_2M);
}

TEST(channel, layout_inside_the_area)
{
	struct lwk_chan_header *h = channel_header();
	uint64_t size;

	if (!have_channel("channel.layout_inside_the_area"))
		return;
	size = h->size;
	KT_EXPECT_EQ(h->nprocs, LWK_CHAN_MAX_PROCS);
	KT_EXPECT_EQ(h->nslots, LWK_CHAN_MAX_SLOTS);
	KT_EXPECT(h->procs_off >= sizeof(*h));
	KT_EXPECT(inside(h->procs_off, h->nprocs * sizeof(struct lwk_chan_proc), size));
	KT_EXPECT(h->slots_off >= h->procs_off + h->nprocs * sizeof(struct lwk_chan_proc));
	KT_EXPECT(inside(h->slots_off, (uint64_t)h->nprocs * LWK_CHAN_SLOTS_BYTES, size));
	KT_EXPECT(h->log_off >= h->slots_off + (uint64_t)h->nprocs * LWK_CHAN_SLOTS_BYTES);
	KT_EXPECT(inside(h->log_off, sizeof(struct lwk_log_ring) + h->log_size, size));
	KT_EXPECT(h->log_size >= KiB(64));
	KT_EXPECT_EQ(h->procs_off % 4096, 0);
	KT_EXPECT_EQ(h->slots_off % 4096, 0); /* lwk.ko maps each entry's own */
	if (h->counters_off) {
		KT_EXPECT(h->counters_off >=
			  h->log_off + sizeof(struct lwk_log_ring) + h->log_size);
		KT_EXPECT(h->counters_size >= sizeof(struct lwk_cpu_counters));
		KT_EXPECT(inside(h->counters_off, (uint64_t)ncpus * h->counters_size, size));
	}
	/* The accessors agree with the offsets, and stop at the end. */
	KT_EXPECT_EQ((uint8_t *)channel_proc(3) - (uint8_t *)h, h->procs_off + 3 * 3 * 4096);
	KT_EXPECT_EQ((uint8_t *)channel_slot(0, 5) - (uint8_t *)h, h->slots_off + 5 * 192);
	KT_EXPECT_EQ((uint8_t *)channel_slot(2, 5) - (uint8_t *)h,
		     h->slots_off + 2 * LWK_CHAN_SLOTS_BYTES + 5 * 192);
	KT_EXPECT_EQ(channel_proc_index(channel_proc(7)), 7);
	KT_EXPECT_EQ(channel_proc_index((struct lwk_chan_proc *)h), -1);
	KT_EXPECT(!channel_proc(LWK_CHAN_MAX_PROCS));
	KT_EXPECT(!channel_slot(0, LWK_CHAN_MAX_SLOTS));
	KT_EXPECT(!channel_slot(LWK_CHAN_MAX_PROCS, 0));
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++)
		KT_EXPECT_EQ(channel_proc(i)->state, LWK_PROC_FREE);
}

static bool ring_has(const struct lwk_log_ring *r, const char *s)
{
	size_t n = strlen(s);

	for (uint64_t i = 0; i + n <= r->head && i + n <= r->size; i++)
		if (!memcmp(r->data + i, s, n))
			return true;
	return false;
}

/* The kernel log moved into the channel with what was logged before, and
 * goes on there. */
TEST(channel, log_ring_in_channel)
{
	struct lwk_chan_header *h = channel_header();
	const struct lwk_log_ring *r;
	uint64_t head;
	char text[64];

	if (!have_channel("channel.log_ring_in_channel"))
		return;
	r = (const struct lwk_log_ring *)((uint8_t *)h + h->log_off);
	KT_EXPECT_EQ(r->magic, LWK_LOG_MAGIC);
	KT_EXPECT_EQ(r->size, h->log_size);
	head = r->head;
	KT_EXPECT(head > 0);
	/* The boot's first line was logged before the move. */
	if (head <= r->size)
		KT_EXPECT(ring_has(r, "cpu0: lwk: booting on"));
	log_info("channel ktest marker");
	KT_EXPECT(r->head > head);
	KT_EXPECT_EQ(log_tail(text, sizeof(text)), sizeof(text) - 1);
	KT_EXPECT(strstr(text, "channel ktest marker"));
	for (uint64_t i = 0, n = sizeof("channel ktest marker\n") - 1; i < n; i++)
		KT_EXPECT_EQ(r->data[(r->head - n + i) % r->size], "channel ktest marker\n"[i]);
}

/* Each core's counters sit in the channel, where lwkctl stats reads them. */
TEST(channel, counters_in_channel)
{
	struct lwk_chan_header *h = channel_header();

	if (!have_channel("channel.counters_in_channel"))
		return;
	if (!h->counters_off) {
		ktest_skip("the channel area has no room for the counters");
		return;
	}
	for_each_cpu (c) {
		const struct lwk_cpu_counters *k =
		    (const void *)((uint8_t *)h + h->counters_off + c->id * h->counters_size);

		KT_EXPECT_EQ((uint64_t)c->counters, (uint64_t)k);
		KT_EXPECT_EQ(k->magic, LWK_COUNTERS_MAGIC);
		KT_EXPECT_EQ(k->cpu, c->id);
	}
}
