// SPDX-License-Identifier: GPL-2.0-only
/*
 * Partition records: lwkctl boot writes one per partition into the state
 * directory; lwkctl and lwkexec find a partition by name (or the only one
 * running), check that its QEMU is alive, and map its channel.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uapi/lwk/channel.h>
#include <uapi/lwk/log.h>
#include "partition.h"

#define RECORD_FILE "partition"
#define NO_PARTITION_MSG "no LWK partition is running; start one with 'lwkctl boot --vm'"
#define NO_PARTITION_DEV_MSG \
	NO_PARTITION_MSG ", or beside Linux (root) with 'lwkctl boot --cpus LIST --mem SIZE'"
#define MAX_LISTED 16
#define SHM_DIR "/dev/shm"
#define BELONGS_MSG                                                                       \
	"partition '%s' belongs to %s: only its owner can run programs on it, see it or " \
	"shut it down; boot one of your own with 'lwkctl boot --vm --name %s'"

/* Where the state directory is: $XDG_RUNTIME_DIR/lwk, else /run/lwk for
 * root and a private /tmp/lwk-UID for anyone else (who may not write
 * /run). Only 'lwkctl boot' creates it. */
static int state_dir_path(char *out, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (xdg && *xdg)
		n = snprintf(out, len, "%s/lwk", xdg);
	else if (geteuid() == 0)
		n = snprintf(out, len, "/run/lwk");
	else
		n = snprintf(out, len, "/tmp/lwk-%u", (unsigned int)geteuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

void partition_user_name(uid_t uid, char *out, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(out, len, "user %s (uid %u)", pw->pw_name, (unsigned int)uid);
	else
		snprintf(out, len, "uid %u", (unsigned int)uid);
}

/* The records steer lwkctl and lwkexec, and lwkexec acts as its user for
 * the program it serves: trust only a directory of this user's that
 * nobody else may write. @repair makes one that others may read private
 * (lwkctl before 2026-12 made them 0755). */
static int state_dir_trust(const char *dir, int repair, char *err, size_t errlen)
{
	struct stat st, target;
	char owner[96];
	int e;

	if (lstat(dir, &st)) {
		e = errno;
		snprintf(err, errlen, "cannot use the LWK state directory %s: %s", dir,
			 strerror(e));
		return -e;
	}
	if (S_ISLNK(st.st_mode) && !stat(dir, &target) && target.st_uid != geteuid())
		st.st_uid = target.st_uid; /* say whose directory it leads to */
	if (st.st_uid != geteuid()) {
		partition_user_name(st.st_uid, owner, sizeof(owner));
		snprintf(
		    err, errlen,
		    "the LWK state directory %s belongs to %s, not to you; set XDG_RUNTIME_DIR "
		    "to a directory of your own (or have root remove it)",
		    dir, owner);
		return -EPERM;
	}
	if (!S_ISDIR(st.st_mode)) { /* a symbolic link, which its owner may change */
		snprintf(err, errlen, "the LWK state directory %s is not a directory; remove it",
			 dir);
		return -ENOTDIR;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "the LWK state directory %s is writable by other users; make it private "
			 "with 'chmod 700 %s'",
			 dir, dir);
		return -EPERM;
	}
	if (repair && (st.st_mode & 077) && chmod(dir, 0700)) {
		e = errno;
		snprintf(err, errlen, "cannot make the LWK state directory %s private: %s", dir,
			 strerror(e));
		return -e;
	}
	return 0;
}

int partition_state_dir_make(char *out, size_t len, char *err, size_t errlen)
{
	int r = state_dir_path(out, len);

	if (r) {
		snprintf(err, errlen,
			 "the LWK state directory's path is too long; set XDG_RUNTIME_DIR to a "
			 "shorter one");
		return r;
	}
	if (mkdir(out, 0700) && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "cannot make the LWK state directory %s: %s", out,
			 strerror(-r));
		return r;
	}
	return state_dir_trust(out, 1, err, errlen);
}

int partition_state_dir(char *out, size_t len)
{
	char err[PATH_MAX + 200];

	return partition_state_dir_make(out, len, err, sizeof(err));
}

