/* nolibc: stdio over the platform console. stdout and stderr both write to
 * ukplat_console_write; a formatted call collects its text in a small stack buffer and writes
 * it in as few console calls as possible, so nothing stays buffered between calls (fflush has
 * nothing to do, and nothing is lost when the unikernel stops). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "imports.h"

struct __nolibc_file {
	int fd;
};

static FILE stdin_file = { 0 };
static FILE stdout_file = { 1 };
static FILE stderr_file = { 2 };

FILE *stdin = &stdin_file;
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

/* Whether the stream writes to the console; sets errno otherwise. */
static int writable(FILE *stream)
{
	if (stream != NULL && (stream->fd == 1 || stream->fd == 2))
		return 1;
	errno = EBADF;
	return 0;
}

/* The console sink: collects up to 256 bytes before each console write. */
struct console_sink {
	struct nolibc_sink sink;
	size_t used;
	char buf[256];
};

static void console_flush(struct console_sink *console)
{
	if (console->used) {
		ukplat_console_write(console->buf, console->used);
		console->used = 0;
	}
}

static void console_put(struct nolibc_sink *sink, const char *text, size_t len)
{
	struct console_sink *console = (struct console_sink *)sink;

	if (len > sizeof(console->buf) - console->used) {
		console_flush(console);
		if (len > sizeof(console->buf)) {
			ukplat_console_write(text, len);
			return;
		}
	}
	memcpy(console->buf + console->used, text, len);
	console->used += len;
}

int vfprintf(FILE *restrict stream, const char *restrict fmt, va_list ap)
{
	struct console_sink console = { { console_put }, 0, { 0 } };
	int len;

	if (!writable(stream))
		return -1;
	len = nolibc_vformat(&console.sink, fmt, ap);
	console_flush(&console);
	return len;
}

int fprintf(FILE *restrict stream, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vfprintf(stream, fmt, ap);
	va_end(ap);
	return len;
}

int vprintf(const char *restrict fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return len;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt, va_list ap)
{
	return nolibc_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = nolibc_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

int vsprintf(char *restrict buf, const char *restrict fmt, va_list ap)
{
	return nolibc_vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
}

int sprintf(char *restrict buf, const char *restrict fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsprintf(buf, fmt, ap);
	va_end(ap);
	return len;
}

size_t fwrite(const void *restrict buf, size_t size, size_t count, FILE *restrict stream)
{
	if (size == 0 || count == 0 || !writable(stream))
		return 0;
	ukplat_console_write(buf, size * count);
	return count;
}

int fputs(const char *restrict s, FILE *restrict stream)
{
	if (!writable(stream))
		return EOF;
	ukplat_console_write(s, strlen(s));
	return 0;
}

int puts(const char *s)
{
	size_t len = strlen(s);
	struct console_sink console = { { console_put }, 0, { 0 } };

	console_put(&console.sink, s, len);
	console_put(&console.sink, "\n", 1);
	console_flush(&console);
	return 0;
}

int fputc(int c, FILE *stream)
{
	char byte = (char)c;

	if (!writable(stream))
		return EOF;
	ukplat_console_write(&byte, 1);
	return (unsigned char)byte;
}

int putc(int c, FILE *stream)
{
	return fputc(c, stream);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fflush(FILE *stream)
{
	(void)stream;
	return 0;
}

void perror(const char *prefix)
{
	if (prefix != NULL && *prefix != '\0')
		fprintf(stderr, "%s: %s\n", prefix, strerror(errno));
	else
		fprintf(stderr, "%s\n", strerror(errno));
}

int getchar(void)
{
	return EOF;
}
