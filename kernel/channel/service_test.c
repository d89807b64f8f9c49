// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktests of the service core's control path, without Linux: the boot core
 * plays the proxy (it claims an entry and writes commands as lwkexec
 * would) and turns the service loop by hand with service_poll(). The
 * process is a tiny ELF built here. They need a channel (lwk.channel=...)
 * and skip without one.
 */
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/channel.h>
#include <lwk/cpus.h>
#include <elf_loader.h>
#include <lwk/errno.h>
#include <lwk/ktest.h>
#include <lwk/log.h>
#include <lwk/pmem.h>
#include <lwk/service.h>
#include "service_internal.h"

#define FAKE_PROXY_PID 4242
#define WAIT_MS 5000
#define CODE_VA 0x400000ull
#define STAGING_SIZE KiB(64)
#define ARGV_OFF 0x8000ull
#define MAPS_OFF 0x9000ull
#define ENTRY_OFF (sizeof(struct elf64_ehdr) + sizeof(struct elf64_phdr))

/* exit_group(7) */
static const uint8_t code_exit7[] = { 0xb8, 0xe7, 0, 0, 0, 0xbf, 7, 0, 0, 0, 0x0f, 0x05 };
/* for (;;) ; : only a signal ends it */
static const uint8_t code_spin[] = { 0xeb, 0xfe };

struct fake_proxy {
	struct lwk_chan_proc *e;
	uint32_t seq;
	uint8_t *staging;
	uint64_t staging_size;
};

static bool have_service(const char *test)
{
	if (channel_present())
		return true;
	ktest_skip("needs a channel (lwk.channel=BASE,SIZE)");
	return false;
}

static uint64_t ms_cycles(uint64_t ms)
{
	return arch_tsc_hz() / 1000 * ms;
}

/* Claim a free entry, as a proxy does: owner 0 -> our pid. */
static bool proxy_claim(struct fake_proxy *px)
{
	for (unsigned int i = 0; i < LWK_CHAN_MAX_PROCS; i++) {
		struct lwk_chan_proc *e = channel_proc(i);
		uint32_t zero = 0;

		if (e->state == LWK_PROC_FREE &&
		    __atomic_compare_exchange_n(&e->owner, &zero, FAKE_PROXY_PID, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			memset(px, 0, sizeof(*px));
			px->e = e;
			px->seq = e->reply.hdr.seq;
			e->lease++;
			return true;
		}
	}
	ktest_fail(__FILE__, __LINE__, "no free channel entry to claim");
	return false;
}

static void proxy_unclaim(struct fake_proxy *px)
{
	__atomic_store_n(&px->e->owner, 0, __ATOMIC_RELEASE);
}

/* Publish @ctl (its header as given, the next seq) and turn the service
 * until it answers; returns the reply's status. */
static int proxy_send_raw(struct fake_proxy *px, struct lwk_chan_ctl *ctl)
{
	struct lwk_chan_proc *e = px->e;
	uint64_t end = arch_cycles() + ms_cycles(WAIT_MS);

	ctl->hdr.seq = e->ctl.hdr.seq; /* unchanged until the body is in */
	memcpy(&e->ctl, ctl, sizeof(*ctl));
	__atomic_store_n(&e->ctl.hdr.seq, ++px->seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&e->reply.hdr.seq, __ATOMIC_ACQUIRE) != px->seq) {
		if (arch_cycles() > end) {
			ktest_fail(__FILE__, __LINE__, "no reply to command %u within %u ms",
				   ctl->hdr.type, WAIT_MS);
			return 1;
		}
		e->lease++;
		service_poll();
	}
	KT_EXPECT_EQ(e->reply.hdr.magic, LWK_MSG_MAGIC);
	KT_EXPECT_EQ(e->reply.hdr.type, LWK_MSG_REPLY);
	KT_EXPECT_EQ(e->reply.hdr.size, sizeof(e->reply));
	KT_EXPECT(memchr(e->reply.msg, '\0', sizeof(e->reply.msg)));
	return e->reply.status;
}

static int proxy_send(struct fake_proxy *px, uint16_t type, struct lwk_chan_ctl *ctl)
{
	ctl->hdr = (struct lwk_msg_hdr){ LWK_MSG_MAGIC, LWK_ABI_VERSION, type, sizeof(*ctl), 0, 0 };
	return proxy_send_raw(px, ctl);
}

