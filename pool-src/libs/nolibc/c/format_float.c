/* nolibc: %e %f %g for doubles, exactly. A finite double is m * 2^e with an integer m; its
 * decimal expansion is finite, so we compute all of it with a small big-number (base 10^9
 * limbs: m << e when e >= 0, m * 5^-e shifted by -e decimal places otherwise), then round at
 * the requested digit with round-half-even on exact ties, as glibc does. At most 767
 * significant digits exist (for the smallest subnormals), so everything fits on the stack. */
#include <stdint.h>

#include "format.h"

#define LIMB_BASE 1000000000u
/* 2^1024 needs 35 limbs; 2^53 * 5^1074 needs 86. */
#define MAX_LIMBS 96
#define MAX_DIGITS (MAX_LIMBS * 9)

/* A decimal expansion: value = 0.digits * 10^point (digits without leading or trailing
 * zeros; count == 0 means zero). */
struct decimal {
	char digits[MAX_DIGITS];
	int count;
	int point;
};

/* A big natural number, least significant limb first. */
struct bignum {
	uint32_t limbs[MAX_LIMBS];
	int count;
};

static void bignum_multiply(struct bignum *n, uint32_t factor)
{
	uint64_t carry = 0;

	for (int i = 0; i < n->count; i++) {
		uint64_t product = (uint64_t)n->limbs[i] * factor + carry;

		n->limbs[i] = (uint32_t)(product % LIMB_BASE);
		carry = product / LIMB_BASE;
	}
	while (carry != 0) {
		n->limbs[n->count++] = (uint32_t)(carry % LIMB_BASE);
		carry /= LIMB_BASE;
	}
}

/* Writes the decimal digits of n, most significant first; returns how many. */
static int bignum_digits(const struct bignum *n, char *out)
{
	int len = 0;
	char group[9];

	for (int i = n->count - 1; i >= 0; i--) {
		uint32_t limb = n->limbs[i];

		for (int j = 8; j >= 0; j--) {
			group[j] = (char)('0' + limb % 10);
			limb /= 10;
		}
		for (int j = 0; j < 9; j++)
			if (len != 0 || group[j] != '0')
				out[len++] = group[j];
	}
	return len;
}

/* The exact decimal expansion of a finite, non-negative double. */
static void decimal_from_double(double value, struct decimal *d)
{
	union {
		double value;
		uint64_t bits;
	} pun = { value };
	uint64_t mantissa = pun.bits & ((UINT64_C(1) << 52) - 1);
	int exponent = (int)((pun.bits >> 52) & 0x7ff);
	struct bignum n;

	if (exponent == 0)
		exponent = 1; /* subnormal */
	else
		mantissa |= UINT64_C(1) << 52;
	exponent -= 1075; /* value = mantissa * 2^exponent */
	if (mantissa == 0) {
		d->count = 0;
		d->point = 1;
		return;
	}
	n.limbs[0] = (uint32_t)(mantissa % LIMB_BASE);
	n.limbs[1] = (uint32_t)(mantissa / LIMB_BASE % LIMB_BASE);
	n.limbs[2] = (uint32_t)(mantissa / LIMB_BASE / LIMB_BASE);
	n.count = n.limbs[2] ? 3 : n.limbs[1] ? 2 : 1;

	if (exponent >= 0) {
		for (int left = exponent; left > 0; left -= 29)
			bignum_multiply(&n, UINT32_C(1) << (left > 29 ? 29 : left));
		d->count = bignum_digits(&n, d->digits);
		d->point = d->count;
	} else {
		/* mantissa / 2^k = mantissa * 5^k / 10^k */
		int k = -exponent;

		for (int left = k; left > 0; left -= 13) {
			uint32_t power = 1;

			for (int i = 0; i < (left > 13 ? 13 : left); i++)
				power *= 5;
			bignum_multiply(&n, power);
		}
		d->count = bignum_digits(&n, d->digits);
		d->point = d->count - k;
	}
	while (d->count > 0 && d->digits[d->count - 1] == '0')
		d->count--;
}

