// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QEMU behind a partition or a bare run, as lwkctl's commands share
 * it: the kernel image it boots, the accelerator, waiting on it, stopping
 * it, and the last lines of its console log.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lwkctl.h"
#include "partition.h"

int lwkctl_kernel_path(const char *given, char *out, size_t len)
{
	const char *env = getenv("LWK_KERNEL");
	char self[PATH_MAX];
	ssize_t n;

	if (given || (env && *env))
		return snprintf(out, len, "%s", given ? given : env) < (int)len ? 0 : -1;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -1;
	self[n] = '\0';
	*strrchr(self, '/') = '\0';
	return snprintf(out, len, "%s/../lwk.elf", self) < (int)len ? 0 : -1;
}

/* A software KVM (kvm_pvm) is slower than TCG by far: only vmx/svm count. */
int lwkctl_kvm_usable(void)
{
	char line[4096];
	FILE *f;
	int hw = 0;

	if (access("/dev/kvm", R_OK | W_OK) || !access("/sys/module/kvm_pvm", F_OK))
		return 0;
	f = fopen("/proc/cpuinfo", "r");
	while (f && !hw && fgets(line, sizeof(line), f))
		hw = !strncmp(line, "flags", 5) && (strstr(line, " vmx") || strstr(line, " svm"));
	if (f)
		fclose(f);
	return hw;
}

/* Drop terminal escape sequences and control characters (the firmware
 * clears the screen on the serial console). */
static void text_clean(char *s)
{
	char *out = s;

	while (*s) {
		if (*s == '\033' && s[1] == '[') { /* CSI: parameters, then a final byte */
			s += 2;
			while (*s && (*s < 0x40 || *s > 0x7e))
				s++;
			if (*s)
				s++;
		} else if (*s == '\033') {
			s += s[1] ? 2 : 1;
		} else {
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				*out++ = *s;
			s++;
		}
	}
	*out = '\0';
}

void lwkctl_print_tail(const char *path, unsigned int n, FILE *to)
{
	char lines[32][256];
	unsigned int count = 0;
	int skip = 0;
	char buf[256];
	FILE *f = fopen(path, "r");

	if (n > 32)
		n = 32;
	if (!f || !n) {
		if (f)
			fclose(f);
		return;
	}
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strcspn(buf, "\r\n");
		int more = buf[len] == '\0' && len == sizeof(buf) - 1; /* a long line */

		buf[len] = '\0';
		text_clean(buf);
		if (!skip)
			snprintf(lines[count++ % n], sizeof(lines[0]), "%s", buf);
		skip = more; /* show a long line's start only */
	}
	fclose(f);
	for (unsigned int i = count > n ? count - n : 0; i < count; i++)
		fprintf(to, "  | %s\n", lines[i % n]);
}

void lwkctl_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t lwkctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Stop a QEMU that would not power off: SIGTERM, then SIGKILL. If it is
 * our child, reap it. */
void lwkctl_qemu_kill(const struct partition *p, int child)
{
	int status;

	kill(p->qemu_pid, SIGTERM);
	for (int i = 0; i < 150 && partition_alive(p); i++) {
		if (child && waitpid(p->qemu_pid, &status, WNOHANG) == p->qemu_pid)
			return;
		lwkctl_sleep_ms(LWKCTL_POLL_MS);
	}
	kill(p->qemu_pid, SIGKILL);
	if (child)
		waitpid(p->qemu_pid, &status, 0);
	for (int i = 0; i < 100 && partition_alive(p); i++)
		lwkctl_sleep_ms(LWKCTL_POLL_MS);
}
