// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of the service core's checks of control messages
 * (kernel/channel/service_ctl.c), through svc_ctl_poll as the service
 * loop calls it: the test writes a command into a channel entry as a
 * proxy would, and reads the reply. Every refusal must say what is wrong.
 * The channel, the cores and exec_create are fakes (fake_service.h); the
 * memory is pmem on fake physical memory.
 */
#include <lwk/arch.h>
#include <lwk/cpu.h>
#include <lwk/errno.h>
#include <lwk/pmem.h>
#include "fake_kernel.h"
#include "fake_service.h"
#include "htest.h"
#include "service_internal.h"

#define STAGING KiB(64)

static struct svc_entry *entry;

/* A partition of @ncores cores; the test's proxy has entry 0. */
static void service_setup(unsigned int ncores)
{
	fake_service_reset(ncores);
	entry = &svc_entries[0];
}

/* Send @ctl (its type and fields set, the header completed here) and
 * return the reply; NULL if none came (EXEC answers later). */
static const struct lwk_chan_reply *send_ctl(struct svc_entry *e, struct lwk_chan_ctl *ctl)
{
	uint32_t seq = e->replied_seq + 1;

	if (!ctl->hdr.magic)
		ctl->hdr.magic = LWK_MSG_MAGIC;
	if (!ctl->hdr.abi_version)
		ctl->hdr.abi_version = LWK_ABI_VERSION;
	if (!ctl->hdr.size)
		ctl->hdr.size = sizeof(*ctl);
	ctl->hdr.seq = seq;
	e->chan->ctl = *ctl;
	EXPECT(svc_ctl_poll(e));
	if (e->chan->reply.hdr.seq != seq)
		return NULL;
	EXPECT_EQ(e->chan->reply.hdr.magic, LWK_MSG_MAGIC);
	EXPECT_EQ(e->chan->reply.hdr.type, LWK_MSG_REPLY);
	return &e->chan->reply;
}

static const struct lwk_chan_reply *send_type(struct svc_entry *e, uint16_t type)
{
	struct lwk_chan_ctl ctl = { .hdr.type = type };

	return send_ctl(e, &ctl);
}

/* A reply refusing with @err and a message containing @says. */
#define EXPECT_REFUSED(reply, err, says)                      \
	do {                                                  \
		const struct lwk_chan_reply *r_ = (reply);    \
		EXPECT(r_ != NULL);                           \
		if (r_) {                                     \
			EXPECT_EQ(r_->status, (err));         \
			EXPECT_STR_CONTAINS(r_->msg, (says)); \
		}                                             \
	} while (0)

static const struct lwk_chan_reply *create(struct svc_entry *e, uint32_t ncores, uint64_t mem,
					   uint64_t staging)
{
	struct lwk_chan_ctl ctl = {
		.hdr.type = LWK_MSG_CREATE, .ncores = ncores, .mem = mem, .staging_size = staging
	};

	return send_ctl(e, &ctl);
}

static const struct lwk_chan_reply *create_on(struct svc_entry *e, unsigned int core)
{
	struct lwk_chan_ctl ctl = { .hdr.type = LWK_MSG_CREATE,
				    .mem = MiB(16),
				    .staging_size = STAGING };

	ctl.core_mask[core / 64] = 1ull << (core % 64);
	return send_ctl(e, &ctl);
}

HTEST(service_checks, header_refusals)
{
	struct lwk_chan_ctl ctl = { .hdr.type = LWK_MSG_CREATE, .hdr.magic = 0x1234 };

	service_setup(4);
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EPROTO,
		       "control message magic 0x1234, expected 0x4c57");
	ctl = (struct lwk_chan_ctl){ .hdr.type = LWK_MSG_CREATE,
				     .hdr.abi_version = LWK_ABI_VERSION + 1 };
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EPROTO, "use the lwkexec of the kernel's build");
	ctl = (struct lwk_chan_ctl){ .hdr.type = LWK_MSG_CREATE, .hdr.size = 64 };
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL, "control message of 64 bytes, expected 192");
	EXPECT_REFUSED(send_type(entry, 9), -EINVAL, "unknown control command 9 (CREATE 1");
	/* nothing new: no reply */
	EXPECT(!svc_ctl_poll(entry));
	EXPECT_EQ(entry->state, LWK_PROC_FREE);
}

HTEST(service_checks, create_core_refusals)
{
	service_setup(4);
	EXPECT_REFUSED(create_on(entry, 5), -EINVAL,
		       "core 5 does not exist (the partition has cores 0-3)");
	EXPECT_REFUSED(create_on(entry, 0), -EINVAL,
		       "core 0 is the service core; processes get cores 1-3");
	cpus[2].state = CPU_FAILED;
	EXPECT_REFUSED(create_on(entry, 2), -EINVAL, "core 2 is not online");
	EXPECT_REFUSED(create(entry, 4, 0, STAGING), -EINVAL,
		       "4 cores asked, the partition has 3 compute cores");
	EXPECT_REFUSED(create(entry, 3, 0, STAGING), -EBUSY, "3 cores asked, 2 free");
	EXPECT_EQ(entry->state, LWK_PROC_FREE);
	EXPECT_EQ(entry->ncores, 0);
	service_setup(1);
	EXPECT_REFUSED(create(entry, 0, 0, STAGING), -EINVAL,
		       "the partition has no compute core (core 0 is the service core)");
}

