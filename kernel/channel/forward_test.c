// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests for forwarded system calls. The boot core plays the proxy: a user
 * thread on another core makes calls (arch/x86_64/ktest_forward_user.S),
 * and the test takes the slot's posted bit, checks the request, and
 * publishes completions, well formed or not, early or late. Signals, the
 * restart rules, kills and file mmap are driven the same way.
 *
 * They need the channel (lwk.channel=BASE,SIZE on the command line) and a
 * second core; without them they say so and pass.
 */
#include <string.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/cpus.h>
#include <lwk/errno.h>
#include <lwk/ktest.h>
#include <lwk/ktest_proc.h>
#include <uapi/lwk/layout.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/sched.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>

#define CTL_OFF MiB(1) /* the block; the thread's stack lies below it */
#define WAIT_MS 5000
#define QUIET_MS 20 /* how long "nothing happens" is watched */

#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define F_GETFL 3
#define PAGE 4096ull

extern const char arch_ktest_fwd_code[], arch_ktest_fwd_code_end[];
extern const char arch_ktest_fwd_entry[], arch_ktest_fwd_handler[], arch_ktest_fwd_restorer[];

/* The control block (ktest_forward_user.S). */
struct fwd_ctl {
	volatile uint64_t done, round, nr, args[6];
	volatile int64_t result;
	volatile uint64_t handled;
};

struct fwd_test {
	struct proc *p;
	struct thread *t;
	struct fwd_ctl *ctl;
	struct lwk_chan_proc *cp;
	struct lwk_chan_slot *s;
	unsigned int idx;
};

static uint64_t user_va(const char *sym)
{
	return ktest_user_va(arch_ktest_fwd_code, sym);
}

/* Is there what these tests need? If not, say why and skip. */
static bool fwd_can_run(const char *name)
{
	if (!channel_present()) {
		ktest_skip(
		    "forward.%s needs the channel (boot with lwk.channel=0x1000000,0x400000)",
		    name);
		return false;
	}
	if (ncpus < 2 || cpus[1].state != CPU_ONLINE) {
		ktest_skip("needs a second core");
		return false;
	}
	return true;
}

static bool fwd_make_proc(struct fwd_test *ft)
{
	struct proc *p =
	    ktest_proc_create("ktest-forward", arch_ktest_fwd_code, arch_ktest_fwd_code_end, true);

	if (!p)
		return false;
	ft->ctl = uvm_kaddr(&p->uvm, KTEST_CTL_VA + CTL_OFF, sizeof(*ft->ctl), 0);
	/* The last process entry: nothing else uses the channel in ktests. */
	ft->cp = channel_proc(LWK_CHAN_MAX_PROCS - 1);
	memset(ft->cp->posted, 0, sizeof(ft->cp->posted));
	p->chan = ft->cp;
	ft->p = p;
	return true;
}

/* A process with one thread on core 1, waiting for its first round. */
static bool fwd_start(struct fwd_test *ft)
{
	memset(ft, 0, sizeof(*ft));
	if (!fwd_make_proc(ft)) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test process");
		return false;
	}
	if (thread_create(ft->p, &ft->t)) {
		ktest_fail(__FILE__, __LINE__, "cannot make the test thread");
		proc_destroy(ft->p);
		return false;
	}
	ft->idx = thread_index(ft->t);
	ft->s = channel_slot(LWK_CHAN_MAX_PROCS - 1, ft->idx);
	thread_start(ft->t, &cpus[1], user_va(arch_ktest_fwd_entry), KTEST_CTL_VA + CTL_OFF);
	return true;
}

static void fwd_set_handler(struct fwd_test *ft, int sig, uint64_t handler, uint64_t flags)
{
	ft->p->sigactions[sig - 1] = (struct k_sigaction){
		.handler = handler,
		.flags = flags | SA_RESTORER,
		.restorer = user_va(arch_ktest_fwd_restorer),
	};
}

/* Ask the thread for one call. */
static void fwd_ask(struct fwd_test *ft, uint64_t nr, const uint64_t args[6])
{
	ft->ctl->nr = nr;
	for (int i = 0; i < 6; i++)
		ft->ctl->args[i] = args[i];
	__atomic_store_n(&ft->ctl->round, ft->ctl->round + 1, __ATOMIC_SEQ_CST);
}

static bool fwd_done(struct fwd_test *ft, uint64_t ms)
{
	uint64_t end = ktest_deadline_ms(ms);

	while (__atomic_load_n(&ft->ctl->done, __ATOMIC_SEQ_CST) != ft->ctl->round)
		if (arch_cycles() > end)
			return false;
	return true;
}

