/* nolibc: strtod, strtof and atof, correctly rounded (round half to even, like glibc).
 *
 * The significant digits are kept as text (up to MAX_DIGITS; any non-zero digit beyond only
 * matters as "a little more", which a final 1 stands for). A first guess comes from the first
 * 19 digits scaled in x87 extended precision; it is then checked against the exact value: the
 * decimal D * 10^a is compared with the midpoints between the guess and its neighbours using
 * big integers (base 10^9), and the guess moves by one ulp until the value lies between them.
 * Accepts decimal and hexadecimal (0x1.8p3) forms, "inf", "infinity" and "nan",
 * case-insensitively; sets ERANGE on overflow and on underflow to zero. strtof rounds the
 * double to float (which can differ from direct rounding in rare double-rounding cases).
 * Stack use: about 3.3 KB (two big integers and the digits). */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

/* Significant digits kept exactly: more than the 767 a double's midpoint can need. */
#define MAX_DIGITS 780
#define LIMB_BASE 1000000000u
/* Big enough for D * 5^310 * 2^2100 and the like (about 2,700 decimal digits). */
#define MAX_LIMBS 300

struct big {
	uint32_t limbs[MAX_LIMBS]; /* least significant first, base 10^9 */
	int count;
};

static void big_multiply(struct big *n, uint32_t factor)
{
	uint64_t carry = 0;

	for (int i = 0; i < n->count; i++) {
		uint64_t product = (uint64_t)n->limbs[i] * factor + carry;

		n->limbs[i] = (uint32_t)(product % LIMB_BASE);
		carry = product / LIMB_BASE;
	}
	while (carry != 0 && n->count < MAX_LIMBS) {
		n->limbs[n->count++] = (uint32_t)(carry % LIMB_BASE);
		carry /= LIMB_BASE;
	}
}

static void big_add(struct big *n, uint32_t value)
{
	uint64_t carry = value;

	for (int i = 0; i < n->count && carry != 0; i++) {
		uint64_t sum = n->limbs[i] + carry;

		n->limbs[i] = (uint32_t)(sum % LIMB_BASE);
		carry = sum / LIMB_BASE;
	}
	if (carry != 0 && n->count < MAX_LIMBS)
		n->limbs[n->count++] = (uint32_t)carry;
}

static void big_from_u64(struct big *n, uint64_t value)
{
	n->count = 0;
	do {
		n->limbs[n->count++] = (uint32_t)(value % LIMB_BASE);
		value /= LIMB_BASE;
	} while (value != 0);
}

static void big_shift_left(struct big *n, long bits)
{
	for (; bits >= 29; bits -= 29)
		big_multiply(n, UINT32_C(1) << 29);
	if (bits > 0)
		big_multiply(n, UINT32_C(1) << bits);
}

static void big_times_power_of_five(struct big *n, long power)
{
	for (; power >= 13; power -= 13)
		big_multiply(n, 1220703125u); /* 5^13 */
	for (; power > 0; power--)
		big_multiply(n, 5);
}

static int big_compare(const struct big *a, const struct big *b)
{
	if (a->count != b->count)
		return a->count < b->count ? -1 : 1;
	for (int i = a->count - 1; i >= 0; i--)
		if (a->limbs[i] != b->limbs[i])
			return a->limbs[i] < b->limbs[i] ? -1 : 1;
	return 0;
}

/* A decimal number: digits[0..count) as an integer times 10^exponent. */
struct decimal {
	char digits[MAX_DIGITS + 1];
	int count;
	long exponent;
};