int partition_mem_path(const char *name, char *out, size_t len)
{
	int n = snprintf(out, len, SHM_DIR "/lwk-%u-%s-mem", (unsigned int)geteuid(), name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

enum field_type { FIELD_STR, FIELD_U64, FIELD_PID, FIELD_CPUS };

struct record_field {
	const char *key;
	enum field_type type;
	size_t off, size;
	int required;
};

#define FIELD(key, type, member, required)                            \
	{                                                             \
		key, type, offsetof(struct partition, member),        \
		    sizeof(((struct partition *)0)->member), required \
	}

static const struct record_field record_fields[] = {
	FIELD("name", FIELD_STR, name, 1),
	FIELD("kind", FIELD_STR, kind, 1),
	FIELD("qemu-pid", FIELD_PID, qemu_pid, 1),
	FIELD("mem-path", FIELD_STR, mem_path, 1),
	FIELD("mem-size", FIELD_U64, mem_size, 1),
	FIELD("low-ram", FIELD_U64, low_ram, 1),
	FIELD("channel-base", FIELD_U64, chan_base, 1),
	FIELD("channel-size", FIELD_U64, chan_size, 1),
	FIELD("cpus", FIELD_CPUS, cpus, 1),
	FIELD("console", FIELD_STR, console, 0),
};

#define NFIELDS (sizeof(record_fields) / sizeof(record_fields[0]))

/* One "key value" line into @p; unknown keys are skipped so that a newer
 * lwkctl's records still load. -1 for a value that does not fit. */
static int record_set(struct partition *p, const char *key, const char *val, unsigned *seen)
{
	const struct record_field *f = record_fields;
	char *field, *end;
	unsigned long long v;

	while (f < record_fields + NFIELDS && strcmp(key, f->key))
		f++;
	if (f == record_fields + NFIELDS)
		return 0;
	*seen |= 1u << (f - record_fields);
	field = (char *)p + f->off;
	if (f->type == FIELD_STR)
		return snprintf(field, f->size, "%s", val) < (int)f->size ? 0 : -1;
	errno = 0;
	v = strtoull(val, &end, 0);
	if (!*val || *end || errno)
		return -1;
	if (f->type == FIELD_U64)
		*(uint64_t *)field = v;
	else if (f->type == FIELD_PID && v > 0 && v <= INT32_MAX)
		*(int *)field = (int)v;
	else if (f->type == FIELD_CPUS && v > 0 && v <= LWK_CHAN_MAX_CPUS)
		*(unsigned int *)field = (unsigned int)v;
	else
		return -1;
	return 0;
}

static int record_complete(unsigned int seen)
{
	for (unsigned int i = 0; i < NFIELDS; i++)
		if (record_fields[i].required && !(seen & 1u << i))
			return 0;
	return 1;
}

int partition_load(const char *dir, struct partition *p, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], line[PATH_MAX + 64];
	unsigned int seen = 0, lineno = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	p->tr.fd = -1;
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/" RECORD_FILE, dir);
	f = fopen(path, "r");
	if (!f) {
		int e = errno;

		snprintf(err, errlen, "cannot read the partition record %s: %s", path, strerror(e));
		return -e;
	}
	while (fgets(line, sizeof(line), f)) {
		char *sp, *val;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (!*line || *line == '#')
			continue;
		sp = strchr(line, ' ');
		val = sp ? sp + 1 : NULL;
		if (sp)
			*sp = '\0';
		if (!val || record_set(p, line, val, &seen)) {
			snprintf(err, errlen,
				 "%s:%u: malformed line; remove the record's directory", path,
				 lineno);
			fclose(f);
			return -EINVAL;
		}
	}
	fclose(f);
	if (!record_complete(seen) || !p->chan_size) {
		snprintf(err, errlen, "%s is incomplete; remove the record's directory", path);
		return -EINVAL;
	}
	return 0;
}

/* A new file for the record, readable by its owner only (the records
 * name the memory file and the QEMU pid of a partition). */
static FILE *record_create(const char *path)
{
	FILE *f;
	int fd;

	unlink(path); /* left by a lwkctl that died with our pid */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
	}
	return f;
}