/* The proxy's side: take the slot's posted bit (atomic exchange), waiting
 * up to @ms. */
static bool proxy_take(struct fwd_test *ft, uint64_t ms)
{
	uint64_t bit = 1ull << (ft->idx % 64), end = ktest_deadline_ms(ms);
	uint64_t *word = &ft->cp->posted[ft->idx / 64];

	do {
		if (__atomic_exchange_n(word, 0, __ATOMIC_SEQ_CST) & bit)
			return true;
		arch_pause();
	} while (arch_cycles() < end);
	return false;
}

static uint32_t req_seq(const struct fwd_test *ft)
{
	return __atomic_load_n(&ft->s->req.hdr.seq, __ATOMIC_ACQUIRE);
}

static void proxy_answer(struct fwd_test *ft, uint32_t seq, int64_t ret, uint16_t magic)
{
	struct lwk_chan_cmpl *c = &ft->s->cmpl;

	c->hdr.magic = magic;
	c->hdr.abi_version = LWK_ABI_VERSION;
	c->hdr.type = LWK_MSG_RESULT;
	c->hdr.size = sizeof(*c);
	c->ret = ret;
	__atomic_store_n(&c->hdr.seq, seq, __ATOMIC_RELEASE);
}

/* Take a request for @nr and return its seq (0 if none came). */
static uint32_t proxy_expect(struct fwd_test *ft, uint64_t nr, int line)
{
	if (!proxy_take(ft, WAIT_MS)) {
		ktest_fail(__FILE__, line, "no request for syscall %llu was posted",
			   (unsigned long long)nr);
		return 0;
	}
	if (ft->s->req.nr != nr)
		ktest_fail(__FILE__, line, "request for syscall %u, expected %llu", ft->s->req.nr,
			   (unsigned long long)nr);
	return req_seq(ft);
}

/* Nothing is posted for a while. */
static bool proxy_quiet(struct fwd_test *ft)
{
	return !proxy_take(ft, QUIET_MS);
}

/* Before a test process ends it leaves the channel: a process with an
 * entry is freed only once its proxy releases it, and here there is none. */
static void fwd_leave_channel(struct fwd_test *ft)
{
	ft->p->chan = NULL;
}

static void fwd_finish(struct fwd_test *ft)
{
	int ended = ktest_procs_ended();

	fwd_leave_channel(ft);
	__atomic_store_n(&ft->ctl->round, ~0ull, __ATOMIC_SEQ_CST);
	KTEST_EXPECT_ENDED(ended + 1, WAIT_MS);
}

static void send_signal(struct fwd_test *ft, int sig)
{
	struct ksiginfo info = { .signo = sig, .code = SI_USER };

	KT_EXPECT_EQ(signal_send(ft->t, &info), 0);
}

/* Wait until the thread asks the proxy to interrupt call @seq. */
static bool proxy_sees_interrupt(struct fwd_test *ft, uint32_t seq)
{
	return proxy_take(ft, WAIT_MS) &&
	       __atomic_load_n(&ft->s->req.intr_seq, __ATOMIC_ACQUIRE) == seq;
}

TEST(forward, request_and_result)
{
	static const uint64_t args[6] = { 3, KTEST_CTL_VA, 100, 0x44, 0x55, 0x66 };
	struct fwd_test ft;
	uint64_t end;
	bool blocked = false;
	uint32_t seq;

	if (!fwd_can_run("request_and_result") || !fwd_start(&ft))
		return;
	fwd_ask(&ft, NR_read, args);
	seq = proxy_expect(&ft, NR_read, __LINE__);
	KT_EXPECT(seq != 0);
	KT_EXPECT_EQ(ft.s->req.hdr.magic, LWK_MSG_MAGIC);
	KT_EXPECT_EQ(ft.s->req.hdr.abi_version, LWK_ABI_VERSION);
	KT_EXPECT_EQ(ft.s->req.hdr.type, LWK_MSG_SYSCALL);
	KT_EXPECT_EQ(ft.s->req.hdr.size, sizeof(struct lwk_chan_req));
	KT_EXPECT_EQ(ft.s->req.pid, ft.p->pid);
	KT_EXPECT_EQ(ft.s->req.tid, ft.t->tid);
	KT_EXPECT_EQ(ft.s->req.intr_seq, 0);
	for (int i = 0; i < 6; i++)
		KT_EXPECT_EQ(ft.s->req.args[i], args[i]);
	/* A slow answer: the waiting thread gives its core up meanwhile. */
	end = ktest_deadline_ms(WAIT_MS);
	while (!blocked && arch_cycles() < end)
		blocked = __atomic_load_n(&ft.t->state, __ATOMIC_SEQ_CST) == THREAD_BLOCKED;
	KT_EXPECT(blocked);
	KT_EXPECT(ft.ctl->done != ft.ctl->round);
	proxy_answer(&ft, seq, 42, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, 42);
	/* The next call on the slot has a new seq. */
	fwd_ask(&ft, NR_read, args);
	KT_EXPECT(proxy_expect(&ft, NR_read, __LINE__) != seq);
	proxy_answer(&ft, req_seq(&ft), -EAGAIN, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EAGAIN);
	fwd_finish(&ft);
}

