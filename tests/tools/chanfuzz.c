// SPDX-License-Identifier: GPL-2.0-only
/*
 * chanfuzz: write random and malformed forwarded-call messages into the
 * channel of a running VM partition, as if the LWK had posted them for
 * process PID, and check that its proxy (lwkexec) answers each one with an
 * error and keeps serving.
 *
 *   chanfuzz [--partition NAME] PID ROUNDS
 *
 * It uses the top slots, which belong to no thread while a small program
 * runs. Every message is a forged request with one or more fields broken:
 * magic, ABI version, type, size, syscall number, or pointer arguments
 * that lie outside the process's memory. Even the "valid" calls it sends
 * can do nothing here: their pointers never point into the mirror, so the
 * proxy must refuse them with EFAULT, and the numbers it picks from are
 * calls that only read or write through those pointers. A message with
 * another process's ID must be left alone (no answer). Prints one line per
 * kind of outcome and "chanfuzz: N messages, all answered as expected", or
 * the first wrong answer, with a non-zero status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uapi/lwk/layout.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/channel_msg.h>
#include "partition.h"

#define FUZZ_SLOTS 32 /* the top slots of the channel */
#define ANSWER_TIMEOUT_NS 10000000000ull
#define NO_ANSWER_WAIT_NS 100000000ull

enum fault { F_NONE, F_MAGIC, F_ABI, F_TYPE, F_SIZE, F_PID, F_NR, F_LOCAL, F_KINDS };

static const char *const fault_name[F_KINDS] = {
	"valid header, pointers outside the process",
	"bad magic",
	"bad ABI version",
	"bad message type",
	"bad size",
	"another process's ID",
	"unknown syscall number",
	"a syscall the LWK serves itself",
};

/* Calls whose only effect goes through their pointer arguments. */
static const uint32_t pointer_calls[] = { 0 /* read */,		1 /* write */,
					  4 /* stat */,		17 /* pread64 */,
					  79 /* getcwd */,	257 /* openat */,
					  262 /* newfstatat */, 89 /* readlink */ };

static uint64_t state = 88172645463325252ull;

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* An address no process memory can hold: above user space's top half or
 * in the first page, or between the layout's end and the proxy's image. */
