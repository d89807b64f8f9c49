// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of lwkexec's checks (proxy/lwkexec/service_check.c): the mirror
 * and pointer checks, request validation, --cores parsing and the staging
 * layout, and which files the program may not reopen (service_identity.c).
 * The mirror is real memory mapped inside the LWK layout, so the string
 * and iovec checks read what they check. Built with lwkexec's sources
 * (all but its main) into the host unit tests (tests/rules.mk).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uapi/lwk/layout.h>
#include "htest.h"
#include "service.h"
#include "values.h"

#define PAGE 4096ull
#define BASE (LWK_ARENA_BASE + 0x10000000ull) /* where the test mirror lives */

/* Four pages at BASE: rw, r, (hole), rw; then an rw piece touching the
 * last one. */
static struct svc_maps maps;
static char *mem;

static int mirror_map(void)
{
	const struct lwk_chan_map src[] = {
		{ BASE + 4 * PAGE, PAGE, 0, PROT_READ | PROT_WRITE, 0 },
		{ BASE, PAGE, 0, PROT_READ | PROT_WRITE, 0 },
		{ BASE + PAGE, PAGE, 0, PROT_READ, 0 },
		{ BASE + 3 * PAGE, PAGE, 0, PROT_READ | PROT_WRITE, 0 },
	};
	char err[200];

	mem = mmap((void *)BASE, 5 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (mem != (char *)BASE) {
		printf("cannot map test memory at 0x%llx\n", BASE);
		return -1;
	}
	if (svc_maps_build(&maps, src, 4, err, sizeof(err))) {
		printf("svc_maps_build: %s\n", err);
		return -1;
	}
	return 0;
}

/* Every test reads the mirror: it is mapped by the first that runs. A
 * mirror that cannot be made fails that test and every later one. */
static bool mirror_ready(void)
{
	static int state; /* 0: not tried, 1: mapped, -1: failed */

	if (!state)
		state = mirror_map() ? -1 : 1;
	EXPECT(state == 1);
	return state == 1;
}

HTEST(lwkexec, maps_sorted)
{
	if (!mirror_ready())
		return;
	EXPECT(maps.n == 4);
	for (unsigned int i = 1; i < maps.n; i++)
		EXPECT(maps.v[i - 1].end <= maps.v[i].va);
}

HTEST(lwkexec, maps_bad_entries_refused)
{
	const struct lwk_chan_map bad[][2] = {
		{ { BASE + 1, PAGE, 0, 3, 0 } },	    /* unaligned */
		{ { BASE, 0, 0, 3, 0 } },		    /* empty */
		{ { 0x1000, PAGE, 0, 3, 0 } },		    /* below the layout */
		{ { LWK_USER_END, PAGE, 0, 3, 0 } },	    /* above it */
		{ { ~0ull & ~(PAGE - 1), PAGE, 0, 3, 0 } }, /* wraps */
		{ { BASE, 2 * PAGE, 0, 3, 0 }, { BASE + PAGE, PAGE, 0, 3, 0 } }, /* overlap */
	};
	char err[200];

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct svc_maps m;

		err[0] = '\0';
		EXPECT(svc_maps_build(&m, bad[i], bad[i][1].size ? 2 : 1, err, sizeof(err)) ==
		       -EINVAL);
		EXPECT(strstr(err, "the LWK sent") != NULL);
	}
}