HTEST(service_checks, create_size_refusals)
{
	service_setup(4);
	EXPECT_REFUSED(create(entry, 1, 0, 0), -EINVAL, "staging_size is 0");
	EXPECT_REFUSED(create(entry, 1, 0, MiB(512)), -EFBIG,
		       "a 512 MiB staging buffer asked, at most 256 MiB");
	EXPECT_REFUSED(create(entry, 1, MiB(1), STAGING), -EINVAL,
		       "--mem 1 MiB is too little: a process needs at least 16 MiB");
	EXPECT_REFUSED(create(entry, 1, KiB(1000), STAGING), -EINVAL, "--mem 1000 KiB is too");
	EXPECT_REFUSED(create(entry, 1, GiB(1), STAGING), -ENOMEM, "--mem 1024 MiB asked, ");
	EXPECT_EQ(entry->state, LWK_PROC_FREE);
	EXPECT_EQ(svc_promised, 0);
}

HTEST(service_checks, create_grants_then_release_gives_back)
{
	uint64_t free_before;
	const struct lwk_chan_reply *r;

	service_setup(4);
	free_before = pmem_free_bytes();
	r = create(entry, 2, MiB(32), STAGING);
	EXPECT(r && r->status == 0);
	if (!r)
		return;
	EXPECT_EQ(r->core_mask[0], 0x6); /* the lowest free: 1 and 2 */
	EXPECT_EQ(r->mem, MiB(32));
	EXPECT_EQ(r->staging_size, STAGING);
	EXPECT_EQ(entry->chan->state, LWK_PROC_CREATED);
	EXPECT_EQ(channel_header()->cpu_pid[1], LWK_CHAN_CPU_LOADING);
	EXPECT_EQ(svc_promised, MiB(32));
	EXPECT_REFUSED(create(entry, 1, 0, STAGING), -EBUSY,
		       "the entry holds a process already (created); RELEASE it first");
	EXPECT_REFUSED(create_on(&svc_entries[1], 2), -EBUSY,
		       "core 2 is in use by a process being loaded");
	EXPECT_REFUSED(send_type(entry, LWK_MSG_START), -EINVAL,
		       "START needs a loaded process (the entry is created)");
	r = send_type(entry, LWK_MSG_RELEASE);
	EXPECT(r && r->status == 0);
	EXPECT_EQ(entry->chan->state, LWK_PROC_FREE);
	EXPECT_EQ(channel_header()->cpu_pid[1], 0);
	EXPECT_EQ(svc_promised, 0);
	EXPECT_EQ(pmem_free_bytes(), free_before);
}

/* An EXEC of a 100-byte image with argv "prog -x" and envp "A=1", laid
 * out in the staging buffer. */
static struct lwk_chan_ctl exec_ctl(struct svc_entry *e)
{
	static const char argv[] = "prog\0-x", envp[] = "A=1";
	char *staging = arch_phys_to_virt(e->staging);

	memcpy(staging + 0x1000, argv, sizeof(argv));
	memcpy(staging + 0x2000, envp, sizeof(envp));
	return (struct lwk_chan_ctl){ .hdr.type = LWK_MSG_EXEC,
				      .image_size = 100,
				      .argv_off = 0x1000,
				      .argv_size = sizeof(argv),
				      .envp_off = 0x2000,
				      .envp_size = sizeof(envp),
				      .maps_off = 0x3000 };
}

HTEST(service_checks, exec_refusals)
{
	struct lwk_chan_ctl ctl;

	service_setup(4);
	EXPECT_REFUSED(send_type(entry, LWK_MSG_EXEC), -EINVAL,
		       "EXEC needs a CREATE first (the entry is free)");
	EXPECT(create(entry, 1, MiB(16), STAGING) != NULL);
	ctl = exec_ctl(entry);
	ctl.image_size = 0;
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL, "image_size is 0: no program to run");
	ctl = exec_ctl(entry);
	ctl.argv_size = 0;
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL, "argv_size is 0");
	ctl = exec_ctl(entry);
	ctl.image_off = 0xf000, ctl.image_size = 0x2000;
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL,
		       "the program image (offset 0xf000, 8192 bytes) is not inside the "
		       "65536-byte staging buffer");
	ctl = exec_ctl(entry);
	ctl.interp_off = ~0ull - 8, ctl.interp_size = 16; /* wraps */
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL,
		       "the interpreter (offset 0xfffffffffffffff7");
	ctl = exec_ctl(entry);
	ctl.maps_off = 0x3004;
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL,
		       "maps_off 0x3004 is not an 8-byte aligned offset");
	ctl = exec_ctl(entry);
	ctl.argv_size = 4; /* "prog" without its NUL */
	EXPECT_REFUSED(send_ctl(entry, &ctl), -EINVAL,
		       "argv and environment must be NUL-terminated strings");
	EXPECT_EQ(fake_exec.calls, 0);
	fake_exec_err = -ENOEXEC;
	ctl = exec_ctl(entry);
	EXPECT_REFUSED(send_ctl(entry, &ctl), -ENOEXEC, "fake exec refused");
	EXPECT_EQ(entry->state, LWK_PROC_CREATED);
	EXPECT(send_type(entry, LWK_MSG_RELEASE) != NULL);
}

