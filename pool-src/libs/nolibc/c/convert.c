/* nolibc: string to number conversions (strtol family, atoi) and absolute values. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

/* Parses an unsigned magnitude like strtoull; *negative tells a leading '-', *overflow an
 * out-of-range magnitude. Returns the magnitude (saturated at ULLONG_MAX). */
static unsigned long long parse_magnitude(const char *str, char **end, int base, int *negative,
					  int *overflow)
{
	const char *p = str;
	unsigned long long value = 0;
	int any = 0;

	*negative = 0;
	*overflow = 0;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)str;
		return 0;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit((unsigned char)p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int digit;

		if (isdigit((unsigned char)*p))
			digit = *p - '0';
		else if (isalpha((unsigned char)*p))
			digit = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (digit >= base)
			break;
		any = 1;
		if (value > (ULLONG_MAX - (unsigned)digit) / (unsigned)base) {
			*overflow = 1;
			value = ULLONG_MAX;
		} else if (!*overflow) {
			value = value * (unsigned)base + (unsigned)digit;
		}
	}
	if (end)
		*end = (char *)(any ? p : str);
	return value;
}

/* Signed conversion clamped to [min, max]. */
static long long to_signed(const char *str, char **end, int base, long long min, long long max)
{
	int negative, overflow;
	unsigned long long magnitude = parse_magnitude(str, end, base, &negative, &overflow);

	if (negative) {
		if (overflow || magnitude > (unsigned long long)max + 1) {
			errno = ERANGE;
			return min;
		}
		return magnitude == (unsigned long long)max + 1 ? min : -(long long)magnitude;
	}
	if (overflow || magnitude > (unsigned long long)max) {
		errno = ERANGE;
		return max;
	}
	return (long long)magnitude;
}

/* Unsigned conversion clamped to max; a '-' negates modulo 2^n, as C requires. */
static unsigned long long to_unsigned(const char *str, char **end, int base,
				      unsigned long long max)
{
	int negative, overflow;
	unsigned long long magnitude = parse_magnitude(str, end, base, &negative, &overflow);

	if (overflow || magnitude > max) {
		errno = ERANGE;
		return max;
	}
	return negative ? (-magnitude & max) : magnitude;
}

long strtol(const char *restrict str, char **restrict end, int base)
{
	return (long)to_signed(str, end, base, LONG_MIN, LONG_MAX);
}

long long strtoll(const char *restrict str, char **restrict end, int base)
{
	return to_signed(str, end, base, LLONG_MIN, LLONG_MAX);
}

unsigned long strtoul(const char *restrict str, char **restrict end, int base)
{
	return (unsigned long)to_unsigned(str, end, base, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict str, char **restrict end, int base)
{
	return to_unsigned(str, end, base, ULLONG_MAX);
}

intmax_t strtoimax(const char *str, char **end, int base)
{
	return to_signed(str, end, base, INTMAX_MIN, INTMAX_MAX);
}

uintmax_t strtoumax(const char *str, char **end, int base)
{
	return to_unsigned(str, end, base, UINTMAX_MAX);
}

int atoi(const char *str)
{
	return (int)strtol(str, NULL, 10);
}

long atol(const char *str)
{
	return strtol(str, NULL, 10);
}

long long atoll(const char *str)
{
	return strtoll(str, NULL, 10);
}

int abs(int value)
{
	return value < 0 ? -value : value;
}

long labs(long value)
{
	return value < 0 ? -value : value;
}

long long llabs(long long value)
{
	return value < 0 ? -value : value;
}