HTEST(lwkexec, range_checks)
{
	if (!mirror_ready())
		return;
	EXPECT(svc_range_ok(&maps, BASE, PAGE, 1));
	EXPECT(svc_range_ok(&maps, BASE + 10, 100, 0));
	EXPECT(svc_range_ok(&maps, BASE, 2 * PAGE, 0));	 /* rw then r: readable */
	EXPECT(!svc_range_ok(&maps, BASE, 2 * PAGE, 1)); /* but not writable */
	EXPECT(!svc_range_ok(&maps, BASE + PAGE, 1, 1));
	EXPECT(!svc_range_ok(&maps, BASE + PAGE, 2 * PAGE, 0)); /* into the hole */
	EXPECT(!svc_range_ok(&maps, BASE + 2 * PAGE, 1, 0));
	EXPECT(svc_range_ok(&maps, BASE + 3 * PAGE + 8, 2 * PAGE - 8, 1)); /* touching pieces */
	EXPECT(!svc_range_ok(&maps, BASE + 3 * PAGE, 2 * PAGE + 1, 1));	   /* one past the end */
	EXPECT(!svc_range_ok(&maps, BASE - 1, 2, 0));
	EXPECT(!svc_range_ok(&maps, BASE + 8, ~0ull, 0));     /* wraps */
	EXPECT(svc_range_ok(&maps, 0, 0, 1));		      /* empty: never touched */
	EXPECT(!svc_range_ok(&maps, (uintptr_t)&maps, 8, 0)); /* lwkexec's own memory */
}

HTEST(lwkexec, string_checks)
{
	char *last;

	if (!mirror_ready())
		return;
	last = mem + 5 * PAGE;
	strcpy(mem + 100, "/etc/passwd");
	EXPECT(svc_str_check(&maps, BASE + 100, PATH_MAX) == 11);
	/* across touching pieces */
	memset(mem + 3 * PAGE, 'a', PAGE);
	strcpy(mem + 4 * PAGE, "bc");
	EXPECT(svc_str_check(&maps, BASE + 4 * PAGE - 3, PATH_MAX) == 5);
	EXPECT(svc_str_check(&maps, BASE + 3 * PAGE, 2 * PAGE) == (int64_t)PAGE + 2);
	EXPECT(svc_str_check(&maps, BASE + 3 * PAGE, PATH_MAX) == -ENAMETOOLONG);
	EXPECT(svc_str_check(&maps, BASE + 3 * PAGE, 100) == -ENAMETOOLONG);
	/* no NUL before the mirror ends */
	memset(last - 10, 'x', 10);
	EXPECT(svc_str_check(&maps, BASE + 5 * PAGE - 10, PATH_MAX) == -EFAULT);
	/* into the hole; outside; in a read-only piece it is fine */
	memset(mem + PAGE, 'y', PAGE);
	EXPECT(svc_str_check(&maps, BASE + PAGE + 5, PATH_MAX) == -EFAULT);
	EXPECT(svc_str_check(&maps, BASE + 2 * PAGE, PATH_MAX) == -EFAULT);
	mem[PAGE + 50] = '\0';
	EXPECT(svc_str_check(&maps, BASE + PAGE + 5, PATH_MAX) == 45);
	EXPECT(svc_str_check(&maps, (uintptr_t) "host", PATH_MAX) == -EFAULT);
}

HTEST(lwkexec, iovec_checks)
{
	struct iovec *iov, out[IOV_MAX];

	if (!mirror_ready())
		return;
	iov = (struct iovec *)(mem + 3 * PAGE);
	iov[0] = (struct iovec){ mem, 100 };
	iov[1] = (struct iovec){ mem + 4 * PAGE, PAGE };
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 2, 1, out) == 0);
	EXPECT(out[1].iov_base == mem + 4 * PAGE && out[1].iov_len == PAGE);
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 0, 1, out) == 0);
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, IOV_MAX + 1, 1, out) == -EINVAL);
	iov[1].iov_base = mem + PAGE; /* read-only: fine to write from, not to read into */
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 2, 0, out) == 0);
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 2, 1, out) == -EFAULT);
	iov[1].iov_base = &maps; /* lwkexec's own memory */
	iov[1].iov_len = 8;
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 2, 0, out) == -EFAULT);
	iov[1] = (struct iovec){ mem, (size_t)1 << 63 };
	EXPECT(svc_iov_copy(&maps, (uintptr_t)iov, 2, 0, out) == -EINVAL);
	EXPECT(svc_iov_copy(&maps, BASE + 2 * PAGE, 1, 0, out) == -EFAULT); /* array in the hole */
	EXPECT(svc_iov_copy(&maps, BASE + 5 * PAGE - 8, 1, 0, out) == -EFAULT); /* runs off */
}

