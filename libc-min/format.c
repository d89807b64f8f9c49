// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsnprintf: the one formatting core behind the kernel log and libc-min's
 * printf. Supports flags "-0#+ ", width and precision (also "*"), length
 * modifiers hh h l ll z t j, and conversions d i u x X o p s c %.
 * No floating point: the kernel is built without SSE.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* characters that would have been written */
};

struct spec {
	bool left, zero, alt, plus, space;
	int width, prec; /* prec < 0: none */
	int length;	 /* bytes of the argument: 1 2 4 8 */
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

static void out_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = sp->prec >= 0 ? strnlen(s, sp->prec) : strlen(s);
	if (!sp->left)
		out_pad(o, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		out_pad(o, ' ', sp->width - (int)n);
}

/* Format an integer's magnitude @v with @sign ("-", "+", " " or "") and an
 * optional "0x" prefix, honouring width, precision and the 0 flag. */
static void out_num(struct out *o, const struct spec *sp, uint64_t v, unsigned int base, bool upper,
		    const char *sign)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, pad;
	const char *prefix = (sp->alt && base == 16 && v) ? (upper ? "0X" : "0x") : "";
	int plen = strlen(sign) + strlen(prefix);

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->alt && base == 8 && tmp[n - 1] != '0')
		tmp[n++] = '0';
	zeros = sp->prec > n ? sp->prec - n : 0;
	pad = sp->width - n - zeros - plen;
	if (sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!sp->left)
		out_pad(o, ' ', pad);
	for (const char *p = sign; *p; p++)
		out_char(o, *p);
	for (const char *p = prefix; *p; p++)
		out_char(o, *p);
	out_pad(o, '0', zeros);
	while (n)
		out_char(o, tmp[--n]);
	if (sp->left)
		out_pad(o, ' ', pad);
}

static const char *parse_flags(const char *f, struct spec *sp)
{
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else
			return f;
	}
}

static const char *parse_int(const char *f, int *v, va_list *ap)
{
	if (*f == '*') {
		*v = va_arg(*ap, int);
		return f + 1;
	}
	*v = 0;
	while (*f >= '0' && *f <= '9')
		*v = *v * 10 + (*f++ - '0');
	return f;
}

static const char *parse_length(const char *f, struct spec *sp)
{
	sp->length = 4;
	if (f[0] == 'h') {
		sp->length = f[1] == 'h' ? 1 : 2;
		return f + (f[1] == 'h' ? 2 : 1);
	}
	if (f[0] == 'l' || f[0] == 'z' || f[0] == 't' || f[0] == 'j') {
		sp->length = 8;
		return f + ((f[0] == 'l' && f[1] == 'l') ? 2 : 1);
	}
	return f;
}

static uint64_t fetch_unsigned(const struct spec *sp, va_list *ap)
{
	uint64_t v = sp->length == 8 ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned int);

	if (sp->length == 1)
		v = (uint8_t)v;
	else if (sp->length == 2)
		v = (uint16_t)v;
	return v;
}

static void out_signed(struct out *o, const struct spec *sp, va_list *ap)
{
	int64_t v = sp->length == 8 ? va_arg(*ap, int64_t) : va_arg(*ap, int);
	const char *sign = sp->plus ? "+" : sp->space ? " " : "";

	if (sp->length == 1)
		v = (int8_t)v;
	else if (sp->length == 2)
		v = (int16_t)v;
	if (v < 0)
		sign = "-";
	out_num(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, false, sign);
}

static void out_conversion(struct out *o, struct spec *sp, char c, va_list *ap)
{
	char ch[2] = { 0, 0 };

	switch (c) {
	case 'd':
	case 'i':
		out_signed(o, sp, ap);
		break;
	case 'u':
		out_num(o, sp, fetch_unsigned(sp, ap), 10, false, "");
		break;
	case 'x':
	case 'X':
		out_num(o, sp, fetch_unsigned(sp, ap), 16, c == 'X', "");
		break;
	case 'o':
		out_num(o, sp, fetch_unsigned(sp, ap), 8, false, "");
		break;
	case 'p':
		sp->alt = true;
		out_num(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false, "");
		break;
	case 's':
		out_str(o, sp, va_arg(*ap, const char *));
		break;
	case 'c':
		ch[0] = (char)va_arg(*ap, int);
		sp->prec = -1;
		out_str(o, sp, ch);
		break;
	default: /* "%%" and unknown conversions print themselves */
		out_char(o, c);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		struct spec sp = { .prec = -1 };

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt = parse_flags(fmt + 1, &sp);
		fmt = parse_int(fmt, &sp.width, &ap);
		if (sp.width < 0) {
			sp.left = true;
			sp.width = -sp.width;
		}
		if (*fmt == '.')
			fmt = parse_int(fmt + 1, &sp.prec, &ap);
		fmt = parse_length(fmt, &sp);
		if (!*fmt)
			break;
		out_conversion(&o, &sp, *fmt++, &ap);
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
