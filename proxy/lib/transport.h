/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a Linux process reaches an LWK partition's physical memory. Two
 * kinds:
 *   "vm" (transport_vm.c): the partition is a QEMU guest whose RAM is a
 *     shared memory-backend-file, so a guest-physical address is a file
 *     offset (below the low-RAM end), or address - 4 GiB + low-RAM size
 *     above 4 GiB.
 *   "partition" (transport_dev.c): partition mode, beside Linux on the node
 *     through lwk.ko; /dev/lwk is mapped with the physical address as the
 *     file offset, and answers the ioctls of uapi/lwk/lwkdev.h.
 * transport_map() and transport_unmap() serve both.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct lwk_ioc_info;

struct transport {
	const char *kind; /* "vm" or "partition" */
	int fd;		  /* the guest-memory file, or /dev/lwk */
	uint64_t mem_size;
	uint64_t low_ram;   /* vm: guest RAM below the PCI hole, in bytes */
	uint32_t dev_flags; /* partition: LWK_DEV_F_* the module granted */
};

/* Open the guest-memory file of a VM partition. It must be a regular file
 * of this user's (-EPERM otherwise, even for root): the LWK behind it
 * drives whoever serves its programs. -errno and a one-line reason in
 * @err on failure. */
int transport_vm_open(struct transport *t, const char *mem_path, uint64_t mem_size,
		      uint64_t low_ram, char *err, size_t errlen);
/* Open /dev/lwk and pass its version check. Without the device: -ENOENT,
 * "no /dev/lwk: load the module first (...)"; a module of another ABI:
 * -EPROTO naming both versions. -errno and a one-line reason in @err. */
int transport_dev_open(struct transport *t, char *err, size_t errlen);
/* LWK_IOC_INFO on an open /dev/lwk. */
int transport_dev_info(struct transport *t, struct lwk_ioc_info *info, char *err, size_t errlen);
/* Is the partition /dev/lwk holds (if any) the one called @name? 1, 0 if
 * not or none, -errno if the device cannot be asked. */
int transport_dev_has(const char *name);
void transport_close(struct transport *t);
/* Partition mode: wake the halted ones among the LWK cores @what names
 * (LWK_RING_* of uapi/lwk/lwkdev.h) after publishing news for them. The
 * number of cores rung, or -errno. In a VM it does nothing and returns 0:
 * there the service core polls, and a waiting thread backs off on its own
 * timer. */
int transport_ring(struct transport *t, unsigned int what);
/* Map [pa, pa + size) with @prot (PROT_*), shared with the LWK. @at: NULL
 * for anywhere, else exactly there (MAP_FIXED_NOREPLACE: the unified
 * address space). The range must be page-aligned; in a VM, it must lie in
 * guest RAM on one side of the PCI hole; in partition mode the module
 * decides (EPERM/EACCES: not this user's to map). Returns the address, or
 * NULL with errno set. */
void *transport_map(struct transport *t, uint64_t pa, uint64_t size, int prot, void *at);
int transport_unmap(struct transport *t, void *addr, uint64_t size);
/* Guest-physical @pa as an offset in the memory file; -1 if not RAM. */
int64_t transport_vm_offset(uint64_t mem_size, uint64_t low_ram, uint64_t pa);
/* /dev/lwk's file offset for [pa, pa + size): @pa itself if the range is
 * page-aligned and not empty; -1 otherwise. */
int64_t transport_dev_offset(uint64_t pa, uint64_t size);
/* Move @fd high, out of the way of a served program's descriptors. */
int transport_fd_move_high(int fd);
/* Where low RAM ends on QEMU's q35 machine for @mem_size bytes of RAM. */
uint64_t transport_vm_low_ram(uint64_t mem_size);