static struct lwk_chan_req good_req(void)
{
	struct lwk_chan_req r = { 0 };

	r.hdr = (struct lwk_msg_hdr){
		LWK_MSG_MAGIC, LWK_ABI_VERSION, LWK_MSG_SYSCALL, sizeof(r), 7, 0
	};
	r.pid = 42;
	r.nr = 0;
	return r;
}

HTEST(lwkexec, request_checks)
{
	struct lwk_chan_req r = good_req();

	EXPECT(svc_req_check(&r, 42) == SVC_OK);
	EXPECT(svc_req_check(&r, 43) == SVC_BAD_PID);
	r.hdr.magic = 0x1234;
	EXPECT(svc_req_check(&r, 42) == SVC_BAD_MAGIC);
	r = good_req();
	r.hdr.abi_version = LWK_ABI_VERSION + 1;
	EXPECT(svc_req_check(&r, 42) == SVC_BAD_ABI);
	r = good_req();
	r.hdr.type = LWK_MSG_RESULT;
	EXPECT(svc_req_check(&r, 42) == SVC_BAD_TYPE);
	r = good_req();
	r.hdr.size = 64;
	EXPECT(svc_req_check(&r, 42) == SVC_BAD_SIZE);
	for (int k = SVC_OK; k < SVC_BAD_KINDS; k++)
		EXPECT(strcmp(svc_bad_name(k), "?") != 0);
	EXPECT(!strcmp(svc_bad_name(SVC_BAD_KINDS), "?"));
}

HTEST(lwkexec, service_table)
{
	const char *name;

	EXPECT(svc_table_lookup(0, &name) != NULL && !strcmp(name, "read"));
	EXPECT(svc_table_lookup(9, &name) == NULL && !strcmp(name, "mmap")); /* LOCAL */
	EXPECT(svc_table_lookup(57, &name) == NULL);			     /* fork: never */
	EXPECT(svc_table_lookup(100000, &name) == NULL && !strcmp(name, "?"));
}

HTEST(lwkexec, cores_parsing)
{
	uint64_t mask[LWK_CHAN_MAX_CPUS / 64];
	unsigned int n;
	char err[200];
	const char *bad[] = { "",     "0",  "a",   "1-", "-1",	"5-3",
			      "1,,2", "1,", "300", "2x", "256", "1-256" };

	EXPECT(values_cores("3", &n, mask, err, sizeof(err)) == 0 && n == 3 && !mask[0]);
	EXPECT(values_cores("1,2,5-7", &n, mask, err, sizeof(err)) == 0 && n == 0 &&
	       mask[0] == 0xe6);
	EXPECT(values_cores("3-3", &n, mask, err, sizeof(err)) == 0 && mask[0] == 8);
	EXPECT(values_cores("64,255", &n, mask, err, sizeof(err)) == 0 && mask[1] == 1 &&
	       mask[3] == 1ull << 63);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		EXPECT(values_cores(bad[i], &n, mask, err, sizeof(err)) == -EINVAL);
		EXPECT(err[0] != '\0');
	}
}

