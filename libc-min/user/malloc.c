// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small, single-threaded allocator on top of mmap.
 *
 * Blocks of up to 64 KiB, header included, come in power-of-two size
 * classes, each with its own free list. They are carved from 1 MiB mapped
 * chunks and never given back. Anything larger is a mapping of its own,
 * unmapped on free. Every block starts with a 16-byte header, which keeps
 * payloads 16-byte aligned and holds a state word that catches double and
 * stray frees before they corrupt a list.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MIN_SHIFT 5  /* 32-byte blocks: 16 of header, 16 of payload */
#define MAX_SHIFT 16 /* 64 KiB: larger blocks are mapped one by one */
#define NR_CLASSES (MAX_SHIFT - MIN_SHIFT + 1)
#define CHUNK_SIZE (1ul << 20)
#define PAGE_SIZE 4096ul

#define STATE_USED 0x75736564u /* "used" */
#define STATE_FREE 0x66726565u /* "free" */

struct header {
	size_t size; /* the whole block or mapping, header included */
	uint32_t state;
	uint32_t pad;
};

_Static_assert(sizeof(struct header) == 16, "payloads must stay 16-byte aligned");

struct free_block {
	struct free_block *next;
};

static struct free_block *free_lists[NR_CLASSES];
static char *chunk_next, *chunk_end;

static void malloc_corrupt(const char *what, void *ptr)
{
	fprintf(stderr, "malloc: %s %p\n", what, ptr);
	abort();
}

/* The smallest class whose blocks hold @total bytes, header included. */
static int class_of(size_t total)
{
	int shift = 64 - __builtin_clzl(total - 1);

	return (shift < MIN_SHIFT ? MIN_SHIFT : shift) - MIN_SHIFT;
}

static struct header *chunk_carve(size_t block)
{
	struct header *h;

	/* The tail of a chunk too short for the block stays unused: at most
	 * 1/16 of the chunk. */
	if (chunk_end - chunk_next < (long)block) {
		void *p = mmap(NULL, CHUNK_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return NULL;
		chunk_next = p;
		chunk_end = chunk_next + CHUNK_SIZE;
	}
	h = (struct header *)chunk_next;
	chunk_next += block;
	h->size = block;
	return h;
}

static struct header *block_alloc(int class)
{
	struct free_block *b = free_lists[class];

	if (!b)
		return chunk_carve((size_t)1 << (class + MIN_SHIFT));
	free_lists[class] = b->next;
	return (struct header *)b - 1;
}

static struct header *mapping_alloc(size_t size)
{
	size_t len;
	struct header *h;

	if (size > SIZE_MAX - sizeof(*h) - PAGE_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	len = (size + sizeof(*h) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	h = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h == MAP_FAILED)
		return NULL;
	h->size = len;
	return h;
}

static int is_mapping(const struct header *h)
{
	return h->size > (1ul << MAX_SHIFT);
}

void *malloc(size_t size)
{
	struct header *h;

	if (size <= (1ul << MAX_SHIFT) - sizeof(*h))
		h = block_alloc(class_of(size + sizeof(*h)));
	else
		h = mapping_alloc(size);
	if (!h)
		return NULL;
	h->state = STATE_USED;
	return h + 1;
}

/* The header of a block the program owns, or a report and abort(). */
static struct header *header_of(void *ptr)
{
	struct header *h = (struct header *)ptr - 1;

	if (((uintptr_t)ptr & 15) || h->state != STATE_USED)
		malloc_corrupt(h->state == STATE_FREE ? "double free of" : "bad pointer", ptr);
	if (!is_mapping(h) && (h->size & (h->size - 1)))
		malloc_corrupt("corrupt header before", ptr);
	return h;
}

void free(void *ptr)
{
	struct header *h;
	struct free_block *b;
	int class;

	if (!ptr)
		return;
	h = header_of(ptr);
	h->state = STATE_FREE;
	if (is_mapping(h)) {
		munmap(h, h->size);
		return;
	}
	class = class_of(h->size);
	b = ptr;
	b->next = free_lists[class];
	free_lists[class] = b;
}

void *calloc(size_t count, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(count, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = malloc(total);
	/* Fresh mappings are zero already; touching them would commit them. */
	if (p && !is_mapping((struct header *)p - 1))
		memset(p, 0, total);
	return p;
}

void *realloc(void *ptr, size_t size)
{
	size_t room;
	void *p;

	if (!ptr)
		return malloc(size);
	if (!size) {
		free(ptr);
		return NULL;
	}
	room = header_of(ptr)->size - sizeof(struct header);
	if (size <= room)
		return ptr;
	p = malloc(size);
	if (p) {
		memcpy(p, ptr, room);
		free(ptr);
	}
	return p;
}