TEST(forward, malformed_completion_is_eio)
{
	static const uint64_t args[6] = { 0 };
	struct fwd_test ft;
	uint32_t seq;

	if (!fwd_can_run("malformed_completion_is_eio") || !fwd_start(&ft))
		return;
	fwd_ask(&ft, NR_read, args);
	seq = proxy_expect(&ft, NR_read, __LINE__);
	proxy_answer(&ft, seq, 42, 0xbad);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EIO);
	/* A kernel-internal error code from outside is refused too. */
	fwd_ask(&ft, NR_read, args);
	seq = proxy_expect(&ft, NR_read, __LINE__);
	proxy_answer(&ft, seq, -ERESTARTSYS, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EIO);
	fwd_finish(&ft);
}

/* Ask for call @nr and send @sig while it waits: the proxy must be asked
 * to interrupt it. Returns the call's seq, still unanswered. */
static uint32_t interrupted_call(struct fwd_test *ft, uint64_t nr, int sig)
{
	static const uint64_t args[6] = { 1, 2, 3, 4, 5, 6 };
	uint32_t seq;

	fwd_ask(ft, nr, args);
	seq = proxy_expect(ft, nr, __LINE__);
	send_signal(ft, sig);
	KT_EXPECT(proxy_sees_interrupt(ft, seq));
	return seq;
}

TEST(forward, signal_with_sa_restart_restarts)
{
	struct fwd_test ft;
	uint32_t seq, again;

	if (!fwd_can_run("signal_with_sa_restart_restarts") || !fwd_start(&ft))
		return;
	fwd_set_handler(&ft, SIGUSR1, user_va(arch_ktest_fwd_handler), SA_RESTART);
	seq = interrupted_call(&ft, NR_read, SIGUSR1);
	proxy_answer(&ft, seq, -EINTR, LWK_MSG_MAGIC);
	/* The handler runs, then the same call comes again, with a new seq. */
	again = proxy_expect(&ft, NR_read, __LINE__);
	KT_EXPECT(again != seq);
	KT_EXPECT_EQ(ft.s->req.args[0], 1);
	KT_EXPECT_EQ(ft.s->req.args[5], 6);
	KT_EXPECT_EQ(ft.s->req.intr_seq, 0);
	KT_EXPECT_EQ(ft.ctl->handled, 1);
	proxy_answer(&ft, again, 7, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, 7);
	fwd_finish(&ft);
}

TEST(forward, signal_without_sa_restart_is_eintr)
{
	struct fwd_test ft;
	uint32_t seq;

	if (!fwd_can_run("signal_without_sa_restart_is_eintr") || !fwd_start(&ft))
		return;
	fwd_set_handler(&ft, SIGUSR1, user_va(arch_ktest_fwd_handler), 0);
	seq = interrupted_call(&ft, NR_read, SIGUSR1);
	proxy_answer(&ft, seq, -EINTR, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EINTR);
	KT_EXPECT_EQ(ft.ctl->handled, 1);
	KT_EXPECT(proxy_quiet(&ft));
	/* poll is never restarted after a handler, SA_RESTART or not. */
	fwd_set_handler(&ft, SIGUSR1, user_va(arch_ktest_fwd_handler), SA_RESTART);
	seq = interrupted_call(&ft, NR_poll, SIGUSR1);
	proxy_answer(&ft, seq, -EINTR, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EINTR);
	KT_EXPECT_EQ(ft.ctl->handled, 2);
	fwd_finish(&ft);
}

TEST(forward, signal_ignored_at_delivery_restarts)
{
	struct fwd_test ft;
	uint32_t seq, again;

	if (!fwd_can_run("signal_ignored_at_delivery_restarts") || !fwd_start(&ft))
		return;
	fwd_set_handler(&ft, SIGUSR2, user_va(arch_ktest_fwd_handler), 0);
	seq = interrupted_call(&ft, NR_read, SIGUSR2);
	/* Ignored by the time it is delivered: no handler runs, and the call
	 * goes on as if nothing had happened, even without SA_RESTART. */
	ft.p->sigactions[SIGUSR2 - 1].handler = 1; /* SIG_IGN */
	proxy_answer(&ft, seq, -EINTR, LWK_MSG_MAGIC);
	again = proxy_expect(&ft, NR_read, __LINE__);
	KT_EXPECT(again != seq);
	proxy_answer(&ft, again, 5, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, 5);
	KT_EXPECT_EQ(ft.ctl->handled, 0);
	fwd_finish(&ft);
}

