/* Host test of nolibc's printf engine: formats a list of specifications and many random values
 * with both nolibc_vsnprintf (format.c + format_float.c, compiled against nolibc's headers) and
 * glibc's snprintf, and reports every difference in text or return value.
 * Run with tests/run.sh. */
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int nolibc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

static int checks;
static int failures;

static void compare(const char *fmt, ...)
{
	char ours[2048], theirs[2048];
	va_list ap, ap2;
	int ours_len, theirs_len;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	ours_len = nolibc_vsnprintf(ours, sizeof(ours), fmt, ap);
	theirs_len = vsnprintf(theirs, sizeof(theirs), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	checks++;
	if (ours_len != theirs_len || strcmp(ours, theirs) != 0) {
		failures++;
		if (failures <= 40)
			printf("MISMATCH %-12s ours=[%s](%d) glibc=[%s](%d)\n", fmt, ours, ours_len,
			       theirs, theirs_len);
	}
}

/* Truncation and the return value when the buffer is small. */
static void compare_truncated(size_t size, const char *fmt, ...)
{
	char ours[64], theirs[64];
	va_list ap, ap2;
	int ours_len, theirs_len;

	memset(ours, 'X', sizeof(ours));
	memset(theirs, 'X', sizeof(theirs));
	va_start(ap, fmt);
	va_copy(ap2, ap);
	ours_len = nolibc_vsnprintf(ours, size, fmt, ap);
	theirs_len = vsnprintf(theirs, size, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	checks++;
	if (ours_len != theirs_len || memcmp(ours, theirs, sizeof(ours)) != 0) {
		failures++;
		printf("MISMATCH truncated(%zu) %s: ours=%d glibc=%d\n", size, fmt, ours_len,
		       theirs_len);
	}
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double random_double(void)
{
	uint64_t bits = next_random();
	double value;

	switch (bits % 4) {
	case 0: /* any bit pattern */
		memcpy(&value, &bits, sizeof(value));
		return value;
	case 1: /* "ordinary" magnitudes */
		return ((double)(int64_t)next_random() / (double)INT64_MAX) *
		       pow(10.0, (double)(next_random() % 21) - 10.0);
	case 2: /* short decimals, to hit exact ties */
		return (double)((int64_t)(next_random() % 200001) - 100000) / 8.0;
	default:
		return (double)(int64_t)(next_random() % 2000001 - 1000000) / 1000.0;
	}
}

static void fixed_cases(void)
{
	int n1 = 0, n2 = 0;

	compare("hello, world");
	compare("%%");
	compare("%d %i %u", 0, -1, 42u);
	compare("%d %d", INT_MIN, INT_MAX);
	compare("%ld %lu", LONG_MIN, ULONG_MAX);
	compare("%lld %llu", LLONG_MIN, ULLONG_MAX);
	compare("%hhd %hhu %hd %hu", 300, 300, 70000, 70000);
	compare("%zd %zu %jd %ju %td", (ssize_t)-5, (size_t)5, (intmax_t)-7, (uintmax_t)7,
		(ptrdiff_t)-9);
	compare("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]", 42, 42, 42, 42, 42, 42, 42);
	compare("[%.3d] [%8.3d] [%-8.3d] [%08.3d] [%.0d] [%.0d]", 7, 7, 7, 7, 0, 1);
	compare("[%x] [%X] [%#x] [%#X] [%#o] [%o] [%#.0o] [%#x]", 255u, 255u, 255u, 255u, 8u, 8u, 0u,
		0u);
	compare("[%#10x] [%#-10x] [%#010x] [%#.5x]", 0xabcu, 0xabcu, 0xabcu, 0xabcu);
	compare("[%c] [%3c] [%-3c]", 'a', 'b', 'c');
	compare("[%s] [%10s] [%-10s] [%.2s] [%10.2s]", "abc", "abc", "abc", "abc", "abc");
	compare("[%s] [%.3s]", (char *)NULL, (char *)NULL);
	compare("[%p] [%20p] [%-20p]", (void *)0x1234, (void *)0x1234, (void *)0x1234);
	compare("[%p] [%10p]", (void *)NULL, (void *)NULL);
	compare("[%*d] [%-*d] [%*d] [%.*d] [%.*d]", 6, 1, 6, 2, -6, 3, 4, 5, -1, 6);
	compare("[%*.*f]", 10, 3, 3.14159);
	compare("abc%n def%hhn", &n1, &n2);
	compare("[%f] [%e] [%g] [%E] [%G] [%F]", 3.14159, 3.14159, 3.14159, 314159.0, 0.000031415,
		2.5);
	compare("[%.0f] [%.0f] [%.0f] [%.0f] [%.1f] [%.2f]", 0.5, 1.5, 2.5, -0.5, 0.25, 1.005);
	compare("[%f] [%f] [%e] [%g]", 0.0, -0.0, 0.0, 0.0);
	compare("[%f] [%F] [%e] [%g] [%5f] [%-6f|] [%+f] [%010f]", INFINITY, INFINITY, -INFINITY,
		INFINITY, INFINITY, INFINITY, INFINITY, -INFINITY);
	compare("[%f] [%F] [%g] [%e] [%10f]", NAN, NAN, -NAN, NAN, NAN);
	compare("[%.20f] [%.30e] [%.40g]", 0.1, 0.1, 0.1);
	compare("[%f] [%e] [%g]", DBL_MAX, DBL_MAX, DBL_MAX);
	compare("[%.1000f]", DBL_MIN);
	compare("[%e] [%g] [%.20e]", 4.9406564584124654e-324, 4.9406564584124654e-324,
		4.9406564584124654e-324);
	compare("[%#.0f] [%#.0e] [%#g] [%#.3g] [%g] [%.3g]", 3.0, 3.0, 1.0, 1.0, 100000.0, 1e-5);
	compare("[%g] [%g] [%g] [%g] [%g]", 123456.0, 1234567.0, 0.0001, 0.00001, 1e100);
	compare("[%010.3f] [%-10.3f|] [%+.3e] [% .3e] [%+010.2e]", -3.14159, 3.14159, 3.14159,
		3.14159, -3.14159);
	compare("[%.0e] [%.0g] [%.1g] [%.2g]", 9.5, 9.5, 0.95, 99.5);
	compare("[%Lf] [%Lg]", (long double)1.25, (long double)1e10);
	compare("[%5%] [%-5%]");
	compare("unknown %y conversion");
	compare_truncated(0, "%d", 12345);
	compare_truncated(1, "%d", 12345);
	compare_truncated(4, "%s-%d", "abcdef", 12345);
	compare_truncated(10, "%.3f", 3.14159);
}

static void random_cases(void)
{
	static const char *double_formats[] = {
		"%f", "%e", "%g", "%.0f", "%.1f", "%.3f", "%.10f", "%.17g", "%.0e", "%.3e",
		"%.15e", "%#g", "%.1g", "%.3g", "%.12g", "%+12.4e", "%-14.6g|", "%015.5f",
		"%#.0f", "%G", "%E",
	};
	static const char *integer_formats[] = {
		"%ld", "%lu", "%lx", "%lX", "%lo", "%#lx", "%#lo", "%20ld", "%-20ld|", "%020ld",
		"%.15ld", "%+ld", "% ld", "%hhd", "%hd", "%hu", "%hhx",
	};

	for (int i = 0; i < 20000; i++) {
		double value = random_double();

		for (size_t f = 0; f < sizeof(double_formats) / sizeof(*double_formats); f++) {
			/* Skip huge %f outputs that exceed the comparison buffer. */
			if (double_formats[f][strlen(double_formats[f]) - 1] == 'f' &&
			    fabs(value) > 1e300)
				continue;
			compare(double_formats[f], value);
		}
	}
	for (int i = 0; i < 20000; i++) {
		long value = (long)next_random() >> (next_random() % 64);

		for (size_t f = 0; f < sizeof(integer_formats) / sizeof(*integer_formats); f++)
			compare(integer_formats[f], value);
	}
}

int main(void)
{
	fixed_cases();
	random_cases();
	printf("printf: %d passed, %d failed\n", checks - failures, failures);
	return failures != 0;
}
