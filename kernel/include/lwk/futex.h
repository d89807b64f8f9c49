/* SPDX-License-Identifier: GPL-2.0-only */
#pragma once

#include <lwk/proc.h>

/* Wake up to @n threads waiting on the user word at @uaddr of @p. */
int futex_wake(struct proc *p, uint64_t uaddr, int n, uint32_t bitset);
/* A thread ends: release the robust locks it still holds (set_robust_list)
 * to their waiters, as Linux does. */
void futex_exit_robust_list(struct thread *t);