/* CREATE on @ncores cores with @mem bytes; maps the staging buffer. */
static int proxy_create(struct fake_proxy *px, uint32_t ncores, uint64_t mem)
{
	struct lwk_chan_ctl ctl = { .ncores = ncores, .mem = mem, .staging_size = STAGING_SIZE };
	int ret = proxy_send(px, LWK_MSG_CREATE, &ctl);

	if (!ret) {
		px->staging = arch_phys_to_virt(pa_make(px->e->reply.staging_pa));
		px->staging_size = px->e->reply.staging_size;
	}
	return ret;
}

/* A static ELF whose one segment is @code, at the start of the staging
 * buffer, with argv "svc-test" and no environment. */
static void proxy_put_program(struct fake_proxy *px, const uint8_t *code, size_t len)
{
	struct elf64_ehdr eh = {
		.e_ident = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, 1 },
		.e_type = ET_EXEC,
		.e_machine = EM_X86_64,
		.e_version = 1,
		.e_entry = CODE_VA + ENTRY_OFF,
		.e_phoff = sizeof(eh),
		.e_ehsize = sizeof(eh),
		.e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = 1,
	};
	struct elf64_phdr ph = {
		.p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_vaddr = CODE_VA,
		.p_paddr = CODE_VA,
		.p_filesz = ENTRY_OFF + len,
		.p_memsz = ENTRY_OFF + len,
		.p_align = 4096,
	};

	memcpy(px->staging, &eh, sizeof(eh));
	memcpy(px->staging + sizeof(eh), &ph, sizeof(ph));
	memcpy(px->staging + ENTRY_OFF, code, len);
	memcpy(px->staging + ARGV_OFF, "svc-test", 9);
}

static struct lwk_chan_ctl exec_ctl(size_t code_len)
{
	return (struct lwk_chan_ctl){
		.image_off = 0,
		.image_size = ENTRY_OFF + code_len,
		.argv_off = ARGV_OFF,
		.argv_size = 9,
		.envp_off = ARGV_OFF,
		.envp_size = 0,
		.maps_off = MAPS_OFF,
	};
}

static bool proxy_wait_state(struct fake_proxy *px, uint32_t state)
{
	uint64_t end = arch_cycles() + ms_cycles(WAIT_MS);

	while (__atomic_load_n(&px->e->state, __ATOMIC_ACQUIRE) != state) {
		if (arch_cycles() > end) {
			ktest_fail(__FILE__, __LINE__, "entry state %u, not %u, after %u ms",
				   px->e->state, state, WAIT_MS);
			return false;
		}
		px->e->lease++;
		service_poll();
	}
	return true;
}

/* CREATE, EXEC, START a program of @code on one core; true if it runs. */
static bool proxy_run(struct fake_proxy *px, const uint8_t *code, size_t len)
{
	struct lwk_chan_ctl ctl;

	if (!proxy_claim(px))
		return false;
	KT_EXPECT_EQ(proxy_create(px, 1, MiB(16)), 0);
	if (px->e->state != LWK_PROC_CREATED)
		return false;
	proxy_put_program(px, code, len);
	ctl = exec_ctl(len);
	KT_EXPECT_EQ(proxy_send(px, LWK_MSG_EXEC, &ctl), 0);
	memset(&ctl, 0, sizeof(ctl));
	KT_EXPECT_EQ(proxy_send(px, LWK_MSG_START, &ctl), 0);
	return px->e->state == LWK_PROC_RUNNING;
}

static void proxy_release(struct fake_proxy *px)
{
	struct lwk_chan_ctl ctl = { 0 };

	KT_EXPECT_EQ(proxy_send(px, LWK_MSG_RELEASE, &ctl), 0);
	KT_EXPECT_EQ(px->e->state, LWK_PROC_FREE);
	proxy_unclaim(px);
}

static bool needs_compute_core(const char *test)
{
	if (ncpus >= 2 && cpus[1].state == CPU_ONLINE)
		return true;
	ktest_skip("needs a compute core (2 cores or more)");
	return false;
}

