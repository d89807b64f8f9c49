// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signals, as far as they go today: a process can signal itself, and the
 * default action happens (termination, or nothing for the signals Linux
 * ignores by default). Handlers, masks and alternate stacks are not there
 * yet: those calls answer -ENOSYS, loudly, never a pretend success.
 */
#include <lwk/errno.h>
#include <lwk/log.h>
#include <lwk/proc.h>
#include <lwk/syscall.h>

#define NSIG 64
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28

static bool ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

static int64_t deliver(struct proc *p, int sig)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (sig == 0 || ignored_by_default(sig))
		return 0;
	if (sig >= SIGSTOP && sig <= SIGTTOU) {
		log_warn("pid %d: signal %d would stop the process; job control is not supported",
			 p->pid, sig);
		return 0;
	}
	proc_exit(p, sig);
}

int64_t sys_kill(const struct syscall_args *sa)
{
	struct proc *p = thread_current()->proc;
	int pid = (int)sa->a[0];

	if (pid != p->pid && pid != 0 && pid != -1)
		return -ESRCH; /* no other process is visible without a proxy */
	return deliver(p, (int)sa->a[1]);
}

int64_t sys_tgkill(const struct syscall_args *sa)
{
	struct thread *t = thread_current();

	if ((int)sa->a[0] <= 0 || (int)sa->a[1] <= 0)
		return -EINVAL;
	if ((int)sa->a[0] != t->proc->pid || (int)sa->a[1] != t->tid)
		return -ESRCH;
	return deliver(t->proc, (int)sa->a[2]);
}

int64_t sys_tkill(const struct syscall_args *sa)
{
	struct thread *t = thread_current();

	if ((int)sa->a[0] <= 0)
		return -EINVAL;
	if ((int)sa->a[0] != t->tid)
		return -ESRCH;
	return deliver(t->proc, (int)sa->a[1]);
}

/* Not yet: each logs once and answers -ENOSYS. */
static int64_t not_yet(const struct syscall_args *sa, bool *said)
{
	if (!*said)
		log_warn("syscall %s is not implemented yet: -ENOSYS", syscall_name(sa->nr));
	*said = true;
	return -ENOSYS;
}

#define NOT_YET(name)                                     \
	int64_t sys_##name(const struct syscall_args *sa) \
	{                                                 \
		static bool said;                         \
		return not_yet(sa, &said);                \
	}

NOT_YET(rt_sigaction)
NOT_YET(rt_sigprocmask)
NOT_YET(rt_sigreturn)
NOT_YET(sigaltstack)
