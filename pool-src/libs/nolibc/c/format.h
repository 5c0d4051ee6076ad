/* nolibc internal: the printf engine, shared by stdio.c (console and string sinks) and the host
 * test. Nothing here is exported from the library. */
#ifndef NOLIBC_FORMAT_H
#define NOLIBC_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Where formatted text goes: put() receives every piece in order. */
struct nolibc_sink {
	void (*put)(struct nolibc_sink *sink, const char *text, size_t len);
};

/* One parsed conversion specification. */
struct nolibc_spec {
	int left;      /* '-' */
	int plus;      /* '+' */
	int space;     /* ' ' */
	int zero;      /* '0' */
	int alt;       /* '#' */
	int width;     /* 0 when absent */
	int precision; /* -1 when absent */
	char conv;     /* conversion character */
};

/* Formats like vprintf into sink; returns the number of characters produced (saturated at
 * INT_MAX by the callers' checks). */
int nolibc_vformat(struct nolibc_sink *sink, const char *fmt, va_list ap);

/* Pads with fill to reach width, around a body of len characters (helpers of format.c). */
void nolibc_put_fill(struct nolibc_sink *sink, char fill, long count);

/* Formats a double for %e %E %f %F %g %G; returns the number of characters produced. */
long nolibc_format_double(struct nolibc_sink *sink, const struct nolibc_spec *spec, double value);

/* Formats into buf of size (NUL-terminated when size > 0); returns the untruncated length. */
int nolibc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