TEST(service, create_exec_start_release)
{
	struct lwk_chan_header *h = channel_header();
	struct lwk_chan_ctl ctl;
	struct fake_proxy px;
	uint64_t free_before = pmem_free_bytes();
	const struct lwk_chan_map *maps;
	bool code_mapped = false;
	unsigned int core;

	if (!have_service("service.create_exec_start_release") ||
	    !needs_compute_core("service.create_exec_start_release") || !proxy_claim(&px))
		return;
	KT_EXPECT_EQ(proxy_create(&px, 1, MiB(16)), 0);
	KT_EXPECT_EQ(px.e->state, LWK_PROC_CREATED);
	KT_EXPECT(px.staging_size >= STAGING_SIZE);
	KT_EXPECT_EQ(px.e->reply.mem, MiB(16));
	KT_EXPECT_EQ(px.e->reply.core_mask[0], 1u << 1); /* the first compute core */
	KT_EXPECT_EQ(h->cpu_pid[1], SERVICE_CPU_PID_PENDING);
	KT_EXPECT_EQ(h->cpu_pid[0], 0);
	proxy_put_program(&px, code_exit7, sizeof(code_exit7));
	ctl = exec_ctl(sizeof(code_exit7));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), 0);
	KT_EXPECT_EQ(px.e->state, LWK_PROC_LOADED);
	KT_EXPECT(px.e->reply.pid > 0);
	KT_EXPECT_EQ(px.e->pid, px.e->reply.pid);
	KT_EXPECT_EQ(h->cpu_pid[1], px.e->pid);
	KT_EXPECT(!strcmp(px.e->name, "svc-test"));
	KT_EXPECT(px.e->mem >= MiB(16));
	/* The map names the code page, executable, where the proxy mirrors it. */
	maps = (const struct lwk_chan_map *)(px.staging + MAPS_OFF);
	KT_EXPECT(px.e->reply.nmaps > 1);
	for (unsigned int i = 0; i < px.e->reply.nmaps; i++)
		code_mapped |= maps[i].va <= CODE_VA && CODE_VA < maps[i].va + maps[i].size &&
			       (maps[i].prot & ARCH_PROT_EXEC);
	KT_EXPECT(code_mapped);
	memset(&ctl, 0, sizeof(ctl));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_START, &ctl), 0);
	KT_EXPECT(proxy_wait_state(&px, LWK_PROC_EXITED));
	KT_EXPECT_EQ(px.e->exit_status, 7 << 8);
	KT_EXPECT_EQ(px.e->nthreads, 0);
	for (core = 0; core < ncpus; core++)
		KT_EXPECT_EQ(h->cpu_pid[core], 0); /* cores back at once */
	/* Memory only after RELEASE. */
	KT_EXPECT(pmem_free_bytes() < free_before);
	proxy_release(&px);
	KT_EXPECT_EQ(pmem_free_bytes(), free_before);
	KT_EXPECT_EQ(px.e->pid, 0);
}

/* The doorbell rings after a reply and at the end of the process, and
 * only while the proxy says it sleeps. It rings an APIC ID that no core
 * has here, so the interrupt goes nowhere; the count shows it was sent. */
TEST(service, doorbell_rings_only_for_a_waiting_proxy)
{
	struct lwk_chan_ctl ctl;
	struct fake_proxy px;
	uint64_t rang;

	if (!have_service("service.doorbell_rings_only_for_a_waiting_proxy") ||
	    !needs_compute_core("service.doorbell_rings_only_for_a_waiting_proxy") ||
	    !proxy_claim(&px))
		return;
	channel_doorbell_setup(true, 0xf3, 0xfe);
	rang = channel_doorbells();
	KT_EXPECT_EQ(proxy_create(&px, 1, MiB(16)), 0);
	KT_EXPECT_EQ(channel_doorbells(), rang); /* host_waiting 0: polls */
	__atomic_store_n(&px.e->host_waiting, 1, __ATOMIC_SEQ_CST);
	proxy_put_program(&px, code_exit7, sizeof(code_exit7));
	ctl = exec_ctl(sizeof(code_exit7));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), 0);
	KT_EXPECT_EQ(channel_doorbells(), rang + 1);
	memset(&ctl, 0, sizeof(ctl));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_START, &ctl), 0);
	KT_EXPECT(proxy_wait_state(&px, LWK_PROC_EXITED));
	KT_EXPECT_EQ(channel_doorbells(), rang + 3); /* START's reply, EXITED */
	__atomic_store_n(&px.e->host_waiting, 0, __ATOMIC_SEQ_CST);
	channel_doorbell_setup(false, 0, 0);
	proxy_release(&px);
	KT_EXPECT_EQ(channel_doorbells(), rang + 3);
}