/* Each refusal says what is wrong with what was given. */
HTEST(lwkexec, cores_refusals_say_what_is_wrong)
{
	static const struct {
		const char *given, *says;
	} cases[] = {
		{ "5-3", "5-3: the range 5-3 runs backwards; write it 3-5" },
		{ "1,7-2", "1,7-2: the range 7-2 runs backwards; write it 2-7" },
		{ "1-256", "1-256: core 256 does not exist: cores are numbered 0 to 255" },
		{ "300-1", "300-1: core 300 does not exist: cores are numbered 0 to 255" },
		{ "0", "0: a process needs at least one core; give a count like 2 or a list "
		       "like 1,3-4" },
		{ "256", "256: a process can have at most 255 cores" },
		{ "2x", "'2x' is not a core count or a list like 1,2,5-7" },
		{ "1,,2", "'1,,2' is not a core count or a list like 1,2,5-7" },
	};
	uint64_t mask[LWK_CHAN_MAX_CPUS / 64];
	unsigned int n;
	char err[200];

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		EXPECT(values_cores(cases[i].given, &n, mask, err, sizeof(err)) == -EINVAL);
		if (strcmp(err, cases[i].says))
			printf("  --cores %s: got \"%s\"\n", cases[i].given, err);
		EXPECT(!strcmp(err, cases[i].says));
	}
}

HTEST(lwkexec, staging_layout)
{
	struct svc_staging st;

	svc_staging_layout(&st, 5000, 0, 20, 4096);
	EXPECT(st.image_off == 0 && st.interp_off == 8192 && st.argv_off == 8192);
	EXPECT(st.envp_off == 12288 && st.maps_off == 16384);
	EXPECT(st.size - st.maps_off >= SVC_MAX_MAPS * sizeof(struct lwk_chan_map));
	EXPECT(st.size % PAGE == 0);
}

HTEST(lwkexec, reserved_fds)
{
	struct svc s = { .reserved_fds = { 1000, 1001 }, .nreserved = 2 };

	EXPECT(svc_fd_reserved(&s, 1000) && svc_fd_reserved(&s, 1001));
	EXPECT(!svc_fd_reserved(&s, 1) && !svc_fd_reserved(&s, -100));
}

/* The program may not reopen lwkexec's private files by any path, but
 * may open the user's own file that lwkexec keeps a copy of stderr on. */
HTEST(lwkexec, private_files_refused_user_stderr_not)
{
	char path[] = "/tmp/lwkexec-unit.XXXXXX";
	int kept = mkstemp(path), again = open(path, O_RDONLY), other = open("/dev/null", O_RDONLY);
	struct svc s = { .reserved_fds = { 1000, kept }, .nreserved = 2 };

	EXPECT(kept >= 0 && again >= 0 && other >= 0);
	EXPECT(ident_fd_refused(&s, again));  /* a private object */
	EXPECT(!ident_fd_refused(&s, other)); /* another file */
	s.user_files = 1u << 1;		      /* the user's stderr file */
	EXPECT(!ident_fd_refused(&s, again));
	s.user_files = 1u << 0; /* another slot's flag does not count */
	EXPECT(ident_fd_refused(&s, again));
	unlink(path);
	close(kept);
	close(again);
	close(other);
}

/* A control buffer: one SCM_RIGHTS header of @len bytes with @fd. */
static size_t control_one(char *buf, size_t len, int fd)
{
	struct cmsghdr h = { .cmsg_len = len, .cmsg_level = SOL_SOCKET, .cmsg_type = SCM_RIGHTS };

	memset(buf, 0, 64);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + CMSG_LEN(0), &fd, sizeof(fd));
	return CMSG_SPACE(sizeof(int));
}

HTEST(lwkexec, sendmsg_control_data)
{
	struct svc s = { .reserved_fds = { 1000 }, .nreserved = 1 };
	char buf[128];
	size_t n;

	n = control_one(buf, CMSG_LEN(sizeof(int)), 3);
	EXPECT(svc_control_check(&s, buf, n) == 0);
	n = control_one(buf, CMSG_LEN(sizeof(int)), 1000);
	EXPECT(svc_control_check(&s, buf, n) == -EBADF);
	control_one(buf, 0, 1000); /* cmsg_len 0 in 16 bytes of control */
	EXPECT(svc_control_check(&s, buf, 16) == -EINVAL);
	control_one(buf, CMSG_LEN(0) - 1, 3);
	EXPECT(svc_control_check(&s, buf, 16) == -EINVAL);
	control_one(buf, 4096, 3); /* longer than the control data */
	EXPECT(svc_control_check(&s, buf, 24) == -EINVAL);
	control_one(buf, 25, 3);
	EXPECT(svc_control_check(&s, buf, 24) == -EINVAL);
	EXPECT(svc_control_check(&s, buf, 8) == 0); /* shorter than a header: ignored */
	/* two headers, the second one lying about its length */
	n = control_one(buf, CMSG_LEN(sizeof(int)), 3);
	control_one(buf + n, 200, 3);
	EXPECT(svc_control_check(&s, buf, 2 * n) == -EINVAL);
	control_one(buf + n, CMSG_LEN(sizeof(int)), 1000);
	EXPECT(svc_control_check(&s, buf, 2 * n) == -EBADF);
}