static uint64_t bad_pointer(void)
{
	switch (rnd() % 3) {
	case 0:
		return rnd() | 0x8000000000000000ull;
	case 1:
		return 1 + rnd() % 4095;
	default:
		return LWK_USER_END + rnd() % 0x100000000000ull;
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void forge(struct lwk_chan_req *r, enum fault f, uint32_t pid, uint32_t seq)
{
	memset(r, 0, sizeof(*r));
	r->hdr.magic = LWK_MSG_MAGIC;
	r->hdr.abi_version = LWK_ABI_VERSION;
	r->hdr.type = LWK_MSG_SYSCALL;
	r->hdr.size = sizeof(*r);
	r->pid = pid;
	r->tid = pid;
	r->nr = pointer_calls[rnd() % (sizeof(pointer_calls) / sizeof(pointer_calls[0]))];
	r->args[0] = r->nr == 257 || r->nr == 262 ? (uint64_t)-100 /* AT_FDCWD */ : rnd() % 3;
	for (int i = 1; i < 6; i++)
		r->args[i] = bad_pointer();
	if (r->nr == 4 || r->nr == 79 || r->nr == 89)
		r->args[0] = bad_pointer();
	r->args[2] = 1 + rnd() % 65536; /* a length, never 0 */
	r->args[1] = bad_pointer();
	switch (f) {
	case F_MAGIC:
		r->hdr.magic = (uint16_t)(LWK_MSG_MAGIC + 1 + rnd() % 0xfffe);
		break;
	case F_ABI:
		r->hdr.abi_version = (uint16_t)(LWK_ABI_VERSION + 1 + rnd() % 1000);
		break;
	case F_TYPE:
		r->hdr.type = (uint16_t)(LWK_MSG_SYSCALL + 1 + rnd() % 100);
		break;
	case F_SIZE:
		r->hdr.size = (uint16_t)(rnd() % 128);
		break;
	case F_PID:
		r->pid = pid + 1 + (uint32_t)(rnd() % 1000);
		break;
	case F_NR:
		r->nr = 512 + (uint32_t)(rnd() % 0x7ffffe00);
		break;
	case F_LOCAL:
		r->nr = 39; /* getpid */
		break;
	default:
		break;
	}
	r->hdr.seq = seq;
}

/* What the proxy must answer: -EINVAL for a broken header, -ENOSYS for a
 * number it does not serve, -EFAULT for a pointer outside the process. */
static int64_t expected(enum fault f)
{
	switch (f) {
	case F_NONE:
		return -EFAULT;
	case F_NR:
	case F_LOCAL:
		return -ENOSYS;
	default:
		return -EINVAL;
	}
}

static struct lwk_chan_proc *find_entry(struct partition *p, uint32_t pid)
{
	struct lwk_chan_header *h = p->hdr;

	for (unsigned int i = 0; i < h->nprocs; i++) {
		struct lwk_chan_proc *e = partition_chan(p, h->procs_off + i * sizeof(*e));

		if (e && e->pid == pid && e->state == LWK_PROC_RUNNING)
			return e;
	}
	return NULL;
}

/* Post @r in slot @idx, its header as forged; the answer, or 1 if none
 * came in @wait_ns (2 if it came malformed). */
static int64_t post(struct lwk_chan_proc *e, struct lwk_chan_slot *s, unsigned int idx,
		    const struct lwk_chan_req *r, uint64_t wait_ns)
{
	uint32_t seq = r->hdr.seq;
	uint64_t end = now_ns() + wait_ns;
	struct lwk_chan_cmpl c;

	lwk_msg_begin(&s->req.hdr, r->hdr.type, r->hdr.size);
	s->req.hdr.magic = r->hdr.magic;
	s->req.hdr.abi_version = r->hdr.abi_version;
	memcpy((char *)&s->req + sizeof(r->hdr), (const char *)r + sizeof(r->hdr),
	       sizeof(*r) - sizeof(r->hdr));
	lwk_msg_publish(&s->req.hdr, seq);
	lwk_chan_post(e, idx);
	while (now_ns() < end) {
		int why = lwk_msg_read_answer(&c, &s->cmpl, LWK_MSG_RESULT, sizeof(c), seq);

		if (!why)
			return c.ret;
		if (why != LWK_MSG_ERR_STALE && why != LWK_MSG_ERR_TORN)
			return 2;
		usleep(50);
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct partition p;
	struct lwk_chan_proc *e;
	char err[256];
	const char *name = NULL;
	unsigned long counts[F_KINDS] = { 0 }, rounds;
	uint32_t pid;

	if (argc == 5 && !strcmp(argv[1], "--partition")) {
		name = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: chanfuzz [--partition NAME] PID ROUNDS\n");
		return 2;
	}
	pid = (uint32_t)strtoul(argv[1], NULL, 0);
	rounds = strtoul(argv[2], NULL, 0);
	state ^= (uint64_t)getpid() << 20;
	if (partition_find(name, &p, err, sizeof(err)) || partition_attach(&p, err, sizeof(err))) {
		fprintf(stderr, "chanfuzz: %s\n", err);
		return 1;
	}
	e = find_entry(&p, pid);
	if (!e) {
		fprintf(stderr, "chanfuzz: no running LWK process %u on the partition\n", pid);
		return 1;
	}
	for (unsigned long i = 0; i < rounds; i++) {
		unsigned int idx = p.hdr->nslots - 1 - (unsigned int)(i % FUZZ_SLOTS);
		/* The slots of the process's own entry (channel.h). */
		uint64_t entry = (uint64_t)((char *)e - (char *)p.hdr - p.hdr->procs_off) /
				 sizeof(struct lwk_chan_proc);
		struct lwk_chan_slot *s =
		    partition_chan(&p, p.hdr->slots_off + entry * LWK_CHAN_SLOTS_BYTES +
					   idx * sizeof(struct lwk_chan_slot));
		enum fault f = (enum fault)(rnd() % F_KINDS);
		struct lwk_chan_req r;
		uint32_t seq = s->req.hdr.seq + 1 + (uint32_t)(rnd() % 1000);
		int64_t got, want = expected(f);

		forge(&r, f, pid, seq ? seq : 1);
		got = post(e, s, idx, &r, f == F_PID ? NO_ANSWER_WAIT_NS : ANSWER_TIMEOUT_NS);
		if (f == F_PID ? got != 1 : got != want) {
			fprintf(stderr,
				"chanfuzz: message %lu (%s, syscall %u) in slot %u: answer %lld, "
				"want %s%lld\n",
				i, fault_name[f], r.nr, idx, (long long)got,
				f == F_PID ? "none, not " : "", (long long)(f == F_PID ? 1 : want));
			return 1;
		}
		counts[f]++;
	}
	for (int f = 0; f < F_KINDS; f++)
		printf("chanfuzz: %lu x %s\n", counts[f], fault_name[f]);
	printf("chanfuzz: %lu messages, all answered as expected\n", rounds);
	return 0;
}
