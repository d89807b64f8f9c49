// SPDX-License-Identifier: GPL-2.0-only
/* System call dispatch: one table, generated from syscalls.def. */
#include <lwk/arch.h>
#include <lwk/counters.h>
#include <lwk/errno.h>
#include <lwk/proc.h>
#include <lwk/signal.h>
#include <lwk/syscall.h>

struct syscall_entry {
	syscall_fn fn;
	const char *name;
	uint32_t flags; /* LWK_SC_* */
};

#define HANDLER_LOCAL(name) sys_##name
#define HANDLER_FORWARD(name) sys_forward
#define SYSCALL(nr, name, where, flags) [nr] = { HANDLER_##where(name), #name, flags },
static const struct syscall_entry syscall_table[] = {
#include <uapi/lwk/syscalls.def>
};
#undef SYSCALL

const char *syscall_name(uint64_t nr)
{
	if (nr < ARRAY_SIZE(syscall_table) && syscall_table[nr].name)
		return syscall_table[nr].name;
	return "?";
}

uint32_t syscall_flags(uint64_t nr)
{
	return nr < ARRAY_SIZE(syscall_table) ? syscall_table[nr].flags : 0;
}

void syscall_dispatch(struct trap_frame *tf);
void syscall_dispatch(struct trap_frame *tf)
{
	struct syscall_args sa = { .nr = arch_syscall_nr(tf) };
	struct thread *t = this_cpu()->current;
	int64_t ret = -ENOSYS;
	uint64_t traced = counters_syscall(sa.nr);

	t->uframe = tf;
	arch_syscall_args(tf, sa.a);
	if (sa.nr < ARRAY_SIZE(syscall_table) && syscall_table[sa.nr].fn)
		ret = syscall_table[sa.nr].fn(&sa);
	/* An interrupted call (-ERESTARTSYS...) ends as signal delivery
	 * decides; its internal code never reaches user mode. */
	signal_syscall_result(t, sa.nr, ret);
	arch_syscall_set_return(tf, ret);
	thread_return_to_user(tf);
	signal_syscall_finish(tf);
	trace_exit(traced);
}
