// SPDX-License-Identifier: GPL-2.0-only
/*
 * The partition-mode transport: lwk.ko's /dev/lwk (uapi/lwk/lwkdev.h).
 * Every open file passes the version check first; physical memory is
 * mapped with the physical address as the file offset, and the module
 * decides what this user may map (transport_map() in transport_vm.c does
 * the mmap for both kinds).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uapi/lwk/abi.h>
#include <uapi/lwk/lwkdev.h>
#include "transport.h"

#define PAGE_SIZE 4096ull
#define NO_MODULE_MSG                                                                    \
	"no " LWK_DEV_PATH ": load the module first (make install-module; modprobe lwk " \
	"trampoline=0x90000)"

int64_t transport_dev_offset(uint64_t pa, uint64_t size)
{
	if (!size || (pa | size) & (PAGE_SIZE - 1) || pa + size < pa || pa + size > INT64_MAX)
		return -1;
	return (int64_t)pa;
}

static int dev_open_error(int e, char *err, size_t errlen)
{
	if (e == ENOENT || e == ENXIO || e == ENODEV)
		snprintf(err, errlen, NO_MODULE_MSG);
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen,
			 "cannot open " LWK_DEV_PATH ": %s; ask the administrator to add you to "
			 "its group (see 'ls -l " LWK_DEV_PATH "')",
			 strerror(e));
	else
		snprintf(err, errlen, "cannot open " LWK_DEV_PATH ": %s", strerror(e));
	return -e;
}

/* LWK_IOC_VERSION: the module and this program must speak one ABI. */
static int dev_version(struct transport *t, char *err, size_t errlen)
{
	struct lwk_ioc_version v = { .abi_version = LWK_ABI_VERSION };
	int e;

	if (!ioctl(t->fd, LWK_IOC_VERSION, &v)) {
		t->dev_flags = v.flags;
		return 0;
	}
	e = errno;
	if (e == EPROTO || v.abi_version != LWK_ABI_VERSION)
		snprintf(err, errlen,
			 "lwk.ko speaks ABI version %u, this lwkctl/lwkexec speaks %u; rebuild and "
			 "reload the module (make module; rmmod lwk; modprobe lwk ...)",
			 v.abi_version, LWK_ABI_VERSION);
	else if (e == ENOTTY || e == EINVAL)
		snprintf(err, errlen,
			 LWK_DEV_PATH " does not answer lwk's version check (%s): is it lwk.ko's "
				      "device?",
			 strerror(e));
	else
		snprintf(err, errlen, LWK_DEV_PATH ": version check failed: %s%s%.*s", strerror(e),
			 v.msg[0] ? ": " : "", LWK_DEV_MSG_LEN, v.msg);
	return e == ENOTTY ? -EPROTO : -e;
}

int transport_dev_open(struct transport *t, char *err, size_t errlen)
{
	int fd, r;

	*t = (struct transport){ .kind = "partition", .fd = -1 };
	fd = open(LWK_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		fd = open(LWK_DEV_PATH, O_RDONLY | O_CLOEXEC); /* enough to look */
	if (fd < 0)
		return dev_open_error(errno, err, errlen);
	t->fd = transport_fd_move_high(fd);
	r = dev_version(t, err, errlen);
	if (r)
		transport_close(t);
	return r;
}

int transport_dev_info(struct transport *t, struct lwk_ioc_info *info, char *err, size_t errlen)
{
	memset(info, 0, sizeof(*info));
	if (!ioctl(t->fd, LWK_IOC_INFO, info)) {
		info->name[sizeof(info->name) - 1] = '\0';
		if (info->ncpus > LWK_DEV_MAX_CPUS)
			info->ncpus = LWK_DEV_MAX_CPUS;
		if (info->nranges > LWK_DEV_MAX_RANGES)
			info->nranges = LWK_DEV_MAX_RANGES;
		return 0;
	}
	snprintf(err, errlen, LWK_DEV_PATH ": cannot read the partition's state: %s",
		 strerror(errno));
	return -errno;
}

int transport_dev_has(const char *name)
{
	struct lwk_ioc_info info;
	struct transport t;
	char err[256];
	int r = transport_dev_open(&t, err, sizeof(err));

	if (r)
		return r;
	r = transport_dev_info(&t, &info, err, sizeof(err));
	transport_close(&t);
	if (r)
		return r;
	return info.state != LWK_DEV_STATE_NONE && !strcmp(info.name, name);
}

int transport_ring(struct transport *t, unsigned int what)
{
	int r;

	if (strcmp(t->kind, "partition"))
		return 0;
	r = ioctl(t->fd, LWK_IOC_RING, (unsigned long)what);
	return r < 0 ? -errno : r;
}
