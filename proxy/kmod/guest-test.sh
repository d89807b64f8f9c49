#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# lwk.ko's own check in a QEMU guest running Debian's kernel (no LWK image
# needed): builds the module and tests/partition/kmod_ioctl.c, packs them
# with busybox-static into an initramfs (tests/partition/initramfs.sh, as
# the partition guest's), boots the guest with the
# trampoline page and a 256 MiB region reserved (memmap=), runs kmod_ioctl's
# cases and rmmod checks, and scans the guest's dmesg. Prints every check and a pass/fail count; exits
# 0 only if all passed.
#   proxy/kmod/guest-test.sh [CYCLES]     (default 5)
# LWK_KMOD_CASES picks cases (default: all of
# "notramp cycles bad fuzz start hold gid region users"; "users" boots the
# LWK with lwkctl on cores 2-3 and runs processes as users 1000 and 1001).
# Environment: KVER (default: the newest /boot/vmlinuz-*-amd64 with headers),
# LWK_TEST_TAG (names the QEMU process and the work directory),
# LWK_KMOD_MEM (memory of the "cycles" case, default 512M).
set -eu
cycles=${1:-5}
cases=${LWK_KMOD_CASES:-notramp cycles bad fuzz start hold gid region users}
mem=${LWK_KMOD_MEM:-512M}
tag=${LWK_TEST_TAG:-$$}
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${KVER:-}" ]; then
	KVER=$(ls /usr/src | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V | tail -n 1)
fi
kernel=/boot/vmlinuz-$KVER
[ -r "$kernel" ] || { echo "guest-test: no $kernel: apt-get install linux-image-amd64"; exit 1; }
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q static ||
	{ echo "guest-test: needs a static /bin/busybox: apt-get install busybox-static"; exit 1; }

make -s -C "$top" module KVER="$KVER" >/dev/null
. "$top/tests/partition/initramfs.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/lwk-kmod-$tag.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
lwk=
case " $cases " in *" users "*)
	make -s -C "$top" build/lwk.elf build/bin/lwkctl build/bin/lwkexec build/bin/lwknoise >/dev/null
	lwk=$top
esac
BUSYBOX=/bin/busybox initramfs_stage "$root" --ko "$top/build/kmod/lwk.ko" ${lwk:+--lwk "$lwk"} ||
	{ echo "guest-test: could not stage the guest's initramfs in $root"; exit 1; }
gcc -static -O2 -Wall -Wextra -Werror -I"$top/kernel/include" -I"$top/arch/x86_64/include" \
	-o "$root/kmod_ioctl" "$top/tests/partition/kmod_ioctl.c"
cat >"$root/init" <<GUEST
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
ok() { echo "PASS \$1"; }
ko() { echo "FAIL \$1"; }
case " $cases " in *" notramp "*)
	echo "== without trampoline="
	insmod /lwk.ko && ok insmod-notramp || ko insmod-notramp
	/kmod_ioctl notramp
	rmmod lwk && ok rmmod-idle || ko rmmod-idle
esac
echo "== trampoline=0x90000"
insmod /lwk.ko trampoline=0x90000 && ok insmod || ko insmod
grep -q lwk-doorbell /proc/interrupts && ok doorbell-irq-listed || ko doorbell-irq-listed
case " $cases " in *" cycles "*) /kmod_ioctl cycles $cycles 2-3 $mem; esac
case " $cases " in *" bad "*) /kmod_ioctl bad; esac
case " $cases " in *" fuzz "*) /kmod_ioctl fuzz 3000; esac
case " $cases " in *" start "*)
	/kmod_ioctl start 2-3 64M
	grep lwk-doorbell /proc/interrupts
esac
case " $cases " in *" hold "*)
	/kmod_ioctl hold 2-3 64M
	rmmod lwk 2>/dev/null && ko rmmod-refused-while-reserved || ok rmmod-refused-while-reserved
	/kmod_ioctl release
esac
rmmod lwk && ok rmmod-after-shutdown || ko rmmod-after-shutdown
grep -q lwk-doorbell /proc/interrupts && ko doorbell-irq-freed || ok doorbell-irq-freed
case " $cases " in *" gid "*)
	echo "== admin_gid=100"
	insmod /lwk.ko trampoline=0x90000 admin_gid=100 && ok insmod-admin-gid || ko insmod-admin-gid
	/kmod_ioctl admin-gid 100
	rmmod lwk
esac
case " $cases " in *" region "*)
	echo "== mem_region=256M@0x40000000"
	insmod /lwk.ko trampoline=0x90000 mem_region=256M@0x40000000 && ok insmod-region ||
		ko insmod-region
	/kmod_ioctl cycles 2 2-3 128M region
	/kmod_ioctl start 2-3 64M stuck
	rmmod lwk
esac
case " $cases " in *" users "*)
	echo "== users: lwkctl boot --cpus 2-3 --mem 512M"
	insmod /lwk.ko trampoline=0x90000 && ok insmod-users || ko insmod-users
	if /opt/lwk/bin/lwkctl boot --cpus 2-3 --mem 512M --name users; then
		ok users-boot
		/kmod_ioctl users /opt/lwk/bin
		/opt/lwk/bin/lwkctl dmesg | tail -n 12
		/opt/lwk/bin/lwkctl shutdown && ok users-shutdown || ko users-shutdown
	else
		ko users-boot
	fi
	rmmod lwk && ok rmmod-users || ko rmmod-users
esac
echo "== dmesg"
dmesg | grep lwk
if dmesg | grep -E 'BUG|WARNING|Oops|Call Trace|general protection'; then
	ko dmesg-clean
else
	ok dmesg-clean
fi
echo "== guest done"
poweroff -f
GUEST
chmod +x "$root/init"
initramfs_pack "$root" "$work/initrd.gz"

log=$work/serial.log
guest_qemu "lwk-kmod-$tag" 600 "$kernel" "$work/initrd.gz" 'quiet no_ipi_broadcast=1 memmap=256M$0x40000000' \
	>"$log" || true
tr -d '\r' <"$log" | grep -E '^(PASS|FAIL|info:|shutdown:|  msg:|  kill|==|\[)|kmod_ioctl|lwk-doorbell|lwkexec|lwkctl|channel:' |
	grep -vE '^\[ *[0-9.]+\] (random|x86|Run|Freeing|Write protecting)' || true
pass=$(tr -d '\r' <"$log" | grep -c '^PASS' || true)
fail=$(tr -d '\r' <"$log" | grep -c '^FAIL' || true)
grep -q '== guest done' "$log" || { echo "FAIL guest did not finish"; fail=$((fail + 1)); }
echo "guest-test: $pass passed, $fail failed"
[ "$fail" = 0 ]
