// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the partition-mode pieces of the proxy library that need
 * no lwk.ko: /dev/lwk's file offsets, a channel mapped piece by piece
 * (what a non-admin may map) as partition_chan() lets callers reach it,
 * and the pieces of an entry given back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "partition.h"
#include "transport.h"
#include "htest.h"

HTEST(transport_dev, offset_is_the_physical_address)
{
	EXPECT_EQ(transport_dev_offset(0x40000000, 0x1000), 0x40000000);
	EXPECT_EQ(transport_dev_offset(0x123456000ull, 0x200000), 0x123456000ull);
	EXPECT_EQ(transport_dev_offset(0x40000800, 0x1000), -1); /* not page-aligned */
	EXPECT_EQ(transport_dev_offset(0x40000000, 0x800), -1);
	EXPECT_EQ(transport_dev_offset(0x40000000, 0), -1);
	EXPECT_EQ(transport_dev_offset(0xfffffffffffff000ull, 0x2000), -1); /* wraps */
	EXPECT_EQ(transport_dev_offset(0x8000000000000000ull, 0x1000), -1); /* past off_t */
}

HTEST(transport_dev, channel_views)
{
	static struct partition p;
	char *chan = calloc(1, 0x400000);

	p.hdr = (void *)chan;
	p.chan_size = 0x400000;
	EXPECT(partition_chan(&p, 0) == chan);
	EXPECT(partition_chan(&p, 0x3fffff) == chan + 0x3fffff);
	EXPECT(partition_chan(&p, 0x400000) == NULL);
	/* Only the header, the log and the counters are mapped. */
	p.nviews = 3;
	p.view_off[0] = 0;
	p.view_len[0] = 0x1000;
	p.view_off[1] = 0x30000;
	p.view_len[1] = 0x41000;
	p.view_off[2] = 0x80000;
	p.view_len[2] = 0x2000;
	EXPECT(partition_chan(&p, 0xfff) == chan + 0xfff);
	EXPECT(partition_chan(&p, 0x1000) == NULL); /* a process entry */
	EXPECT(partition_chan(&p, 0x2ffff) == NULL);
	EXPECT(partition_chan(&p, 0x30000) == chan + 0x30000);
	EXPECT(partition_chan(&p, 0x70fff) == chan + 0x70fff);
	EXPECT(partition_chan(&p, 0x71000) == NULL);
	EXPECT(partition_chan(&p, 0x81fff) == chan + 0x81fff);
	EXPECT(partition_chan(&p, 0x82000) == NULL);
	free(chan);
}

/* Giving an entry back leaves the public pieces and turns the entry's
 * pieces into private zero pages that partition_chan no longer reaches
 * (the ioctl itself fails here: no /dev/lwk behind fd -1). */
HTEST(transport_dev, unclaim_drops_the_entry_views)
{
	static struct partition p;
	char *chan =
	    mmap(NULL, 0x100000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p.hdr = (void *)chan;
	p.chan_size = 0x100000;
	p.tr.fd = -1;
	snprintf(p.name, sizeof(p.name), "test");
	p.nviews = p.nviews_public = 1;
	p.view_off[0] = 0;
	p.view_len[0] = 0x1000;
	p.view_off[1] = 0x4000; /* the entry */
	p.view_len[1] = 0x3000;
	p.view_off[2] = 0x40000; /* its slots */
	p.view_len[2] = 0xc000;
	p.nviews = 3;
	chan[0x4000] = 1;
	EXPECT(partition_chan(&p, 0x4000) == chan + 0x4000);
	EXPECT(partition_chan(&p, 0x4bfff) == chan + 0x4bfff);
	partition_unclaim(&p, 2);
	EXPECT_EQ(p.nviews, 1);
	EXPECT(partition_chan(&p, 0) == chan);
	EXPECT(partition_chan(&p, 0x4000) == NULL);
	EXPECT(partition_chan(&p, 0x40000) == NULL);
	EXPECT_EQ(chan[0x4000], 0); /* zero pages, still writable */
	chan[0x40000] = 1;
	munmap(chan, 0x100000);
}
