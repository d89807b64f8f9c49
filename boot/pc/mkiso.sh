#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# boot/pc/mkiso.sh OUT.iso KERNEL.elf GRUB.cfg [MODULE]
# Assemble a BIOS-bootable GRUB multiboot2 ISO, reproducibly. grub-mkimage
# and xorriso are called directly rather than through grub-mkrescue, which
# stamps the current time into the image (its volume UUID). One core image
# holding the few modules we need keeps the ISO under 1 MiB. MODULE, if
# given, lands at /boot/bootdesc.dtb for grub.cfg to load.
set -eu
out=$1 elf=$2 cfg=$3 module=${4:-}
modules="biosdisk iso9660 normal configfile serial terminal multiboot2 boot"
dir=$out.d
rm -rf "$dir" && mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/lwk.elf"
cp "$cfg" "$dir/boot/grub/grub.cfg"
[ -z "$module" ] || cp "$module" "$dir/boot/bootdesc.dtb"
grub-mkimage -O i386-pc-eltorito -p /boot/grub -o "$dir/boot/grub/eltorito.img" $modules
epoch=${SOURCE_DATE_EPOCH:-0}
find "$dir" -exec touch -h -d "@$epoch" {} +
SOURCE_DATE_EPOCH=$epoch xorriso -as mkisofs -quiet -r -o "$out" \
	-b boot/grub/eltorito.img -no-emul-boot -boot-load-size 4 \
	-boot-info-table --grub2-boot-info \
	--grub2-mbr /usr/lib/grub/i386-pc/boot_hybrid.img \
	--protective-msdos-label "$dir" 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
rm -rf "$dir" "$out.log"