/* Garbage gets an error reply with a reason; the service goes on. */
TEST(service, bad_messages_get_errors)
{
	struct lwk_chan_ctl ctl = { 0 };
	struct fake_proxy px;
	uint64_t free_before = pmem_free_bytes();

	if (!have_service("service.bad_messages_get_errors") || !proxy_claim(&px))
		return;
	ctl.hdr =
	    (struct lwk_msg_hdr){ 0x1234, LWK_ABI_VERSION, LWK_MSG_CREATE, sizeof(ctl), 0, 0 };
	KT_EXPECT_EQ(proxy_send_raw(&px, &ctl), -EPROTO);
	KT_EXPECT(strstr(px.e->reply.msg, "magic 0x1234, expected 0x4c57"));
	ctl.hdr = (struct lwk_msg_hdr){ LWK_MSG_MAGIC, 999, LWK_MSG_CREATE, sizeof(ctl), 0, 0 };
	KT_EXPECT_EQ(proxy_send_raw(&px, &ctl), -EPROTO);
	KT_EXPECT(strstr(px.e->reply.msg, "ABI version 999, this kernel version"));
	ctl.hdr = (struct lwk_msg_hdr){ LWK_MSG_MAGIC, LWK_ABI_VERSION, LWK_MSG_CREATE, 100, 0, 0 };
	KT_EXPECT_EQ(proxy_send_raw(&px, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "of 100 bytes, expected 192"));
	KT_EXPECT_EQ(proxy_send(&px, 77, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "unknown control command 77"));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "EXEC needs a CREATE first"));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_START, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "START needs a loaded process"));
	KT_EXPECT_EQ(px.e->state, LWK_PROC_FREE);
	if (!needs_compute_core("service.bad_messages_get_errors (EXEC part)")) {
		proxy_unclaim(&px);
		return;
	}
	KT_EXPECT_EQ(proxy_create(&px, 1, MiB(16)), 0);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EBUSY);
	/* EXEC offsets that leave the staging buffer, one part at a time. */
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.image_size = px.staging_size + 1;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "the program image (offset 0x0"));
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.argv_off = UINT64_MAX - 3; /* off + size wraps */
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "the argv (offset 0xfffffffffffffffc"));
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.interp_off = px.staging_size;
	ctl.interp_size = 1;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.maps_off = px.staging_size + 8;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "maps_off"));
	/* An unterminated argv, a program that is not ELF, no room for the map */
	proxy_put_program(&px, code_exit7, sizeof(code_exit7));
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.argv_size = 8;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "NUL-terminated"));
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.image_off = ARGV_OFF;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -ENOEXEC);
	ctl = exec_ctl(sizeof(code_exit7));
	ctl.maps_off = px.staging_size - 8;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), -ENOSPC);
	KT_EXPECT(strstr(px.e->reply.msg, "leave room for them"));
	KT_EXPECT_EQ(px.e->state, LWK_PROC_CREATED);
	/* After all that, a good EXEC still works; RELEASE before START
	 * frees the unstarted process. */
	ctl = exec_ctl(sizeof(code_exit7));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), 0);
	KT_EXPECT_EQ(px.e->state, LWK_PROC_LOADED);
	proxy_release(&px);
	KT_EXPECT_EQ(pmem_free_bytes(), free_before);
}

TEST(service, create_refusals)
{
	struct lwk_chan_ctl ctl = { .staging_size = STAGING_SIZE };
	struct fake_proxy px;

	if (!have_service("service.create_refusals") || !proxy_claim(&px))
		return;
	ctl.ncores = ncpus;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "cores asked") ||
		  strstr(px.e->reply.msg, "no compute core"));
	ctl.ncores = 0;
	ctl.core_mask[0] = 1; /* core 0 */
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "core 0 is the service core"));
	ctl.core_mask[0] = 0;
	ctl.core_mask[3] = 1ull << 63; /* core 255 */
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "core 255 does not exist"));
	ctl.core_mask[3] = 0;
	if (!needs_compute_core("service.create_refusals (memory part)")) {
		proxy_unclaim(&px);
		return;
	}
	ctl.mem = GiB(1024);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -ENOMEM);
	KT_EXPECT(strstr(px.e->reply.msg, "--mem 1048576 MiB asked,"));
	KT_EXPECT(strstr(px.e->reply.msg, "MiB free"));
	ctl.mem = MiB(1);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "--mem 1 MiB is too little: a process needs at least 16 "
					  "MiB"));
	ctl.mem = KiB(1);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT(strstr(px.e->reply.msg, "--mem 1 KiB is too little"));
	ctl.mem = 0;
	ctl.staging_size = GiB(1);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EFBIG);
	KT_EXPECT(strstr(px.e->reply.msg, "at most 256 MiB"));
	ctl.staging_size = 0;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -EINVAL);
	KT_EXPECT_EQ(px.e->state, LWK_PROC_FREE);
	KT_EXPECT_EQ(channel_header()->cpu_pid[1], 0);
	proxy_unclaim(&px);
}

