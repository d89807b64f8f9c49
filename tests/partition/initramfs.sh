# SPDX-License-Identifier: GPL-2.0-only
#
# The initramfs and the QEMU run of the guests that boot Debian's own
# kernel (tests/partition/run.sh, proxy/kmod/guest-test.sh,
# tests/bench/partition.sh). Sourced (POSIX sh); defines:
#
# initramfs_stage DIR [OPTIONS]: DIR (emptied first) with busybox-static
#   and its applet links in /bin, and /dev, /proc, /sys, /tmp (mode 1777).
#     --ko FILE        FILE as /lwk.ko
#     --9p KVER        KVER's virtio and 9p modules as /modules/NAME.ko, in
#                      the order to insmod them in /modules/order
#     --lwk TOP        TOP's build/lwk.elf, build/bin/lwkctl, lwkexec and
#                      lwknoise in /opt/lwk (lwk.elf, bin/), with the
#                      libraries they need
#     --file SRC DEST  SRC as DEST (a path in the guest), its directory made
#     --dir DEST       an empty directory
#   BUSYBOX names the busybox (default: the one on PATH). Says what went
#   wrong on stderr and returns non-zero.
# initramfs_pack DIR OUT: DIR as a gzipped newc cpio OUT, owned by root.
# guest_qemu NAME SECS KERNEL INITRD ARGS [QEMU OPTIONS...]: boots KERNEL
#   with INITRD under QEMU named NAME (TCG, GUEST_SMP cores (default 4),
#   GUEST_MEM of memory (default 2G), serial console
#   on stdout, stdin from /dev/null, no reboot), killed after SECS seconds
#   (KILL 10 s later); the kernel command line is console=ttyS0 panic=-1
#   memmap=4K$0x90000 (the trampoline page lwk.ko is loaded with) and ARGS.
#   Returns QEMU's status, 124 or 137 if it was killed.

initramfs_stage() {
	_ir_dir=$1
	shift
	_ir_bb=${BUSYBOX:-$(command -v busybox)}
	if [ -z "$_ir_bb" ]; then
		echo "initramfs: no busybox: apt-get install busybox-static" >&2
		return 1
	fi
	rm -rf "$_ir_dir" && mkdir -p "$_ir_dir/bin" "$_ir_dir/dev" "$_ir_dir/proc" \
		"$_ir_dir/sys" "$_ir_dir/tmp" && chmod 1777 "$_ir_dir/tmp" &&
		cp "$_ir_bb" "$_ir_dir/bin/busybox" || return 1
	# (not the name busybox itself: the link would replace the binary)
	for _ir_app in $("$_ir_bb" --list); do
		[ "$_ir_app" = busybox ] || ln -s busybox "$_ir_dir/bin/$_ir_app" || return 1
	done
	while [ $# -gt 0 ]; do
		case $1 in
		--ko)
			cp "$2" "$_ir_dir/lwk.ko" || return 1
			shift 2
			;;
		--9p)
			_initramfs_9p "$_ir_dir" "$2" || return 1
			shift 2
			;;
		--lwk)
			_initramfs_lwk "$_ir_dir" "$2" || return 1
			shift 2
			;;
		--file)
			mkdir -p "$_ir_dir$(dirname "$3")" && cp "$2" "$_ir_dir$3" || return 1
			shift 3
			;;
		--dir)
			mkdir -p "$_ir_dir$2" || return 1
			shift 2
			;;
		*)
			echo "initramfs_stage: unknown option '$1'" >&2
			return 1
			;;
		esac
	done
}

# The virtio-pci and 9p modules, in the order they depend on each other
# (facts.md), decompressed: busybox's insmod reads plain .ko files only.
_initramfs_9p() { # dir kver
	mkdir -p "$1/modules" || return 1
	: >"$1/modules/order"
	for _ir_m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci \
		9pnet 9pnet_virtio netfs fscache 9p; do
		_ir_f=$(find "/lib/modules/$2/kernel" -name "$_ir_m.ko" -o -name "$_ir_m.ko.xz" \
			-o -name "$_ir_m.ko.zst" -o -name "$_ir_m.ko.gz" | head -1)
		if [ -z "$_ir_f" ]; then
			# Built in, or absent: the guest finds out when it mounts.
			grep -q "/$_ir_m.ko" "/lib/modules/$2/modules.builtin" ||
				echo "initramfs: no module $_ir_m for $2" >&2
			continue
		fi
		case $_ir_f in
		*.xz) xz -dc "$_ir_f" >"$1/modules/$_ir_m.ko" ;;
		*.zst) zstd -qdc "$_ir_f" >"$1/modules/$_ir_m.ko" ;;
		*.gz) gzip -dc "$_ir_f" >"$1/modules/$_ir_m.ko" ;;
		*) cp "$_ir_f" "$1/modules/$_ir_m.ko" ;;
		esac || return 1
		echo "$_ir_m" >>"$1/modules/order"
	done
}

# The LWK image, lwkctl, lwkexec and lwknoise, with the shared libraries
# they load.
_initramfs_lwk() { # dir top
	mkdir -p "$1/opt/lwk/bin" "$1/lib64" "$1/lib/x86_64-linux-gnu" &&
		cp "$2/build/lwk.elf" "$1/opt/lwk/lwk.elf" &&
		cp "$2/build/bin/lwkctl" "$2/build/bin/lwkexec" "$2/build/bin/lwknoise" \
			"$1/opt/lwk/bin/" || return 1
	_ir_libs=$(ldd "$2/build/bin/lwkctl" "$2/build/bin/lwkexec" "$2/build/bin/lwknoise" |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | sort -u) || return 1
	for _ir_lib in $_ir_libs; do
		cp -L "$_ir_lib" "$1/lib/x86_64-linux-gnu/" || return 1
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$1/lib64/"
}

initramfs_pack() { # dir out
	(cd "$1" && find . | bin/busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -1 >"$2"
}

guest_qemu() { # name secs kernel initrd args [qemu options...]
	_gq_name=$1 _gq_secs=$2 _gq_kernel=$3 _gq_initrd=$4 _gq_args=$5
	shift 5
	timeout --foreground -k 10 "$_gq_secs" qemu-system-x86_64 -name "$_gq_name" \
		-accel tcg -smp "${GUEST_SMP:-4}" -m "${GUEST_MEM:-2G}" -nographic -no-reboot -monitor none \
		-kernel "$_gq_kernel" -initrd "$_gq_initrd" \
		-append "console=ttyS0 panic=-1 memmap=4K\$0x90000 $_gq_args" "$@" </dev/null 2>&1
}