int partition_save(const struct partition *p, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 32];
	FILE *f;
	int e;

	if (mkdir(p->dir, 0700) && errno != EEXIST)
		goto fail_dir;
	snprintf(path, sizeof(path), "%s/" RECORD_FILE, p->dir);
	snprintf(tmp, sizeof(tmp), "%s/." RECORD_FILE ".%d", p->dir, (int)getpid());
	f = record_create(tmp);
	if (!f)
		goto fail_dir;
	fprintf(f,
		"name %s\nkind %s\nqemu-pid %d\nmem-path %s\nmem-size %" PRIu64 "\nlow-ram %" PRIu64
		"\nchannel-base 0x%" PRIx64 "\nchannel-size 0x%" PRIx64 "\ncpus %u\nconsole %s\n",
		p->name, p->kind, p->qemu_pid, p->mem_path, p->mem_size, p->low_ram, p->chan_base,
		p->chan_size, p->cpus, p->console);
	if (fflush(f) || fsync(fileno(f))) {
		e = errno;
		fclose(f);
		unlink(tmp);
		errno = e;
		goto fail_dir;
	}
	if (fclose(f) || rename(tmp, path)) {
		e = errno;
		unlink(tmp);
		errno = e;
		goto fail_dir;
	}
	return 0;
fail_dir:
	e = errno;
	snprintf(err, errlen, "cannot write the partition record in %s: %s", p->dir, strerror(e));
	return -e;
}

/* Names become directory and file names: keep them to a safe alphabet. */
static int name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= sizeof(((struct partition *)0)->name) || name[0] == '.' || name[0] == '-')
		return 0;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

struct name_list {
	char names[MAX_LISTED][64];
	int count; /* may exceed MAX_LISTED: only the first are kept */
};

/* The partitions with a record in @state. */
static int list_records(const char *state, struct name_list *l)
{
	char path[PATH_MAX + 300];
	struct dirent *d;
	DIR *dir = opendir(state);

	l->count = 0;
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (!name_valid(d->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/" RECORD_FILE, state, d->d_name);
		if (access(path, F_OK))
			continue;
		if (l->count < MAX_LISTED)
			snprintf(l->names[l->count], sizeof(l->names[0]), "%.63s", d->d_name);
		l->count++;
	}
	closedir(dir);
	return 0;
}

static void list_join(const struct name_list *l, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < l->count && i < MAX_LISTED && used < len; i++)
		used += snprintf(out + used, len - used, "%s%s", i ? ", " : "", l->names[i]);
	if (l->count > MAX_LISTED && used < len)
		snprintf(out + used, len - used, ", ...");
}

static int load_named(const char *state, const char *name, struct partition *p, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX];

	if (snprintf(dir, sizeof(dir), "%s/%s", state, name) >= (int)sizeof(dir)) {
		snprintf(err, errlen,
			 "the LWK state directory's path is too long; set XDG_RUNTIME_DIR to a "
			 "shorter one");
		return -ENAMETOOLONG;
	}
	return partition_load(dir, p, err, errlen);
}

/* Of several records, the one whose QEMU is alive, if exactly one is. */
static int pick_alive(const char *state, const struct name_list *l, struct partition *p)
{
	char ignore[256];
	int found = -1;

	for (int i = 0; i < l->count && i < MAX_LISTED; i++) {
		if (load_named(state, l->names[i], p, ignore, sizeof(ignore)) ||
		    !partition_alive(p))
			continue;
		if (found >= 0)
			return -1;
		found = i;
	}
	if (found < 0)
		return -1;
	return load_named(state, l->names[found], p, ignore, sizeof(ignore));
}

/* Whose partition @name is, when another user runs one: its memory file
 * /dev/shm/lwk-UID-NAME-mem is in plain sight, and only that user (or
 * root) can have made a file of theirs there. -1 if nobody's. */
static long foreign_owner(const char *name)
{
	char want[80];
	struct dirent *d;
	struct stat st;
	DIR *dir = opendir(SHM_DIR);
	long uid = -1;

	snprintf(want, sizeof(want), "-%s-mem", name);
	while (dir && uid < 0 && (d = readdir(dir))) {
		unsigned long u;
		char *end;

		if (strncmp(d->d_name, "lwk-", 4) || d->d_name[4] < '0' || d->d_name[4] > '9')
			continue;
		u = strtoul(d->d_name + 4, &end, 10);
		if (strcmp(end, want) || u == geteuid() ||
		    fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) || st.st_uid != u)
			continue;
		uid = (long)u;
	}
	if (dir)
		closedir(dir);
	return uid;
}

/* No record of ours called @name: say whose it is, if it is anyone's. */
static int not_ours(const char *name, char *err, size_t errlen)
{
	long uid = foreign_owner(name);
	char owner[96];

	if (uid < 0) {
		snprintf(err, errlen,
			 "no LWK partition named '%s' is running; start it with 'lwkctl boot --vm "
			 "--name %s'",
			 name, name);
		return -ENOENT;
	}
	partition_user_name((uid_t)uid, owner, sizeof(owner));
	snprintf(err, errlen, BELONGS_MSG, name, owner, name);
	return -EPERM;
}

