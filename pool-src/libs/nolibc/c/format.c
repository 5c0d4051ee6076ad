/* nolibc: the printf engine. Parses conversion specifications (flags - + space 0 #, width,
 * precision, '*', length modifiers hh h l ll z j t L) and formats integers, characters,
 * strings and pointers; floating-point conversions go to format_float.c. Output goes to a sink,
 * so the same code serves printf (console) and snprintf (memory). Behaviour follows glibc where
 * the C standard leaves a choice: "(null)" for a NULL %s, "(nil)" for a NULL %p. */
#include <limits.h>
#include <stdint.h>

#include "format.h"

/* Length modifiers. */
enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF,
	      LEN_LDOUBLE };

static size_t text_length(const char *text, long max)
{
	size_t len = 0;

	while ((max < 0 || (long)len < max) && text[len] != '\0')
		len++;
	return len;
}

void nolibc_put_fill(struct nolibc_sink *sink, char fill, long count)
{
	static const char spaces[16] = "                ";
	static const char zeros[16] = "0000000000000000";
	const char *chunk = fill == '0' ? zeros : spaces;

	while (count > 0) {
		size_t now = count > 16 ? 16 : (size_t)count;

		sink->put(sink, chunk, now);
		count -= (long)now;
	}
}

/* Pads a finished body (prefix, then digits) to the field width. */
static long put_padded(struct nolibc_sink *sink, const struct nolibc_spec *spec,
		       const char *prefix, size_t prefix_len, long leading_zeros,
		       const char *body, size_t body_len)
{
	long len = (long)prefix_len + leading_zeros + (long)body_len;
	long pad = spec->width > len ? spec->width - len : 0;

	if (!spec->left && !spec->zero)
		nolibc_put_fill(sink, ' ', pad);
	if (prefix_len)
		sink->put(sink, prefix, prefix_len);
	if (!spec->left && spec->zero)
		nolibc_put_fill(sink, '0', pad);
	nolibc_put_fill(sink, '0', leading_zeros);
	if (body_len)
		sink->put(sink, body, body_len);
	if (spec->left)
		nolibc_put_fill(sink, ' ', pad);
	return len + pad;
}

/* %d %i %u %o %x %X %p: value is the magnitude, negative tells the sign. */
static long format_integer(struct nolibc_sink *sink, struct nolibc_spec *spec,
			   uintmax_t value, int negative)
{
	char digits[24];
	char prefix[3];
	size_t prefix_len = 0;
	size_t count = 0;
	unsigned base = 10;
	const char *alphabet = "0123456789abcdef";
	long leading_zeros;

	if (spec->conv == 'o')
		base = 8;
	else if (spec->conv == 'x' || spec->conv == 'p')
		base = 16;
	else if (spec->conv == 'X') {
		base = 16;
		alphabet = "0123456789ABCDEF";
	}

	if (spec->precision >= 0)
		spec->zero = 0;
	for (uintmax_t rest = value; rest != 0; rest /= base)
		digits[sizeof(digits) - ++count] = alphabet[rest % base];
	if (value == 0 && spec->precision != 0)
		digits[sizeof(digits) - ++count] = '0';

	if (negative)
		prefix[prefix_len++] = '-';
	else if ((spec->conv == 'd' || spec->conv == 'i') && spec->plus)
		prefix[prefix_len++] = '+';
	else if ((spec->conv == 'd' || spec->conv == 'i') && spec->space)
		prefix[prefix_len++] = ' ';
	if ((spec->alt && value != 0 && base == 16) || spec->conv == 'p') {
		prefix[prefix_len++] = '0';
		prefix[prefix_len++] = spec->conv == 'X' ? 'X' : 'x';
	}

	leading_zeros = spec->precision > (long)count ? spec->precision - (long)count : 0;
	/* '#' with %o: the first digit must be 0. */
	if (spec->alt && base == 8 && leading_zeros == 0 &&
	    (count == 0 || digits[sizeof(digits) - count] != '0'))
		leading_zeros = 1;
	return put_padded(sink, spec, prefix, prefix_len, leading_zeros,
			  digits + sizeof(digits) - count, count);
}

static intmax_t signed_argument(enum length length, va_list *ap)
{
	switch (length) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return va_arg(*ap, long); /* ssize_t */
	case LEN_MAX: return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

static uintmax_t unsigned_argument(enum length length, va_list *ap)
{
	switch (length) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* Parses flags, width and precision after '%'; returns the first character after them. */
static const char *parse_spec(const char *p, struct nolibc_spec *spec, va_list *ap)
{
	*spec = (struct nolibc_spec){ .precision = -1 };
	for (;; p++) {
		if (*p == '-')
			spec->left = 1;
		else if (*p == '+')
			spec->plus = 1;
		else if (*p == ' ')
			spec->space = 1;
		else if (*p == '0')
			spec->zero = 1;
		else if (*p == '#')
			spec->alt = 1;
		else if (*p != '\'') /* thousands grouping: nothing to group in the C locale */
			break;
	}
	if (*p == '*') {
		int width = va_arg(*ap, int);

		if (width < 0) {
			spec->left = 1;
			width = width == INT_MIN ? INT_MAX : -width;
		}
		spec->width = width;
		p++;
	} else {
		for (; *p >= '0' && *p <= '9'; p++)
			spec->width = spec->width > (INT_MAX - 9) / 10 ? INT_MAX
								       : spec->width * 10 + (*p - '0');
	}
	if (*p == '.') {
		p++;
		spec->precision = 0;
		if (*p == '*') {
			int precision = va_arg(*ap, int);

			spec->precision = precision < 0 ? -1 : precision;
			p++;
		} else {
			for (; *p >= '0' && *p <= '9'; p++)
				spec->precision = spec->precision > (INT_MAX - 9) / 10
							  ? INT_MAX
							  : spec->precision * 10 + (*p - '0');
		}
	}
	if (spec->left)
		spec->zero = 0;
	return p;
}

static const char *parse_length(const char *p, enum length *length)
{
	*length = LEN_INT;
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*length = LEN_CHAR;
			return p + 2;
		}
		*length = LEN_SHORT;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*length = LEN_LLONG;
			return p + 2;
		}
		*length = LEN_LONG;
		return p + 1;
	case 'q': *length = LEN_LLONG; return p + 1;
	case 'z': *length = LEN_SIZE; return p + 1;
	case 'j': *length = LEN_MAX; return p + 1;
	case 't': *length = LEN_PTRDIFF; return p + 1;
	case 'L': *length = LEN_LDOUBLE; return p + 1;
	default: return p;
	}
}