TEST(forward, interrupted_call_that_completes_keeps_its_result)
{
	struct fwd_test ft;
	uint32_t seq;

	if (!fwd_can_run("interrupted_call_that_completes_keeps_its_result") || !fwd_start(&ft))
		return;
	fwd_set_handler(&ft, SIGUSR1, user_va(arch_ktest_fwd_handler), 0);
	seq = interrupted_call(&ft, NR_read, SIGUSR1);
	proxy_answer(&ft, seq, 12, LWK_MSG_MAGIC); /* it was done already */
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, 12);
	KT_EXPECT_EQ(ft.ctl->handled, 1);
	fwd_finish(&ft);
}

TEST(forward, kill_abandons_the_slot)
{
	static const uint64_t args[6] = { 0 };
	int ended = ktest_procs_ended();
	struct fwd_test ft, again;
	uint32_t old, seq;

	if (!fwd_can_run("kill_abandons_the_slot") || !fwd_start(&ft))
		return;
	fwd_ask(&ft, NR_read, args);
	old = proxy_expect(&ft, NR_read, __LINE__);
	fwd_leave_channel(&ft); /* the call in flight keeps its entry */
	send_signal(&ft, SIGKILL);
	KTEST_EXPECT_ENDED(ended + 1, WAIT_MS); /* with no answer at all */
	/* The slot's next call, whoever makes it, has a new seq: a late
	 * answer to the abandoned one is not taken for its answer. */
	if (!fwd_start(&again))
		return;
	if (again.idx != ft.idx)
		log_info("forward.kill_abandons_the_slot: the new thread has another slot");
	fwd_ask(&again, NR_read, args);
	seq = proxy_expect(&again, NR_read, __LINE__);
	KT_EXPECT(again.idx != ft.idx || seq != old);
	proxy_answer(&again, old, 99, LWK_MSG_MAGIC);
	KT_EXPECT(!fwd_done(&again, QUIET_MS));
	proxy_answer(&again, seq, 3, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&again, WAIT_MS));
	KT_EXPECT_EQ(again.ctl->result, 3);
	fwd_finish(&again);
}

TEST(forward, process_creation_is_local_enosys)
{
	static const uint64_t args[6] = { 0 };
	struct fwd_test ft;

	if (!fwd_can_run("process_creation_is_local_enosys") || !fwd_start(&ft))
		return;
	fwd_ask(&ft, NR_fork, args);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -ENOSYS);
	fwd_ask(&ft, NR_execve, args);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -ENOSYS);
	KT_EXPECT(proxy_quiet(&ft));
	fwd_finish(&ft);
}

/* ---- file mmap ------------------------------------------------------------ */

/* Serve one pread64 of @fd at @off: write @n bytes of @pattern where the
 * request says (as the proxy does through its mirror) and answer @n. */
static void proxy_pread(struct fwd_test *ft, int fd, uint64_t off, uint64_t n, uint8_t pattern)
{
	uint32_t seq = proxy_expect(ft, NR_pread64, __LINE__);
	const struct lwk_chan_req *r = &ft->s->req;
	uint8_t *k;

	KT_EXPECT_EQ(r->args[0], fd);
	KT_EXPECT_EQ(r->args[3], off);
	KT_EXPECT(r->args[2] >= n);
	k = n ? uvm_kaddr(&ft->p->uvm, r->args[1], n, ARCH_PROT_WRITE) : NULL;
	KT_EXPECT(!n || k);
	if (k)
		memset(k, pattern, n);
	proxy_answer(ft, seq, (int64_t)n, LWK_MSG_MAGIC);
}

static void ask_mmap(struct fwd_test *ft, uint64_t addr, uint64_t len, uint64_t prot,
		     uint64_t flags, int fd, uint64_t off)
{
	uint64_t args[6] = { addr, len, prot, flags, (uint64_t)fd, off };

	fwd_ask(ft, NR_mmap, args);
}

/* Every byte of [va, va + n) is @b. */
static bool bytes_are(struct fwd_test *ft, uint64_t va, uint64_t n, uint8_t b)
{
	const uint8_t *k = uvm_kaddr(&ft->p->uvm, va, n, 0);

	for (uint64_t i = 0; k && i < n; i++)
		if (k[i] != b)
			return false;
	return k != NULL;
}

