// SPDX-License-Identifier: GPL-2.0-only
/*
 * FPU, SSE and AVX state survives context switches. Four threads each load
 * all sixteen vector registers (ymm when the CPU and the kernel enable AVX,
 * else xmm) and the eight x87 registers with a pattern of their own, enter
 * the kernel with the `syscall` instruction in the same asm block, and
 * store the registers back: any byte another thread left behind, or the
 * kernel zeroed, is a failure. Half the time the syscall is sched_yield(),
 * sometimes nanosleep() so that the thread blocks. Each thread also starts
 * with Linux's initial control words (MXCSR 0x1f80, x87 FCW 0x37f) and then
 * sets a rounding mode of its own that must survive as well.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include "lwk_test.h"

#define NR_THREADS 4
#define ROUNDS 1000
#define NR_VEC 16
#define NR_X87 8
#define MXCSR_INIT 0x1f80u
#define FCW_INIT 0x37fu
#define MXCSR_RC_SHIFT 13
#define FCW_RC_SHIFT 10

/* One 32-byte slot per vector register; SSE uses the low 16 bytes. */
struct fpu_regs {
	uint64_t vec[NR_VEC][4];
	double x87[NR_X87];
};

#define REGS16(op)                                                                              \
	op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7) op(8) op(9) op(10) op(11) op(12) op(13) \
	    op(14) op(15)
#define XMM_LOAD(n) "movdqu " #n "*32(%[in]), %%xmm" #n "\n\t"
#define XMM_STORE(n) "movdqu %%xmm" #n ", " #n "*32(%[out])\n\t"
#define YMM_LOAD(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define YMM_STORE(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
/* fld pushes, so st(7) ends up holding x87[0]; the pops undo it in order. */
#define X87_LOAD(n) "fldl 512+" #n "*8(%[in])\n\t"
#define X87_STORE(n) "fstpl 512+(7-" #n ")*8(%[out])\n\t"
#define REGS8(op) op(0) op(1) op(2) op(3) op(4) op(5) op(6) op(7)
#define CLOBBERS                                                                                 \
	"rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",  \
	    "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "st", "st(1)", \
	    "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"

_Static_assert(__builtin_offsetof(struct fpu_regs, x87) == 512, "x87 slots follow vec");

static int use_avx;

static long syscall_sse(const struct fpu_regs *in, struct fpu_regs *out, long nr, long arg)
{
	long ret = nr;

	__asm__ volatile(REGS16(XMM_LOAD) REGS8(X87_LOAD) "syscall\n\t" REGS8(X87_STORE)
			     REGS16(XMM_STORE)
			 : "+a"(ret)
			 : [in] "r"(in), [out] "r"(out), "D"(arg), "S"(0l)
			 : CLOBBERS);
	return ret;
}

/* vzeroupper at the end: the compiled code around uses legacy SSE. */
static long syscall_avx(const struct fpu_regs *in, struct fpu_regs *out, long nr, long arg)
{
	long ret = nr;

	__asm__ volatile(REGS16(YMM_LOAD) REGS8(X87_LOAD) "syscall\n\t" REGS8(X87_STORE)
			     REGS16(YMM_STORE) "vzeroupper\n\t"
			 : "+a"(ret)
			 : [in] "r"(in), [out] "r"(out), "D"(arg), "S"(0l)
			 : CLOBBERS);
	return ret;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ x >> 31;
}

/* Different in every thread, round, register and word. */
static void fill(struct fpu_regs *r, int thread, int round)
{
	uint64_t seed = (uint64_t)thread << 40 | (uint64_t)round << 16;

	for (int v = 0; v < NR_VEC; v++)
		for (int w = 0; w < 4; w++)
			r->vec[v][w] = mix(seed | (uint64_t)v << 4 | (uint64_t)w);
	/* Exact in a double, so the x87 round trip cannot change them. */
	for (int i = 0; i < NR_X87; i++)
		r->x87[i] = thread * 1e6 + round * 8.0 + i + 0.25;
}

/* 64-bit words of each vector register in use: 4 for ymm, 2 for xmm. */
static int vec_words(void)
{
	return use_avx ? 4 : 2;
}

static int same(const struct fpu_regs *a, const struct fpu_regs *b)
{
	for (int v = 0; v < NR_VEC; v++)
		if (memcmp(a->vec[v], b->vec[v], vec_words() * sizeof(uint64_t)) != 0)
			return 0;
	return memcmp(a->x87, b->x87, sizeof(a->x87)) == 0;
}