HTEST(service_checks, exec_arguments_too_large)
{
	struct lwk_chan_ctl ctl;

	service_setup(4);
	EXPECT(create(entry, 1, MiB(16), MiB(2)) != NULL);
	ctl = exec_ctl(entry);
	ctl.argv_off = 0, ctl.argv_size = MiB(1);
	ctl.envp_off = MiB(1), ctl.envp_size = KiB(1);
	EXPECT_REFUSED(send_ctl(entry, &ctl), -E2BIG,
		       "argv and environment are 1025 KiB, at most 1024 KiB");
	EXPECT(send_type(entry, LWK_MSG_RELEASE) != NULL);
}

HTEST(service_checks, exec_start_release)
{
	const struct lwk_chan_reply *r;
	struct lwk_chan_ctl ctl;

	service_setup(4);
	EXPECT(create(entry, 1, MiB(16), STAGING) != NULL);
	ctl = exec_ctl(entry);
	EXPECT(send_ctl(entry, &ctl) == NULL); /* answered once the arena is clear */
	EXPECT(svc_exec_poll(entry));
	r = &entry->chan->reply;
	EXPECT_EQ(r->status, 0);
	EXPECT_EQ(r->pid, 100);
	EXPECT_EQ(r->nmaps, entry->p ? entry->p->uvm.nmaps : 0);
	EXPECT_EQ(fake_exec.image_size, 100);
	EXPECT_EQ(fake_exec.mem, MiB(16));
	EXPECT_STR_CONTAINS(fake_exec.argv, "prog -x");
	EXPECT_STR_CONTAINS(fake_exec.envp, "A=1");
	EXPECT_EQ(entry->chan->state, LWK_PROC_LOADED);
	EXPECT_EQ(channel_header()->cpu_pid[1], 100);
	EXPECT_STR_CONTAINS(entry->chan->name, "prog");
	r = send_type(entry, LWK_MSG_START);
	EXPECT(r && r->status == 0);
	EXPECT_EQ(fake_thread_starts, 1);
	EXPECT(fake_thread_start_core == &cpus[1]);
	EXPECT_REFUSED(send_type(entry, LWK_MSG_RELEASE), -EBUSY,
		       "pid 100 is still running: send it SIGKILL and wait for EXITED first");
	svc_entry_release(entry); /* as once it ended */
	EXPECT_EQ(entry->chan->state, LWK_PROC_FREE);
}

/* A started process, as exec_start_release leaves it before its end. */
static void start_process(void)
{
	struct lwk_chan_ctl ctl;

	service_setup(4);
	EXPECT(create(entry, 1, MiB(16), STAGING) != NULL);
	ctl = exec_ctl(entry);
	EXPECT(send_ctl(entry, &ctl) == NULL);
	EXPECT(svc_exec_poll(entry));
	EXPECT(send_type(entry, LWK_MSG_START) != NULL);
	EXPECT_EQ(entry->state, LWK_PROC_RUNNING);
}

/* One service poll @ms after the last, its proxy's lease kept alive. */
static void poll_after_ms(uint64_t ms)
{
	fake_cycles += ms * (arch_tsc_hz() / 1000);
	entry->chan->lease++;
	service_poll();
}

/* A process that began to end and still has threads 2 s on is killed
 * again, and the log says so once. */
HTEST(service_checks, ending_process_is_killed_again)
{
	start_process();
	entry->p->exiting = true; /* as a kill leaves it */
	poll_after_ms(0);
	poll_after_ms(1500);
	EXPECT(!strstr(fake_log_last, "killing them again"));
	poll_after_ms(600);
	EXPECT_STR_CONTAINS(fake_log_last, "pid 100 (prog) still has 1 thread(s) 2000 ms after it "
					   "began to end: killing them again");
	fake_log_last[0] = '\0';
	poll_after_ms(2100);
	EXPECT_EQ(fake_log_last[0], '\0'); /* said once */
	svc_entry_release(entry);
}

/* A running process that is not ending is left alone, however long. */
HTEST(service_checks, running_process_is_not_killed_again)
{
	start_process();
	poll_after_ms(0);
	poll_after_ms(5000);
	EXPECT(!entry->p->exiting);
	EXPECT(!strstr(fake_log_last, "killing them again"));
	svc_entry_release(entry);
}