/* ld.so's pattern: the whole file read-only, then a segment MAP_FIXED over
 * part of it with other rights. */
TEST(forward, file_mmap_like_ld_so)
{
	struct fwd_test ft;
	uint64_t va;

	if (!fwd_can_run("file_mmap_like_ld_so") || !fwd_start(&ft))
		return;
	ask_mmap(&ft, 0, 3 * PAGE + 100, PROT_READ, MAP_PRIVATE, 5, 0);
	proxy_pread(&ft, 5, 0, 2 * PAGE + 10, 0xaa); /* a short read ... */
	proxy_pread(&ft, 5, 2 * PAGE + 10, 0, 0);    /* ... then the end of the file */
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	va = ft.ctl->result;
	KT_EXPECT(va >= LWK_ARENA_BASE && IS_ALIGNED(va, PAGE));
	KT_EXPECT(bytes_are(&ft, va, 2 * PAGE + 10, 0xaa));
	KT_EXPECT(bytes_are(&ft, va + 2 * PAGE + 10, 2 * PAGE - 10, 0)); /* past EOF */
	KT_EXPECT(uvm_kaddr(&ft.p->uvm, va, PAGE, ARCH_PROT_READ));
	KT_EXPECT(!uvm_kaddr(&ft.p->uvm, va, 1, ARCH_PROT_WRITE));
	/* The segment: page 1 again, from offset 4096, read and execute. */
	ask_mmap(&ft, va + PAGE, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 5, PAGE);
	proxy_pread(&ft, 5, PAGE, PAGE, 0xbb);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, va + PAGE);
	KT_EXPECT(bytes_are(&ft, va, PAGE, 0xaa));
	KT_EXPECT(bytes_are(&ft, va + PAGE, PAGE, 0xbb));
	KT_EXPECT(bytes_are(&ft, va + 2 * PAGE, 10, 0xaa));
	KT_EXPECT(uvm_kaddr(&ft.p->uvm, va + PAGE, PAGE, ARCH_PROT_READ | ARCH_PROT_EXEC));
	KT_EXPECT(!uvm_kaddr(&ft.p->uvm, va, 1, ARCH_PROT_EXEC));
	KT_EXPECT(!uvm_kaddr(&ft.p->uvm, va + PAGE, 1, ARCH_PROT_WRITE));
	fwd_finish(&ft);
}

TEST(forward, file_mmap_errors)
{
	struct fwd_test ft;
	uint32_t seq;

	if (!fwd_can_run("file_mmap_errors") || !fwd_start(&ft))
		return;
	/* pread's EBADF and a closed fd: EBADF. */
	ask_mmap(&ft, 0, PAGE, PROT_READ, MAP_PRIVATE, 9, 0);
	proxy_answer(&ft, proxy_expect(&ft, NR_pread64, __LINE__), -EBADF, LWK_MSG_MAGIC);
	seq = proxy_expect(&ft, NR_fcntl, __LINE__);
	KT_EXPECT_EQ(ft.s->req.args[1], F_GETFL);
	proxy_answer(&ft, seq, -EBADF, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EBADF);
	/* pread's EBADF on an fd open for writing only: EACCES. */
	ask_mmap(&ft, 0, PAGE, PROT_READ, MAP_PRIVATE, 9, 0);
	proxy_answer(&ft, proxy_expect(&ft, NR_pread64, __LINE__), -EBADF, LWK_MSG_MAGIC);
	proxy_answer(&ft, proxy_expect(&ft, NR_fcntl, __LINE__), 1, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -EACCES);
	/* A pipe: ENODEV. */
	ask_mmap(&ft, 0, PAGE, PROT_READ, MAP_PRIVATE, 9, 0);
	proxy_answer(&ft, proxy_expect(&ft, NR_pread64, __LINE__), -ESPIPE, LWK_MSG_MAGIC);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -ENODEV);
	/* Writable shared: refused without asking the proxy. */
	ask_mmap(&ft, 0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 9, 0);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -ENODEV);
	KT_EXPECT(proxy_quiet(&ft));
	/* No proxy (bare mode): ENODEV. */
	fwd_leave_channel(&ft);
	ask_mmap(&ft, 0, PAGE, PROT_READ, MAP_PRIVATE, 9, 0);
	KT_EXPECT(fwd_done(&ft, WAIT_MS));
	KT_EXPECT_EQ(ft.ctl->result, -ENODEV);
	KT_EXPECT(proxy_quiet(&ft));
	fwd_finish(&ft);
}