/* Signals from the proxy: SIGTERM's default action ends the process
 * (killed by 15); SIGKILL too. */
TEST(service, signals_end_processes)
{
	struct fake_proxy px;
	const int sigs[] = { 15, 9 };

	if (!have_service("service.signals_end_processes") ||
	    !needs_compute_core("service.signals_end_processes"))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (!proxy_run(&px, code_spin, sizeof(code_spin)))
			return;
		__atomic_fetch_or(&px.e->signals, 1ull << (sigs[i] - 1), __ATOMIC_SEQ_CST);
		KT_EXPECT(proxy_wait_state(&px, LWK_PROC_EXITED));
		KT_EXPECT_EQ(px.e->exit_status, sigs[i]);
		KT_EXPECT_EQ(px.e->signals, 0);
		proxy_release(&px);
	}
}

/* A proxy that stops bumping its lease is dead: its running process is
 * killed and everything it held comes back, owner included. */
TEST(service, lease_expiry_reclaims)
{
	struct fake_proxy px;
	uint64_t free_before = pmem_free_bytes(), end;

	if (!have_service("service.lease_expiry_reclaims") ||
	    !needs_compute_core("service.lease_expiry_reclaims") ||
	    !proxy_run(&px, code_spin, sizeof(code_spin)))
		return;
	end = arch_cycles() + ms_cycles(LWK_CHAN_LEASE_MS + WAIT_MS);
	while (px.e->state != LWK_PROC_FREE && arch_cycles() < end)
		service_poll(); /* and no lease bump */
	KT_EXPECT_EQ(px.e->state, LWK_PROC_FREE);
	KT_EXPECT_EQ(px.e->owner, 0);
	KT_EXPECT_EQ(channel_header()->cpu_pid[1], 0);
	KT_EXPECT_EQ(pmem_free_bytes(), free_before);
}

/* 'lwkctl status' shows mem_free; --mem of exactly that much must be
 * granted, and one step more refused with the same figure. */
TEST(service, mem_free_is_what_create_grants)
{
	struct lwk_chan_ctl ctl = { .ncores = 1, .staging_size = STAGING_SIZE };
	struct fake_proxy px;
	char want[64];
	uint64_t shown;

	if (!have_service("service.mem_free_is_what_create_grants") ||
	    !needs_compute_core("service.mem_free_is_what_create_grants") || !proxy_claim(&px))
		return;
	service_poll();
	shown = channel_header()->mem_free;
	ctl.mem = shown + MiB(2);
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), -ENOMEM);
	snprintf(want, sizeof(want), "asked, %llu MiB free;", (unsigned long long)(shown >> 20));
	KT_EXPECT(strstr(px.e->reply.msg, want));
	ctl.mem = shown;
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_CREATE, &ctl), 0);
	KT_EXPECT_EQ(px.e->reply.mem, shown);
	proxy_release(&px);
}

/* A proxy's lease beats on while the service core is busy with another
 * entry's long command (CREATE clears the staging buffer: a 256 MiB one
 * takes a second or more under emulation). The beat is noticed after the
 * command; it must be dated then, not at the start of that poll, or the
 * next look finds a "silent" second and kills a live proxy's process. */