/* Keeps the first `keep` significant digits (keep may be <= 0), rounding half to even. */
static void decimal_round(struct decimal *d, long keep)
{
	int up;

	if (keep >= d->count)
		return;
	if (keep < 0) {
		d->count = 0;
		return;
	}
	if (d->digits[keep] > '5')
		up = 1;
	else if (d->digits[keep] < '5')
		up = 0;
	else if (d->count > keep + 1)
		up = 1; /* more than half */
	else
		up = keep > 0 && (d->digits[keep - 1] - '0') % 2 == 1; /* a tie: to even */
	d->count = keep;
	if (up) {
		int i = keep - 1;

		while (i >= 0 && d->digits[i] == '9')
			i--;
		if (i < 0) {
			d->digits[0] = '1';
			d->count = 1;
			d->point++;
		} else {
			d->digits[i]++;
			d->count = i + 1;
		}
	}
	while (d->count > 0 && d->digits[d->count - 1] == '0')
		d->count--;
}

static char digit_at(const struct decimal *d, int index)
{
	return index >= 0 && index < d->count ? d->digits[index] : '0';
}

/* Writes `count` digits of d starting at significant-digit index `from`. */
static void put_digits(struct nolibc_sink *sink, const struct decimal *d, int from, long count)
{
	char chunk[32];
	int used = 0;

	for (long i = 0; i < count; i++) {
		chunk[used++] = digit_at(d, from + (int)i);
		if (used == (int)sizeof(chunk)) {
			sink->put(sink, chunk, (size_t)used);
			used = 0;
		}
	}
	if (used)
		sink->put(sink, chunk, (size_t)used);
}

/* The sign prefix ("-", "+", " " or nothing). */
static int sign_of(const struct nolibc_spec *spec, int negative, char *sign)
{
	if (negative)
		*sign = '-';
	else if (spec->plus)
		*sign = '+';
	else if (spec->space)
		*sign = ' ';
	else
		return 0;
	return 1;
}

/* Emits sign, padding and a body of body_len characters written by the callback. */
struct layout {
	char sign;
	int sign_len;
	long body_len;
};

static long put_field_start(struct nolibc_sink *sink, const struct nolibc_spec *spec,
			    const struct layout *layout, int zero_allowed)
{
	long len = layout->sign_len + layout->body_len;
	long pad = spec->width > len ? spec->width - len : 0;

	if (!spec->left && !(spec->zero && zero_allowed))
		nolibc_put_fill(sink, ' ', pad);
	if (layout->sign_len)
		sink->put(sink, &layout->sign, 1);
	if (!spec->left && spec->zero && zero_allowed)
		nolibc_put_fill(sink, '0', pad);
	return pad;
}

static long put_field_end(struct nolibc_sink *sink, const struct nolibc_spec *spec,
			  const struct layout *layout, long pad)
{
	if (spec->left)
		nolibc_put_fill(sink, ' ', pad);
	return layout->sign_len + layout->body_len + pad;
}

static long format_special(struct nolibc_sink *sink, const struct nolibc_spec *spec,
			   int negative, int is_nan)
{
	int upper = spec->conv == 'E' || spec->conv == 'F' || spec->conv == 'G';
	const char *text = is_nan ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
	struct layout layout = { 0, 0, 3 };
	long pad;

	layout.sign_len = sign_of(spec, negative, &layout.sign);
	pad = put_field_start(sink, spec, &layout, 0);
	sink->put(sink, text, 3);
	return put_field_end(sink, spec, &layout, pad);
}