static void report_difference(const struct fpu_regs *want, const struct fpu_regs *got, int thread,
			      int round)
{
	for (int v = 0; v < NR_VEC; v++)
		for (int w = 0; w < vec_words(); w++)
			if (want->vec[v][w] != got->vec[v][w])
				printf("thread %d round %d: vec%d word %d %016lx is %016lx\n",
				       thread, round, v, w, (unsigned long)want->vec[v][w],
				       (unsigned long)got->vec[v][w]);
	for (int i = 0; i < NR_X87; i++)
		if (memcmp(&want->x87[i], &got->x87[i], sizeof(double)))
			printf("thread %d round %d: x87 slot %d changed\n", thread, round, i);
}

static unsigned mxcsr_get(void)
{
	unsigned v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void mxcsr_set(unsigned v)
{
	__asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static unsigned fcw_get(void)
{
	uint16_t v;

	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

static void fcw_set(unsigned v)
{
	uint16_t cw = (uint16_t)v;

	__asm__ volatile("fldcw %0" : : "m"(cw));
}

static void check_initial_control_words(const char *who)
{
	unsigned mxcsr = mxcsr_get(), fcw = fcw_get();

	if (mxcsr != MXCSR_INIT || fcw != FCW_INIT)
		printf("%s: MXCSR %#x FCW %#x, expected %#x %#x\n", who, mxcsr, fcw, MXCSR_INIT,
		       FCW_INIT);
	EXPECT(mxcsr == MXCSR_INIT);
	EXPECT(fcw == FCW_INIT);
}

static pthread_barrier_t barrier;

static int64_t now_ms(void)
{
	struct timespec ts;

	EXPECT(clock_gettime(CLOCK_MONOTONIC, &ts) == 0);
	return ts.tv_sec * 1000ll + ts.tv_nsec / 1000000;
}

/* Every fourth round blocks for 1 ms; the others yield. */
static void one_round(int thread, int round, unsigned mxcsr, unsigned fcw)
{
	static const struct timespec ms = { 0, 1000000 };
	struct fpu_regs in, out;
	long nr = round % 4 == 3 ? SYS_nanosleep : SYS_sched_yield;
	long arg = nr == SYS_nanosleep ? (long)&ms : 0, ret;

	fill(&in, thread, round);
	memset(&out, 0, sizeof(out));
	if (use_avx)
		ret = syscall_avx(&in, &out, nr, arg);
	else
		ret = syscall_sse(&in, &out, nr, arg);
	EXPECT(ret == 0);
	if (!same(&in, &out)) {
		report_difference(&in, &out, thread, round);
		EXPECT(same(&in, &out));
	}
	EXPECT(mxcsr_get() == mxcsr);
	EXPECT(fcw_get() == fcw);
}

static void *thread_main(void *arg)
{
	int thread = (int)(uintptr_t)arg, ret;
	/* Rounding control 0..3: each thread runs with another mode. */
	unsigned mxcsr = MXCSR_INIT | (unsigned)thread << MXCSR_RC_SHIFT;
	unsigned fcw = FCW_INIT | (unsigned)thread << FCW_RC_SHIFT;

	check_initial_control_words("new thread");
	mxcsr_set(mxcsr);
	fcw_set(fcw);
	ret = pthread_barrier_wait(&barrier);
	EXPECT(ret == 0 || ret == PTHREAD_BARRIER_SERIAL_THREAD);
	for (int round = 0; round < ROUNDS; round++)
		one_round(thread, round, mxcsr, fcw);
	mxcsr_set(MXCSR_INIT);
	fcw_set(FCW_INIT);
	return NULL;
}

int main(void)
{
	pthread_t threads[NR_THREADS];
	int64_t start;

	check_initial_control_words("main");
	use_avx = __builtin_cpu_supports("avx");
	printf("checking %s and x87 registers in %d threads, %d rounds each\n",
	       use_avx ? "ymm0-15 (AVX)" : "xmm0-15 (no AVX)", NR_THREADS, ROUNDS);
	start = now_ms();
	EXPECT(pthread_barrier_init(&barrier, NULL, NR_THREADS) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_create(&threads[i], NULL, thread_main, (void *)(uintptr_t)i) == 0);
	for (int i = 0; i < NR_THREADS; i++)
		EXPECT(pthread_join(threads[i], NULL) == 0);
	EXPECT(pthread_barrier_destroy(&barrier) == 0);
	printf("all registers intact after %d syscalls in %lld ms\n", NR_THREADS * ROUNDS,
	       (long long)(now_ms() - start));
	check_initial_control_words("main after the threads");
	test_pass("fpu_threads");
	return 0;
}