TEST(service, busy_service_keeps_live_leases)
{
	struct lwk_chan_ctl ctl = { .ncores = 1, .mem = MiB(16), .staging_size = MiB(256) };
	struct fake_proxy big, run;
	uint64_t took;

	if (!have_service("service.busy_service_keeps_live_leases"))
		return;
	if (ncpus < 3) {
		ktest_skip("needs two compute cores (3 cores or more)");
		return;
	}
	/* big first: its entry is polled before run's. */
	if (!proxy_claim(&big) || !proxy_run(&run, code_spin, sizeof(code_spin)))
		return;
	service_poll();
	run.e->lease++; /* a beat the service core sees only after the CREATE */
	took = arch_cycles();
	KT_EXPECT_EQ(proxy_send(&big, LWK_MSG_CREATE, &ctl), 0);
	took = (arch_cycles() - took) / ms_cycles(1);
	log_info("ktest: a CREATE with 256 MiB of staging kept the service core %llu ms",
		 (unsigned long long)took);
	/* Both proxies go on beating, as live ones do: nobody may be lost. */
	for (uint64_t end = arch_cycles() + ms_cycles(200); arch_cycles() < end;) {
		service_poll();
		run.e->lease++;
		big.e->lease++;
	}
	KT_EXPECT_EQ(big.e->state, LWK_PROC_CREATED);
	KT_EXPECT_EQ(big.e->owner, FAKE_PROXY_PID);
	KT_EXPECT_EQ(run.e->state, LWK_PROC_RUNNING);
	KT_EXPECT_EQ(run.e->owner, FAKE_PROXY_PID);
	if (took < LWK_CHAN_LEASE_MS)
		log_warn("ktest: the CREATE took under %u ms: this run cannot show the bug",
			 LWK_CHAN_LEASE_MS);
	__atomic_fetch_or(&run.e->signals, 1ull << (9 - 1), __ATOMIC_SEQ_CST);
	KT_EXPECT(proxy_wait_state(&run, LWK_PROC_EXITED));
	proxy_release(&run);
	proxy_release(&big);
}

/* EXEC answers only once every byte of the arena is cleared (by the
 * process's own cores): memory an earlier user left dirty must never be
 * seen by the next process, nor by its proxy. */
TEST(service, exec_clears_the_arena)
{
	static paddr_t dirty[256];
	struct lwk_chan_ctl ctl;
	struct fake_proxy px;
	unsigned int n = 0, ncores = ncpus >= 3 ? 2 : 1;
	uint64_t nonzero = 0;
	struct proc *p;

	if (!have_service("service.exec_clears_the_arena") ||
	    !needs_compute_core("service.exec_clears_the_arena"))
		return;
	while (n < ARRAY_SIZE(dirty) && !pmem_alloc(PMEM_SHIFT_2M, &dirty[n]))
		memset(arch_phys_to_virt(dirty[n++]), 0xa5, MiB(2));
	while (n)
		pmem_free(dirty[--n], PMEM_SHIFT_2M);
	if (!proxy_claim(&px))
		return;
	KT_EXPECT_EQ(proxy_create(&px, ncores, MiB(64)), 0);
	proxy_put_program(&px, code_exit7, sizeof(code_exit7));
	ctl = exec_ctl(sizeof(code_exit7));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), 0);
	KT_EXPECT_EQ(px.e->state, LWK_PROC_LOADED);
	p = svc_entries[px.e - channel_proc(0)].p;
	KT_EXPECT(p && p->uvm.arena_end - p->uvm.arena_base >= MiB(32));
	for (uint64_t va = p ? p->uvm.arena_base : 0; p && va < p->uvm.arena_end; va += MiB(2)) {
		const uint64_t *k = uvm_kaddr(&p->uvm, va, MiB(2), 0);

		for (unsigned int i = 0; k && i < MiB(2) / 8; i++)
			nonzero += k[i] != 0;
	}
	KT_EXPECT_EQ(nonzero, 0);
	proxy_release(&px);
}

/* What lwk.ko may let a proxy map: kept sorted, touching ranges merged,
 * a full list refused. */
TEST(service, extents_merge)
{
	static struct svc_entry e;

	memset(&e, 0, sizeof(e));
	KT_EXPECT(svc_extents_add(&e, MiB(10), MiB(2)));
	KT_EXPECT(svc_extents_add(&e, MiB(4), MiB(2)));
	KT_EXPECT(svc_extents_add(&e, MiB(20), MiB(2)));
	KT_EXPECT_EQ(e.nextents, 3);
	KT_EXPECT_EQ(e.extent[0].pa, MiB(4));
	KT_EXPECT(svc_extents_add(&e, MiB(6), MiB(4))); /* joins [4, 6) and [10, 12) */
	KT_EXPECT_EQ(e.nextents, 2);
	KT_EXPECT_EQ(e.extent[0].pa, MiB(4));
	KT_EXPECT_EQ(e.extent[0].size, MiB(8));
	KT_EXPECT_EQ(e.extent[1].pa, MiB(20));
	KT_EXPECT(svc_extents_add(&e, MiB(5), KiB(4))); /* inside: nothing new */
	KT_EXPECT_EQ(e.nextents, 2);
	e.nextents = 0;
	for (unsigned int i = 0; i < LWK_CHAN_MAX_EXTENTS; i++)
		KT_EXPECT(svc_extents_add(&e, MiB(4) * (i + 1), MiB(2)));
	KT_EXPECT(!svc_extents_add(&e, GiB(4), MiB(2)));
	KT_EXPECT(svc_extents_add(&e, MiB(6), MiB(2))); /* merges: still fits */
	KT_EXPECT_EQ(e.nextents, LWK_CHAN_MAX_EXTENTS - 1);
}

