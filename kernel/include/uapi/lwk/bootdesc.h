/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * The boot description: a flattened device tree (FDT) that is the kernel's
 * only source of facts about its world. Both producers (the multiboot2/PVH
 * shim and, later, lwkctl + lwk.ko) write it with these keys, and the kernel
 * reads nothing else.
 *
 *   / {
 *       compatible = "lwk,bootdesc";
 *       lwk,abi-version = <u32>;
 *       lwk,tsc-hz = <u64>;                  TSC ticks per second
 *       lwk,wallclock-offset-ns = <u64>;     CLOCK_REALTIME - CLOCK_MONOTONIC at TSC 0
 *       lwk,memory = <u64 base, u64 size>...;    RAM the LWK owns
 *       lwk,reserved = <u64 base, u64 size>...;  parts of it in use at boot
 *       lwk,trampoline = <u64 base, u64 size>;   AP start page(s) below 1 MiB
 *       lwk,log = <u64 base, u64 size>;          optional shared log ring
 *       lwk,channel = <u64 base, u64 size>;      optional: the channel area
 *                (uapi/lwk/channel.h) through which Linux talks to the LWK;
 *                4 KiB aligned, at least 2 MiB, inside one lwk,memory
 *                range; the kernel never allocates from it (it counts as
 *                reserved whether lwk,reserved lists it or not). The VM
 *                shim makes it from the command line's lwk.channel=BASE,SIZE.
 *       lwk,notify-ipi = <u32 vector, u32 apic-id>;  optional doorbell to Linux
 *       lwk,kernel = <u64 base, u64 size>;   where the running kernel image
 *                lies physically (2 MiB aligned; the image is linked at 2 MiB
 *                and runs at any such base). Absent: at its link address.
 *       lwk,uart-port = <u32>;               16550 I/O port of the console;
 *                absent: no console, the log goes to the log ring only
 *       lwk,exit-port = <u32>;               QEMU isa-debug-exit port; absent:
 *                the kernel halts where it would have exited
 *       chosen { bootargs = "kernel command line"; };
 *       cpus {
 *           cpu@N { reg = <u32 apic-id>; };  N = logical index, 0 = boot core
 *       };
 *       program {                             optional: a bare run
 *           reg = <u64 base, u64 size>;       the ELF image in memory
 *           lwk,interp = <u64 base, u64 size>;  optional: its PT_INTERP file
 *           argv = "a", "b", ...;             string lists
 *           envp = "K=V", ...;
 *           lwk,mem = <u64>;                  bytes for the process, 0: default
 *           lwk,cpus = <u32>;                 cores for the process, 0: all
 *       };
 *   };
 *
 * All integers are big-endian, as FDT properties always are. Sizes and
 * addresses are 64-bit even on small machines so that one reader serves all.
 */
#pragma once

#define LWK_BD_COMPATIBLE "lwk,bootdesc"
#define LWK_BD_ABI_VERSION "lwk,abi-version"
#define LWK_BD_TSC_HZ "lwk,tsc-hz"
#define LWK_BD_WALLCLOCK "lwk,wallclock-offset-ns"
#define LWK_BD_MEMORY "lwk,memory"
#define LWK_BD_RESERVED "lwk,reserved"
#define LWK_BD_TRAMPOLINE "lwk,trampoline"
#define LWK_BD_LOG "lwk,log"
#define LWK_BD_CHANNEL "lwk,channel"
#define LWK_BD_NOTIFY_IPI "lwk,notify-ipi"
#define LWK_BD_KERNEL "lwk,kernel"
#define LWK_BD_UART_PORT "lwk,uart-port"
#define LWK_BD_EXIT_PORT "lwk,exit-port"
#define LWK_BD_CHOSEN "/chosen"
#define LWK_BD_BOOTARGS "bootargs"
#define LWK_BD_CPUS "/cpus"
#define LWK_BD_CPU_REG "reg"
#define LWK_BD_PROGRAM "/program"
#define LWK_BD_PROGRAM_REG "reg"
#define LWK_BD_PROGRAM_INTERP "lwk,interp"
#define LWK_BD_PROGRAM_ARGV "argv"
#define LWK_BD_PROGRAM_ENVP "envp"
#define LWK_BD_PROGRAM_MEM "lwk,mem"
#define LWK_BD_PROGRAM_CPUS "lwk,cpus"

/* Limits every producer respects and the reader enforces. */
#define LWK_BD_MAX_CPUS 256
#define LWK_BD_MAX_RANGES 64
#define LWK_BD_MAX_BOOTARGS 1024
#define LWK_BD_MAX_SIZE (64 * 1024)
#define LWK_BD_CHANNEL_MIN_SIZE (2 * 1024 * 1024) /* one slot block per process entry */