/* Compares the decimal with mantissa * 2^power. */
static int compare_with_binary(const struct decimal *d, uint64_t mantissa, long power)
{
	struct big left, right;
	long twos = d->exponent - power; /* D * 2^twos * 5^exponent  vs  mantissa */
	int i = 0;

	left.count = 1;
	left.limbs[0] = 0;
	while (i < d->count) {
		int chunk = (d->count - i) % 9 ? (d->count - i) % 9 : 9;
		uint32_t value = 0;
		uint32_t scale = 1;

		for (int j = 0; j < chunk; j++, i++) {
			value = value * 10 + (uint32_t)(d->digits[i] - '0');
			scale *= 10;
		}
		big_multiply(&left, scale);
		big_add(&left, value);
	}
	big_from_u64(&right, mantissa);
	if (twos > 0)
		big_shift_left(&left, twos);
	else
		big_shift_left(&right, -twos);
	if (d->exponent > 0)
		big_times_power_of_five(&left, d->exponent);
	else
		big_times_power_of_five(&right, -d->exponent);
	return big_compare(&left, &right);
}

union bits {
	double value;
	uint64_t raw;
};

/* Moves a non-negative guess to the correctly rounded double of d. */
static double round_exactly(const struct decimal *d, double guess)
{
	union bits b = { guess };

	if (b.raw > UINT64_C(0x7fefffffffffffff))
		b.raw = UINT64_C(0x7fefffffffffffff); /* start from DBL_MAX instead of inf */
	for (int step = 0; step < 4; step++) {
		uint64_t field = b.raw >> 52;
		uint64_t mantissa = b.raw & ((UINT64_C(1) << 52) - 1);
		long power;
		int above, below;

		if (field == 0) {
			power = -1074;
		} else {
			mantissa |= UINT64_C(1) << 52;
			power = (long)field - 1075;
		}
		/* Upper midpoint: (2m + 1) * 2^(power - 1). */
		above = compare_with_binary(d, 2 * mantissa + 1, power - 1);
		if (above > 0 || (above == 0 && (mantissa & 1))) {
			b.raw++; /* the next double up (DBL_MAX + 1 ulp is inf) */
			if (b.raw >= UINT64_C(0x7ff0000000000000))
				return __builtin_inf();
			continue;
		}
		if (b.raw == 0)
			break;
		/* Lower midpoint; the gap below a power of two is half as wide. */
		if (mantissa == UINT64_C(1) << 52 && field > 1)
			below = compare_with_binary(d, 4 * mantissa - 1, power - 2);
		else
			below = compare_with_binary(d, 2 * mantissa - 1, power - 1);
		if (below < 0 || (below == 0 && (mantissa & 1))) {
			b.raw--;
			continue;
		}
		break;
	}
	return b.value;
}

/* 10^exponent in extended precision, by binary powering. */
static long double power_of_ten(long exponent)
{
	long double result = 1.0L;
	long double square = 10.0L;
	unsigned long magnitude = exponent < 0 ? -(unsigned long)exponent : (unsigned long)exponent;

	for (; magnitude != 0; magnitude >>= 1) {
		if (magnitude & 1)
			result *= square;
		square *= square;
	}
	return exponent < 0 ? 1.0L / result : result;
}

static int starts_with_word(const char *p, const char *word)
{
	for (; *word != '\0'; p++, word++)
		if (tolower((unsigned char)*p) != *word)
			return 0;
	return 1;
}

/* Reads an exponent suffix ("e-12", "p+3") at p; returns p unchanged when there is none. */
static const char *parse_exponent(const char *p, char letter, long *exponent)
{
	const char *q = p;
	int negative = 0;
	long value = 0;

	if (tolower((unsigned char)*q) != letter)
		return p;
	q++;
	if (*q == '+' || *q == '-')
		negative = *q++ == '-';
	if (!isdigit((unsigned char)*q))
		return p;
	for (; isdigit((unsigned char)*q); q++)
		if (value < 100000)
			value = value * 10 + (*q - '0');
	*exponent = negative ? -value : value;
	return q;
}

