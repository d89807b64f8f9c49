/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The per-call facts of syscalls.def (its fourth column), for the kernel
 * and the proxy alike. Each is a Linux rule that one side must apply to
 * exactly the calls listed there.
 */
#pragma once

/* Interrupted by a signal that has a handler, the call fails with EINTR
 * even under SA_RESTART (Linux's ERESTARTNOHAND; signal(7) lists them):
 * the poll/select/epoll family, System V IPC waits, io_getevents. */
#define LWK_SC_RESTART_NOHAND (1u << 0)

/* The call waits under a signal mask it carries, which the LWK applies
 * for the time of the call and does not forward: a pointer in argument 3
 * and its size in argument 4 (ppoll) ... */
#define LWK_SC_MASK_ARG3 (1u << 1)
/* ... a pointer in argument 4, its size in 5 (epoll_pwait, epoll_pwait2) ... */
#define LWK_SC_MASK_ARG4 (1u << 2)
/* ... or argument 5 points to { const sigset_t *ss; size_t ss_len; }
 * (pselect6). */
#define LWK_SC_MASK_IN_ARG5 (1u << 3)

/* Quick and never blocking: the proxy's dispatcher runs it itself rather
 * than waking a service thread. (close is not one: it flushes on NFS and
 * lingers on sockets.) */
#define LWK_SC_PROXY_INLINE (1u << 4)
/* I/O (fd in argument 0) that Linux does not interrupt on a regular file:
 * there a signal must not answer it EINTR before it ran. */
#define LWK_SC_FILE_IO (1u << 5)
/* On a regular file, and no longer than the proxy's inline limit (length
 * in argument 2), the dispatcher tries it without waiting (RWF_NOWAIT). */
#define LWK_SC_NOWAIT_IO (1u << 6)
