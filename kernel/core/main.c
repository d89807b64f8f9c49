// SPDX-License-Identifier: GPL-2.0-only
/* The kernel proper: from a boot description to every core online. */
#include <stdio.h>
#include <string.h>
#include <lwk/arch.h>
#include <lwk/bootdesc.h>
#include <lwk/channel.h>
#include <lwk/cmdline.h>
#include <lwk/cpus.h>
#include <lwk/kmain.h>
#include <lwk/ktest.h>
#include <lwk/ktest_fault.h>
#include <lwk/log.h>
#include <lwk/mm.h>
#include <lwk/proc.h>
#include <lwk/service.h>

extern char __kernel_start[], __kernel_end[];

static struct bootdesc bd;

const struct bootdesc *kernel_bootdesc(void)
{
	return &bd;
}

/* Once the channel is laid out, Linux (lwkctl status) reads why there as
 * well: a partition has no console. */
static __noreturn void boot_fail(const char *what)
{
	log_raw("lwk: %s\n", what);
	log_raw("lwk: boot failed; stopping\n");
	channel_set_panicked(what);
	arch_exit(ARCH_EXIT_FAIL);
}

static void apply_cmdline(const char *args)
{
	char v[32];

	if (cmdline_get(args, "loglevel", v, sizeof(v))) {
		if (!strcmp(v, "debug"))
			log_set_level(LOG_DEBUG);
		else if (!strcmp(v, "warn"))
			log_set_level(LOG_WARN);
		else if (!strcmp(v, "err"))
			log_set_level(LOG_ERR);
	}
	if (cmdline_get(args, "idle", v, sizeof(v))) {
		if (!strcmp(v, "poll"))
			cpus_set_idle_mode(IDLE_POLL);
		else if (strcmp(v, "halt"))
			log_warn("idle=%s is unknown; using idle=halt (or idle=poll)", v);
	}
}

static void check_boot_core(void)
{
	uint32_t apic = arch_boot_cpu_late_init();

	if (apic != bd.cpu_apic_id[0]) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "boot description: cpu@0 has APIC ID 0x%x, but the boot core is APIC 0x%x",
			 bd.cpu_apic_id[0], apic);
		boot_fail(msg);
	}
	if (cpus_setup(&bd, apic))
		boot_fail("no memory for the per-core counters");
}

/* The channel is cleared at layout: it must not be the kernel itself.
 * (The reader saw to the rest: aligned, owned memory, reserved.) */
static void check_channel(void)
{
	uint64_t ks = pa_addr(arch_virt_to_phys(__kernel_start)),
		 ke = pa_addr(arch_virt_to_phys(__kernel_end));
	uint64_t cb = bd.channel.base, ce = cb + bd.channel.size;
	char msg[160];

	if (!bd.channel.size || ce <= ks || cb >= ke)
		return;
	snprintf(msg, sizeof(msg),
		 "boot description: lwk,channel [0x%llx, 0x%llx) overlaps the kernel image "
		 "[0x%llx, 0x%llx); move it",
		 (unsigned long long)cb, (unsigned long long)ce, (unsigned long long)ks,
		 (unsigned long long)ke);
	boot_fail(msg);
}

/* lwk,kernel must say where this image really runs: the entry set the
 * base from it (partition mode), or the shim wrote the link address. */
static void check_kernel_extent(void)
{
	uint64_t ks = pa_addr(arch_virt_to_phys(__kernel_start)),
		 ke = pa_addr(arch_virt_to_phys(__kernel_end));
	char msg[192];

	if (!bd.kernel.size || (bd.kernel.base == ks && bd.kernel.size >= ke - ks))
		return;
	snprintf(msg, sizeof(msg),
		 "boot description: lwk,kernel [0x%llx, 0x%llx) is not where this kernel runs "
		 "[0x%llx, 0x%llx)",
		 (unsigned long long)bd.kernel.base,
		 (unsigned long long)(bd.kernel.base + bd.kernel.size), (unsigned long long)ks,
		 (unsigned long long)ke);
	boot_fail(msg);
}

/* Keys only the ktest image knows. The production kernel, asked for
 * them, stops at once rather than boot without what a test asked for. */
static const char *const test_keys[] = { "lwk.ktest", "lwk.test-relocate", "lwk.test-panic-signal",
					 "lwk.test-hang-signal" };

/* After channel_init, so that beside Linux 'lwkctl boot' reads why. */
static void check_test_keys(void)
{
	char v[64], msg[160];

	if (ktest_run) {
		if (ktest_fault_setup && ktest_fault_setup(bd.bootargs, msg, sizeof(msg)))
			boot_fail(msg);
		return;
	}
	for (size_t i = 0; i < sizeof(test_keys) / sizeof(test_keys[0]); i++) {
		if (!cmdline_get(bd.bootargs, test_keys[i], v, sizeof(v)))
			continue;
		snprintf(msg, sizeof(msg),
			 "%s=%s: this kernel has no ktests; boot the ktest image "
			 "(build/lwk-ktest.elf)",
			 test_keys[i], v);
		boot_fail(msg);
	}
}

static __noreturn void run_ktests(const char *selector)
{
	unsigned int failed = ktest_run(selector);

	log_raw("ktest: done\n");
	arch_exit(failed ? ARCH_EXIT_FAIL : ARCH_EXIT_PASS);
}

__noreturn void kmain(const void *fdt, size_t max_size)
{
	char err[160], sel[64];

	if (bootdesc_parse(fdt, max_size, &bd, err, sizeof(err)))
		boot_fail(err);
	arch_devices_setup(&bd);
	arch_tsc_set_hz(bd.tsc_hz);
	apply_cmdline(bd.bootargs);
	log_info("lwk: booting on %u cores, TSC %llu kHz, command line \"%s\"", bd.n_cpus,
		 (unsigned long long)(bd.tsc_hz / 1000), bd.bootargs);
	/* A key that nothing produces yet: say so, loudly. */
	if (bd.log.size)
		log_warn("boot description: lwk,log is not supported yet; the log stays in kernel "
			 "memory");
	log_info("lwk: kernel image at physical 0x%llx-0x%llx",
		 (unsigned long long)pa_addr(arch_virt_to_phys(__kernel_start)),
		 (unsigned long long)pa_addr(arch_virt_to_phys(__kernel_end)));
	check_kernel_extent();
	check_channel();
	if (mm_init(&bd))
		boot_fail("memory setup failed");
	/* Before the counters are placed (they may go into the channel). */
	channel_init(&bd);
	check_test_keys();
	check_boot_core();
	cpus_start_all(&bd);
	log_info("lwk: up: %u cores online, idle=%s", cpus_online(),
		 cpus_idle_mode() == IDLE_POLL ? "poll" : "halt");
	if (channel_present())
		service_init();
	if (cmdline_get(bd.bootargs, "lwk.ktest", sel, sizeof(sel)))
		run_ktests(sel);
	if (bd.program.present) {
		if (channel_present())
			log_warn("a bare run and a channel: the program runs, the channel is not "
				 "served");
		bare_run(&bd);
	}
	if (channel_present())
		service_run();
	cpus_idle_loop();
}