/* Stores the count for %n. */
static void store_count(enum length length, va_list *ap, long count)
{
	switch (length) {
	case LEN_CHAR: *va_arg(*ap, signed char *) = (signed char)count; break;
	case LEN_SHORT: *va_arg(*ap, short *) = (short)count; break;
	case LEN_LONG: case LEN_SIZE: case LEN_PTRDIFF: *va_arg(*ap, long *) = count; break;
	case LEN_LLONG: *va_arg(*ap, long long *) = count; break;
	case LEN_MAX: *va_arg(*ap, intmax_t *) = count; break;
	default: *va_arg(*ap, int *) = (int)count; break;
	}
}

/* Formats one conversion (p points at the conversion character); returns its length. */
static long format_one(struct nolibc_sink *sink, struct nolibc_spec *spec, enum length length,
		       va_list *ap, long produced)
{
	switch (spec->conv) {
	case 'd':
	case 'i': {
		intmax_t value = signed_argument(length, ap);

		return format_integer(sink, spec, value < 0 ? -(uintmax_t)value : (uintmax_t)value,
				      value < 0);
	}
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		return format_integer(sink, spec, unsigned_argument(length, ap), 0);
	case 'p': {
		void *pointer = va_arg(*ap, void *);

		if (pointer == NULL) {
			spec->zero = 0;
			return put_padded(sink, spec, NULL, 0, 0, "(nil)", 5);
		}
		spec->plus = spec->space = 0;
		return format_integer(sink, spec, (uintptr_t)pointer, 0);
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		spec->zero = 0;
		return put_padded(sink, spec, NULL, 0, 0, &c, 1);
	}
	case 's': {
		const char *text = va_arg(*ap, const char *);

		spec->zero = 0;
		if (text == NULL)
			text = spec->precision < 0 || spec->precision >= 6 ? "(null)" : "";
		return put_padded(sink, spec, NULL, 0, 0, text, text_length(text, spec->precision));
	}
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G': {
		double value = length == LEN_LDOUBLE ? (double)va_arg(*ap, long double)
						     : va_arg(*ap, double);

		return nolibc_format_double(sink, spec, value);
	}
	case 'n':
		store_count(length, ap, produced);
		return 0;
	case '%':
		sink->put(sink, "%", 1);
		return 1;
	default:
		return -1;
	}
}

int nolibc_vformat(struct nolibc_sink *sink, const char *fmt, va_list ap)
{
	long produced = 0;
	va_list args;

	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;
		struct nolibc_spec spec;
		enum length length;
		long len;

		while (*fmt != '\0' && *fmt != '%')
			fmt++;
		if (fmt != start) {
			sink->put(sink, start, (size_t)(fmt - start));
			produced += fmt - start;
		}
		if (*fmt == '\0')
			break;
		start = fmt;
		fmt = parse_spec(fmt + 1, &spec, &args);
		fmt = parse_length(fmt, &length);
		spec.conv = *fmt;
		if (spec.conv == '\0') {
			/* A lone '%' at the end: print it as it is. */
			sink->put(sink, start, (size_t)(fmt - start));
			produced += fmt - start;
			break;
		}
		fmt++;
		len = format_one(sink, &spec, length, &args, produced);
		if (len < 0) {
			/* Unknown conversion: print the specification as it is. */
			sink->put(sink, start, (size_t)(fmt - start));
			len = fmt - start;
		}
		produced += len;
	}
	va_end(args);
	return produced > INT_MAX ? -1 : (int)produced;
}

/* The memory sink of snprintf: keeps what fits, counts everything. */
struct buffer_sink {
	struct nolibc_sink sink;
	char *buf;
	size_t room; /* bytes left for text, not counting the final NUL */
};

static void buffer_put(struct nolibc_sink *sink, const char *text, size_t len)
{
	struct buffer_sink *buffer = (struct buffer_sink *)sink;
	size_t now = len < buffer->room ? len : buffer->room;

	for (size_t i = 0; i < now; i++)
		buffer->buf[i] = text[i];
	buffer->buf += now;
	buffer->room -= now;
}

int nolibc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer_sink buffer = { { buffer_put }, buf, size ? size - 1 : 0 };
	int len = nolibc_vformat(&buffer.sink, fmt, ap);

	if (size)
		*buffer.buf = '\0';
	return len;
}