/* Fixed notation with `fraction` digits after the point (the number is already rounded). */
static long format_fixed(struct nolibc_sink *sink, const struct nolibc_spec *spec, char sign,
			 int sign_len, const struct decimal *d, long fraction, int point)
{
	long integer = d->point > 0 ? d->point : 1;
	struct layout layout = { sign, sign_len, integer + point + fraction };
	long pad = put_field_start(sink, spec, &layout, 1);

	if (d->point > 0)
		put_digits(sink, d, 0, integer);
	else
		sink->put(sink, "0", 1);
	if (point)
		sink->put(sink, ".", 1);
	put_digits(sink, d, d->point, fraction);
	return put_field_end(sink, spec, &layout, pad);
}

/* Exponent notation with `fraction` digits after the point (already rounded). */
static long format_exponent(struct nolibc_sink *sink, const struct nolibc_spec *spec, char sign,
			    int sign_len, const struct decimal *d, long fraction, int point,
			    char letter)
{
	int exponent = d->count ? d->point - 1 : 0;
	unsigned magnitude = exponent < 0 ? -(unsigned)exponent : (unsigned)exponent;
	char suffix[8];
	int suffix_len = 0;
	char exp_digits[6];
	int exp_len = 0;
	struct layout layout;
	long pad;

	do {
		exp_digits[exp_len++] = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude != 0);
	if (exp_len < 2)
		exp_digits[exp_len++] = '0';
	suffix[suffix_len++] = letter;
	suffix[suffix_len++] = exponent < 0 ? '-' : '+';
	while (exp_len > 0)
		suffix[suffix_len++] = exp_digits[--exp_len];

	layout = (struct layout){ sign, sign_len, 1 + point + fraction + suffix_len };
	pad = put_field_start(sink, spec, &layout, 1);
	put_digits(sink, d, 0, 1);
	if (point)
		sink->put(sink, ".", 1);
	put_digits(sink, d, 1, fraction);
	sink->put(sink, suffix, (size_t)suffix_len);
	return put_field_end(sink, spec, &layout, pad);
}

long nolibc_format_double(struct nolibc_sink *sink, const struct nolibc_spec *spec, double value)
{
	union {
		double value;
		uint64_t bits;
	} pun = { value };
	int negative = (int)(pun.bits >> 63);
	int precision = spec->precision < 0 ? 6 : spec->precision;
	char lower = (char)(spec->conv | 0x20);
	char letter = spec->conv == 'E' || spec->conv == 'G' ? 'E' : 'e';
	struct decimal d;
	char sign = 0;
	int sign_len;

	if (((pun.bits >> 52) & 0x7ff) == 0x7ff)
		return format_special(sink, spec, negative, (pun.bits << 12) != 0);
	sign_len = sign_of(spec, negative, &sign);
	pun.bits &= ~(UINT64_C(1) << 63);
	decimal_from_double(pun.value, &d);

	if (lower == 'f') {
		decimal_round(&d, (long)d.point + precision);
		return format_fixed(sink, spec, sign, sign_len, &d, precision,
				    precision > 0 || spec->alt);
	}
	if (lower == 'e') {
		decimal_round(&d, (long)precision + 1);
		return format_exponent(sink, spec, sign, sign_len, &d, precision,
				       precision > 0 || spec->alt, letter);
	}

	/* %g: P significant digits; fixed notation when -4 <= exponent < P. */
	if (precision == 0)
		precision = 1;
	decimal_round(&d, precision);
	{
		int exponent = d.count ? d.point - 1 : 0;
		long fraction;

		if (exponent >= -4 && exponent < precision) {
			fraction = precision - 1 - exponent;
			if (!spec->alt) {
				long significant = d.count - d.point;

				fraction = significant < fraction ? significant : fraction;
				if (fraction < 0)
					fraction = 0;
			}
			return format_fixed(sink, spec, sign, sign_len, &d, fraction,
					    fraction > 0 || spec->alt);
		}
		fraction = precision - 1;
		if (!spec->alt && d.count - 1 < fraction)
			fraction = d.count > 0 ? d.count - 1 : 0;
		return format_exponent(sink, spec, sign, sign_len, &d, fraction,
				       fraction > 0 || spec->alt, letter);
	}
}