/* Is [pa, pa + size) inside one of @e's published extents? */
static bool extent_holds(const struct lwk_chan_proc *e, uint64_t pa, uint64_t size)
{
	for (unsigned int i = 0; i < e->nextents; i++)
		if (pa >= e->extent[i].pa && pa + size <= e->extent[i].pa + e->extent[i].size)
			return true;
	return false;
}

/* An entry claimed as lwk.ko does (channel.h, step 8): its extents hold
 * the staging buffer and every piece of the process; RELEASE is refused
 * and a silent lease changes nothing; the module's gone_seq kills the
 * process and frees everything at the next polls. */
TEST(service, managed_entry_ends_when_the_module_says)
{
	struct fake_proxy px;
	uint64_t free_before = pmem_free_bytes(), end;
	const struct lwk_chan_map *maps;
	struct lwk_chan_ctl ctl = { 0 };
	struct lwk_chan_proc *e;
	uint64_t staging;
	uint32_t seq;

	if (!have_service("service.managed_entry_ends_when_the_module_says") ||
	    !needs_compute_core("service.managed_entry_ends_when_the_module_says") ||
	    !proxy_claim(&px))
		return;
	e = px.e;
	seq = e->mod.claim_seq + 1;
	e->mod.uid = 1000;
	__atomic_store_n(&e->mod.claim_seq, seq, __ATOMIC_RELEASE);
	KT_EXPECT_EQ(proxy_create(&px, 1, MiB(16)), 0);
	KT_EXPECT_EQ(e->nextents, 1);
	staging = e->reply.staging_pa;
	KT_EXPECT(extent_holds(e, staging, e->reply.staging_size));
	proxy_put_program(&px, code_spin, sizeof(code_spin));
	ctl = exec_ctl(sizeof(code_spin));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_EXEC, &ctl), 0);
	maps = (const struct lwk_chan_map *)(px.staging + MAPS_OFF);
	for (unsigned int i = 0; i < e->reply.nmaps; i++)
		KT_EXPECT(extent_holds(e, maps[i].pa, maps[i].size));
	memset(&ctl, 0, sizeof(ctl));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_START, &ctl), 0);
	KT_EXPECT_EQ(e->state, LWK_PROC_RUNNING);
	KT_EXPECT(extent_holds(e, staging, 4096)); /* kept after START */
	memset(&ctl, 0, sizeof(ctl));
	KT_EXPECT_EQ(proxy_send(&px, LWK_MSG_RELEASE, &ctl), -EPERM);
	end = arch_cycles() + ms_cycles(LWK_CHAN_LEASE_MS + 200);
	while (arch_cycles() < end)
		service_poll(); /* no lease bump, and no matter */
	KT_EXPECT_EQ(e->state, LWK_PROC_RUNNING);
	__atomic_store_n(&e->mod.gone_seq, seq, __ATOMIC_RELEASE);
	end = arch_cycles() + ms_cycles(WAIT_MS);
	while (e->gone_ack != seq && arch_cycles() < end)
		service_poll();
	KT_EXPECT_EQ(e->gone_ack, seq);
	KT_EXPECT_EQ(e->state, LWK_PROC_FREE);
	KT_EXPECT_EQ(e->owner, 0);
	KT_EXPECT_EQ(e->nextents, 0);
	KT_EXPECT_EQ(channel_header()->cpu_pid[1], 0);
	KT_EXPECT_EQ(pmem_free_bytes(), free_before);
	/* Back to an entry of the VM kind for the tests after this one. */
	__atomic_store_n(&e->mod.claim_seq, 0, __ATOMIC_RELEASE);
}