/* Hexadecimal significand after "0x"; sets *end past it, or leaves it NULL if there is none. */
static double parse_hex(const char *p, const char **end)
{
	uint64_t mantissa = 0;
	long exponent = 0;
	long binary = 0;
	int any = 0;
	int seen_point = 0;
	long double value;

	for (;; p++) {
		int digit;

		if (*p == '.' && !seen_point) {
			seen_point = 1;
			continue;
		}
		if (isdigit((unsigned char)*p))
			digit = *p - '0';
		else if (isxdigit((unsigned char)*p))
			digit = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		any = 1;
		if (mantissa >> 60 == 0) {
			mantissa = mantissa * 16 + (unsigned)digit;
			if (seen_point)
				binary -= 4;
		} else if (!seen_point) {
			binary += 4; /* digits beyond the 64-bit mantissa only scale */
		}
	}
	if (!any)
		return 0;
	*end = parse_exponent(p, 'p', &exponent);
	value = (long double)mantissa;
	for (long total = binary + exponent; total > 0 && value <= 1e4000L; total--)
		value *= 2.0L;
	for (long total = binary + exponent; total < 0 && value != 0; total++)
		value *= 0.5L;
	return (double)value;
}

/* Reads decimal digits with an optional point and exponent into d; returns the end, or NULL
 * when there is no digit. */
static const char *parse_decimal(const char *p, struct decimal *d)
{
	int any = 0;
	int seen_point = 0;
	int sticky = 0;
	long exponent = 0;

	d->count = 0;
	d->exponent = 0;
	for (;; p++) {
		if (*p == '.' && !seen_point) {
			seen_point = 1;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			break;
		any = 1;
		if (d->count == 0 && *p == '0') {
			if (seen_point)
				d->exponent--;
		} else if (d->count < MAX_DIGITS) {
			d->digits[d->count++] = *p;
			if (seen_point)
				d->exponent--;
		} else {
			sticky |= *p != '0';
			if (!seen_point)
				d->exponent++;
		}
	}
	if (!any)
		return NULL;
	p = parse_exponent(p, 'e', &exponent);
	d->exponent += exponent;
	if (sticky) {
		d->digits[d->count++] = '1';
		d->exponent--;
	}
	return p;
}

/* The double nearest to d (not negative). */
static double decimal_to_double(const struct decimal *d)
{
	long magnitude = d->count + d->exponent; /* d < 10^magnitude */
	uint64_t leading = 0;
	int used = d->count < 19 ? d->count : 19;
	double guess;

	if (d->count == 0)
		return 0;
	if (magnitude > 310) {
		errno = ERANGE;
		return __builtin_inf();
	}
	if (magnitude < -330) {
		errno = ERANGE;
		return 0;
	}
	for (int i = 0; i < used; i++)
		leading = leading * 10 + (uint64_t)(d->digits[i] - '0');
	guess = (double)((long double)leading * power_of_ten(d->exponent + d->count - used));
	guess = round_exactly(d, guess);
	if (guess == 0 || guess == __builtin_inf())
		errno = ERANGE;
	return guess;
}

double strtod(const char *restrict str, char **restrict end)
{
	struct decimal d;
	const char *p = str;
	int negative = 0;
	double value;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';

	if (starts_with_word(p, "inf")) {
		p += starts_with_word(p, "infinity") ? 8 : 3;
		value = __builtin_inf();
	} else if (starts_with_word(p, "nan")) {
		p += 3;
		value = __builtin_nan("");
	} else if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		const char *hex_end = NULL;

		value = parse_hex(p + 2, &hex_end);
		p = hex_end != NULL ? hex_end : p + 1; /* just "0": the 'x' is not part of it */
	} else {
		const char *decimal_end = parse_decimal(p, &d);

		if (decimal_end == NULL) {
			if (end)
				*end = (char *)str;
			return 0;
		}
		p = decimal_end;
		value = decimal_to_double(&d);
	}
	if (end)
		*end = (char *)p;
	return negative ? -value : value;
}

float strtof(const char *restrict str, char **restrict end)
{
	return (float)strtod(str, end);
}

double atof(const char *str)
{
	return strtod(str, NULL);
}
