// SPDX-License-Identifier: GPL-2.0-only
/* An invalid instruction with no handler: status 132 (128 + SIGILL). */
int main(void)
{
	__asm__ volatile("ud2");
	return 0;
}