/* A record of ours names a memory file: it must be ours too. The LWK
 * behind it drives whoever serves its programs, so using someone else's
 * partition would hand them our rights. */
static int owner_check(const struct partition *p, char *err, size_t errlen)
{
	char owner[96];
	struct stat st;

	if (lstat(p->mem_path, &st))
		return 0; /* gone with its QEMU: nothing of anyone's to reach */
	if (st.st_uid != geteuid()) {
		partition_user_name(st.st_uid, owner, sizeof(owner));
		snprintf(err, errlen, BELONGS_MSG, p->name, owner, p->name);
		return -EPERM;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "%s: its memory file %s is not a regular file; remove it and the record's "
			 "directory %s",
			 p->name, p->mem_path, p->dir);
		return -EINVAL;
	}
	return 0;
}

static int find_named(const char *state, const char *name, struct partition *p, char *err,
		      size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];

	if (!name_valid(name)) {
		snprintf(err, errlen,
			 "'%s' is not a partition name (letters, digits, '.', '_' and '-', at "
			 "most 63)",
			 name);
		return -EINVAL;
	}
	if (snprintf(dir, sizeof(dir), "%s/%s", state, name) >= (int)sizeof(dir)) {
		snprintf(err, errlen,
			 "the LWK state directory's path is too long; set XDG_RUNTIME_DIR to a "
			 "shorter one");
		return -ENAMETOOLONG;
	}
	snprintf(path, sizeof(path), "%s/" RECORD_FILE, dir);
	if (access(path, F_OK))
		return not_ours(name, err, errlen);
	return partition_load(dir, p, err, errlen);
}

/* The partition lwk.ko holds as a struct partition. */
static void dev_fill(struct partition *p, const struct lwk_ioc_info *info)
{
	memset(p, 0, sizeof(*p));
	p->tr.fd = -1;
	snprintf(p->name, sizeof(p->name), "%s", info->name);
	snprintf(p->kind, sizeof(p->kind), "partition");
	p->mem_size = info->mem;
	p->chan_base = info->chan_base;
	p->chan_size = info->chan_size;
	p->cpus = info->ncpus;
	p->owner_uid = info->owner_uid;
	p->doorbell_vector = info->doorbell_vector;
	memcpy(p->linux_cpu, info->linux_cpu, sizeof(p->linux_cpu));
}

/* The partition-mode partition, if the module is loaded and holds one:
 * 1 and @p filled; 0: none, or no module; -errno with a reason in @err
 * when /dev/lwk is there but will not answer (not ours to open, another
 * ABI), which matters only if no VM partition is found either. */
static int dev_find(struct partition *p, char *err, size_t errlen)
{
	struct lwk_ioc_info info;
	struct transport t;
	int r;

	err[0] = '\0';
	if (access(LWK_DEV_PATH, F_OK))
		return 0;
	r = transport_dev_open(&t, err, errlen);
	if (!r) {
		r = transport_dev_info(&t, &info, err, errlen);
		transport_close(&t);
	}
	if (r)
		return r == -ENOENT ? 0 : r;
	if (info.state == LWK_DEV_STATE_NONE)
		return 0;
	dev_fill(p, &info);
	return 1;
}

/* Of VM records and the module's partition, the one to use when none is
 * named: the module's if no VM partition is alive. */
static int dev_or_vm(const char *state, const struct name_list *l, const struct partition *dev,
		     struct partition *p, char *err, size_t errlen)
{
	char names[MAX_LISTED * 66 + 8], ignore[256];
	int alive = 0;

	for (int i = 0; i < l->count && i < MAX_LISTED; i++)
		alive += !load_named(state, l->names[i], p, ignore, sizeof(ignore)) &&
			 partition_alive(p);
	if (!alive) {
		*p = *dev;
		return 0;
	}
	list_join(l, names, sizeof(names));
	snprintf(err, errlen,
		 "%d LWK partitions are running (%s and %s beside Linux); choose one with "
		 "--partition NAME (lwkexec), --name NAME (lwkctl) or LWK_PARTITION=NAME",
		 alive + 1, names, dev->name);
	return -EINVAL;
}