/* svc_bounce_io (sys_file.c): a write gathers odd-sized buffers into
 * SVC_BOUNCE_MAX pieces and goes on through all of them; a read fills one
 * piece at most and scatters it; both move a given offset along. */
HTEST(lwkexec, bounce_io_gathers_and_scatters)
{
	static const size_t wsplit[] = { 1, 4095, 700000, 0, SVC_BOUNCE_MAX, 3, 900001 };
	static const size_t rsplit[] = { 5, 0, 1048000, 999999 };
	enum { NW = sizeof(wsplit) / sizeof(wsplit[0]), NR = sizeof(rsplit) / sizeof(rsplit[0]) };
	struct iovec wv[NW], rv[NR];
	size_t total = 0, at = 0;
	char path[] = "/tmp/lwk-bounce-XXXXXX", *want, *got;
	int fd = mkstemp(path);

	EXPECT(fd >= 0);
	if (fd < 0)
		return;
	unlink(path);
	for (int i = 0; i < NW; i++)
		total += wsplit[i];
	want = malloc(total);
	got = calloc(1, total);
	EXPECT(want && got);
	if (!want || !got)
		return;
	for (size_t i = 0; i < total; i++)
		want[i] = (char)(i * 7 + i / 4099);
	for (int i = 0; i < NW; i++) {
		wv[i] = (struct iovec){ malloc(wsplit[i] + 1), wsplit[i] };
		memcpy(wv[i].iov_base, want + at, wsplit[i]);
		at += wsplit[i];
	}
	/* at offset 100, past the position (which stays 0) */
	EXPECT_EQ(svc_bounce_io(fd, wv, NW, 100, 0, 1), (int64_t)total);
	EXPECT_EQ(pread(fd, got, total, 100), (ssize_t)total);
	EXPECT_EQ(memcmp(got, want, total), 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 0);
	/* a read from the position: one piece, scattered in order */
	EXPECT_EQ(lseek(fd, 100 + 3, SEEK_SET), 103);
	at = 0;
	for (int i = 0; i < NR; i++)
		rv[i] = (struct iovec){ got + at, rsplit[i] }, at += rsplit[i];
	memset(got, 0, total);
	EXPECT_EQ(svc_bounce_io(fd, rv, NR, -1, 0, 0), (int64_t)SVC_BOUNCE_MAX);
	EXPECT_EQ(memcmp(got, want + 3, SVC_BOUNCE_MAX), 0);
	EXPECT_EQ(got[SVC_BOUNCE_MAX], 0);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), 103 + SVC_BOUNCE_MAX);
	/* the end of the file: a short read, then 0 */
	EXPECT_EQ(svc_bounce_io(fd, rv, NR, (off_t)(100 + total - 10), 0, 0), 10);
	EXPECT_EQ(memcmp(got, want + total - 10, 10), 0);
	EXPECT_EQ(svc_bounce_io(fd, rv, NR, (off_t)(100 + total), 0, 0), 0);
	/* errors come back as -errno */
	EXPECT_EQ(svc_bounce_io(-1, rv, NR, -1, 0, 0), -EBADF);
	for (int i = 0; i < NW; i++)
		free(wv[i].iov_base);
	free(want);
	free(got);
	close(fd);
}
