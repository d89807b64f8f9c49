/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a Linux process reaches an LWK partition's physical memory. One
 * implementation today, the VM transport (transport_vm.c): the partition is
 * a QEMU guest whose RAM is a shared memory-backend-file, so a guest-physical
 * address is a file offset (below the low-RAM end), or address - 4 GiB +
 * low-RAM size above 4 GiB. Partition mode (lwk.ko) adds a second one.
 */
#pragma once

#include <stdint.h>

struct transport {
	const char *kind; /* "vm" */
	int fd;		  /* the guest-memory file */
	uint64_t mem_size;
	uint64_t low_ram; /* guest RAM below the PCI hole, in bytes */
};

/* Open the guest-memory file of a VM partition. It must be a regular file
 * of this user's (-EPERM otherwise, even for root): the LWK behind it
 * drives whoever serves its programs. -errno and a one-line reason in
 * @err on failure. */
int transport_vm_open(struct transport *t, const char *mem_path, uint64_t mem_size,
		      uint64_t low_ram, char *err, size_t errlen);
void transport_close(struct transport *t);
/* Map [pa, pa + size) with @prot (PROT_*), shared with the LWK. @at: NULL
 * for anywhere, else exactly there (MAP_FIXED_NOREPLACE: the unified
 * address space). The range must be page-aligned and lie in guest RAM on
 * one side of the PCI hole. Returns the address, or NULL with errno set. */
void *transport_map(struct transport *t, uint64_t pa, uint64_t size, int prot, void *at);
int transport_unmap(struct transport *t, void *addr, uint64_t size);
/* Guest-physical @pa as an offset in the memory file; -1 if not RAM. */
int64_t transport_vm_offset(uint64_t mem_size, uint64_t low_ram, uint64_t pa);
/* Where low RAM ends on QEMU's q35 machine for @mem_size bytes of RAM. */
uint64_t transport_vm_low_ram(uint64_t mem_size);