static int find_record(const char *name, struct partition *p, char *err, size_t errlen)
{
	char state[PATH_MAX], names[MAX_LISTED * 66 + 8], deverr[512];
	struct partition dev;
	struct name_list l;
	int r, has_dev;

	has_dev = dev_find(&dev, deverr, sizeof(deverr));
	if (!name || !*name)
		name = getenv("LWK_PARTITION");
	if (has_dev == 1 && name && *name && !strcmp(name, dev.name)) {
		*p = dev;
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->tr.fd = -1;
	r = state_dir_path(state, sizeof(state));
	if (r) {
		snprintf(err, errlen,
			 "the LWK state directory's path is too long; set XDG_RUNTIME_DIR to a "
			 "shorter one");
		return r;
	}
	r = state_dir_trust(state, 0, err, errlen);
	if (r && r != -ENOENT && has_dev == 1 && !(name && *name)) {
		*p = dev; /* a state directory in a bad way: the module's is fine */
		return 0;
	}
	if (r && r != -ENOENT) /* none: no 'lwkctl boot' made it */
		return r;
	if (name && *name) {
		r = find_named(state, name, p, err, errlen);
		if (r == -ENOENT && has_dev < 0)
			snprintf(err + strlen(err), errlen - strlen(err), " (%s)", deverr);
		return r;
	}
	r = list_records(state, &l);
	if (r == -ENOENT || r == -EACCES) /* no 'lwkctl boot' made it (for us) */
		r = 0;
	if (r) {
		snprintf(err, errlen, "cannot read the LWK state directory %s: %s", state,
			 strerror(-r));
		return r;
	}
	if (has_dev == 1)
		return dev_or_vm(state, &l, &dev, p, err, errlen);
	if (l.count == 0 && has_dev < 0) {
		snprintf(err, errlen, "%s", deverr);
		return has_dev;
	}
	if (l.count == 0) {
		snprintf(err, errlen, "%s",
			 access(LWK_DEV_PATH, F_OK) ? NO_PARTITION_MSG : NO_PARTITION_DEV_MSG);
		return -ENOENT;
	}
	if (l.count == 1)
		return load_named(state, l.names[0], p, err, errlen);
	if (!pick_alive(state, &l, p))
		return 0;
	list_join(&l, names, sizeof(names));
	snprintf(err, errlen,
		 "%d LWK partitions are running (%s); choose one with --partition NAME "
		 "(lwkexec), --name NAME (lwkctl) or LWK_PARTITION=NAME",
		 l.count, names);
	return -EINVAL;
}

int partition_find(const char *name, struct partition *p, char *err, size_t errlen)
{
	int r = find_record(name, p, err, errlen);

	return r ? r : owner_check(p, err, errlen);
}

/* Is @pid a process whose command line names @needle? A reused pid runs
 * something else; a zombie (our own unreaped QEMU) has an empty one. */
static int cmdline_mentions(int pid, const char *needle)
{
	char path[64], buf[8192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES || errno == EMFILE ||
		       errno == ENFILE; /* cannot tell: trust kill() */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	for (ssize_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* The module still holds a partition of that name (a shutdown and a
 * new boot under the same name in between is not told apart). */
static int dev_alive(const struct partition *p)
{
	struct lwk_ioc_info info;
	struct transport t = p->tr;
	char err[256];

	if (t.fd < 0 && transport_dev_open(&t, err, sizeof(err)))
		return 0;
	if (transport_dev_info(&t, &info, err, sizeof(err)))
		info.state = LWK_DEV_STATE_NONE;
	if (t.fd != p->tr.fd)
		transport_close(&t);
	return info.state != LWK_DEV_STATE_NONE && !strcmp(info.name, p->name);
}

int partition_alive(const struct partition *p)
{
	if (!strcmp(p->kind, "partition"))
		return dev_alive(p);
	if (p->qemu_pid <= 0)
		return 0;
	if (kill(p->qemu_pid, 0) && errno != EPERM)
		return 0;
	return cmdline_mentions(p->qemu_pid, p->mem_path);
}

static int attach_check(struct partition *p, char *err, size_t errlen)
{
	const struct lwk_chan_header *h = p->hdr;
	uint32_t magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);

	if (magic == 0) {
		snprintf(err, errlen,
			 "%s: the LWK has not set up its channel yet (still booting?); see "
			 "'lwkctl status'",
			 p->name);
		return -EAGAIN;
	}
	if (magic != LWK_CHAN_MAGIC) {
		snprintf(err, errlen,
			 "%s: no LWK channel at 0x%" PRIx64 " (magic 0x%08x, want 0x%08x); is "
			 "the kernel built with channel support?",
			 p->name, p->chan_base, magic, LWK_CHAN_MAGIC);
		return -EPROTO;
	}
	if (h->abi_version != LWK_ABI_VERSION) {
		snprintf(err, errlen,
			 "lwk kernel speaks ABI version %u, this lwkctl/lwkexec speaks %u; use "
			 "matching builds",
			 h->abi_version, LWK_ABI_VERSION);
		return -EPROTO;
	}
	if (h->size > p->chan_size) {
		snprintf(err, errlen,
			 "%s: the channel claims %" PRIu64 " bytes, the partition has %" PRIu64,
			 p->name, (uint64_t)h->size, p->chan_size);
		return -EPROTO;
	}
	return 0;
}

/* Map [off, off + len) of the channel with @prot into its place in the
 * reserved window at p->hdr: the module's pieces for non-admins. */
static int view_map_prot(struct partition *p, uint64_t off, uint64_t len, int prot)
{
	uint64_t lo = off & ~0xfffull, hi = (off + len + 0xfff) & ~0xfffull;

	if (!len || off + len < off || hi > p->chan_size || p->nviews == PARTITION_MAX_VIEWS)
		return -EINVAL;
	if (mmap((char *)p->hdr + lo, hi - lo, prot, MAP_SHARED | MAP_FIXED, p->tr.fd,
		 (off_t)(p->chan_base + lo)) == MAP_FAILED)
		return -errno;
	p->view_off[p->nviews] = lo;
	p->view_len[p->nviews++] = hi - lo;
	return 0;
}

static int view_map(struct partition *p, uint64_t off, uint64_t len)
{
	return view_map_prot(p, off, len, PROT_READ);
}

/* Read-only, piece by piece: a window of the channel's size where nothing
 * is mapped but the header, then the log ring and the counters once the
 * header says where they are. */
static int attach_views(struct partition *p)
{
	const struct lwk_chan_header *h;
	void *win =
	    mmap(NULL, p->chan_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int r;

	if (win == MAP_FAILED)
		return -errno;
	p->hdr = win;
	p->nviews = 0;
	r = view_map(p, 0, sizeof(struct lwk_chan_header));
	if (r) {
		munmap(win, p->chan_size);
		p->hdr = NULL;
		return r;
	}
	h = p->hdr;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LWK_CHAN_MAGIC)
		return 0; /* not laid out yet: attach_check says so */
	if (h->log_size)
		view_map(p, h->log_off, sizeof(struct lwk_log_ring) + (uint64_t)h->log_size);
	if (h->counters_size && h->ncpus)
		view_map(p, h->counters_off, (uint64_t)h->counters_size * h->ncpus);
	p->nviews_public = p->nviews;
	return 0;
}

static int attach_dev(struct partition *p, char *err, size_t errlen)
{
	int prot = p->readonly ? PROT_READ : PROT_READ | PROT_WRITE;
	int r = transport_dev_open(&p->tr, err, errlen);

	if (r)
		return r;
	if (!p->chan_size) {
		snprintf(err, errlen,
			 "%s: the LWK has not set up its channel yet (still booting?); see "
			 "'lwkctl status'",
			 p->name);
		transport_close(&p->tr);
		return -EAGAIN;
	}
	p->hdr = transport_map(&p->tr, p->chan_base, p->chan_size, prot, NULL);
	/* Not the admin: the pieces anyone may see now, the rest after a
	 * claim (partition_claim). */
	if (!p->hdr && (errno == EPERM || errno == EACCES || errno == EINVAL))
		r = attach_views(p);
	else if (!p->hdr)
		r = -errno;
	if (r)
		snprintf(err, errlen, "%s: cannot map the channel at 0x%" PRIx64 " through %s: %s",
			 p->name, p->chan_base, LWK_DEV_PATH, strerror(-r));
	if (r)
		transport_close(&p->tr);
	return r;
}

static int attach_vm(struct partition *p, char *err, size_t errlen)
{
	int r = transport_vm_open(&p->tr, p->mem_path, p->mem_size, p->low_ram, err, errlen);

	if (r)
		return r;
	p->hdr = transport_map(&p->tr, p->chan_base, p->chan_size, PROT_READ | PROT_WRITE, NULL);
	if (!p->hdr) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot map the channel at 0x%" PRIx64 ": %s", p->name,
			 p->chan_base, strerror(errno));
		transport_close(&p->tr);
	}
	return r;
}

int partition_attach(struct partition *p, char *err, size_t errlen)
{
	int r;

	if (!strcmp(p->kind, "partition"))
		r = attach_dev(p, err, errlen);
	else if (!strcmp(p->kind, "vm"))
		r = attach_vm(p, err, errlen);
	else {
		snprintf(err, errlen, "%s: partitions of kind '%s' are not supported by this build",
			 p->name, p->kind);
		return -EOPNOTSUPP;
	}
	if (r)
		return r;
	r = attach_check(p, err, errlen);
	if (r)
		partition_detach(p);
	return r;
}

void partition_detach(struct partition *p)
{
	if (p->hdr)
		transport_unmap(&p->tr, p->hdr, p->chan_size);
	p->hdr = NULL;
	p->nviews = 0;
	transport_close(&p->tr);
}

void *partition_chan(const struct partition *p, uint64_t off)
{
	unsigned int i = 0;

	if (!p->hdr || off >= p->chan_size)
		return NULL;
	while (i < p->nviews && off - p->view_off[i] >= p->view_len[i])
		i++;
	if (p->nviews && i == p->nviews)
		return NULL;
	return (char *)p->hdr + off;
}

/* The entry's three pages (the host's read-write) and its slots. */
static int claim_views(struct partition *p, unsigned int i)
{
	const struct lwk_chan_header *h = p->hdr;
	uint64_t e = h->procs_off + (uint64_t)i * sizeof(struct lwk_chan_proc);
	uint64_t s = h->slots_off + (uint64_t)i * LWK_CHAN_SLOTS_BYTES;
	int r = view_map_prot(p, e, LWK_CHAN_PROC_LWK_PAGE, PROT_READ | PROT_WRITE);

	if (!r)
		r = view_map(p, e + LWK_CHAN_PROC_LWK_PAGE,
			     sizeof(struct lwk_chan_proc) - LWK_CHAN_PROC_LWK_PAGE);
	if (!r)
		r = view_map_prot(p, s, LWK_CHAN_SLOTS_BYTES, PROT_READ | PROT_WRITE);
	return r;
}

int partition_claim(struct partition *p, unsigned int *index, char *err, size_t errlen)
{
	struct lwk_ioc_claim c;
	unsigned int views = p->nviews;
	int r;

	memset(&c, 0, sizeof(c));
	if (ioctl(p->tr.fd, LWK_IOC_CLAIM, &c)) {
		r = -errno;
		snprintf(err, errlen, "%s: cannot take a process entry: %.*s", p->name,
			 LWK_DEV_MSG_LEN, c.msg[0] ? c.msg : strerror(-r));
		return r;
	}
	*index = c.index;
	if (c.index >= p->hdr->nprocs || c.index >= LWK_CHAN_MAX_PROCS) {
		snprintf(err, errlen, "%s: lwk.ko gave entry %u, the channel has %u", p->name,
			 c.index, p->hdr->nprocs);
		partition_unclaim(p, c.index);
		return -EPROTO;
	}
	if (!views)
		return 0; /* the whole channel is mapped already */
	r = claim_views(p, c.index);
	if (r) {
		snprintf(err, errlen, "%s: cannot map process entry %u through %s: %s", p->name,
			 c.index, LWK_DEV_PATH, strerror(-r));
		partition_unclaim(p, c.index);
	}
	return r;
}

void partition_unclaim(struct partition *p, unsigned int index)
{
	struct lwk_ioc_claim c;

	memset(&c, 0, sizeof(c));
	c.index = index;
	if (ioctl(p->tr.fd, LWK_IOC_UNCLAIM, &c))
		fprintf(stderr, "lwkexec: %s: giving process entry %u back failed: %.*s\n", p->name,
			index, LWK_DEV_MSG_LEN, c.msg[0] ? c.msg : strerror(errno));
	/* Every piece after the public ones was the entry's: zero pages
	 * there now. */
	while (p->nviews > p->nviews_public) {
		p->nviews--;
		mmap((char *)p->hdr + p->view_off[p->nviews], p->view_len[p->nviews],
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	}
}
