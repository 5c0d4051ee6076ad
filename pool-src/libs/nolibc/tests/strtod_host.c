/* Host test of nolibc's strtod against glibc's (both correctly rounded): parses fixed cases,
 * the round-trip text of many random doubles, and long digit strings near midpoints, and counts
 * results that differ in value or end position. nolibc's strtod is compiled
 * with its names prefixed (see run.sh) so that both can live in one program. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double nolibc_strtod(const char *str, char **end);

static int checks, failures;

static void compare(const char *text)
{
	char *ours_end, *theirs_end;
	double ours = nolibc_strtod(text, &ours_end);
	double theirs = strtod(text, &theirs_end);
	uint64_t a, b;

	memcpy(&a, &ours, 8);
	memcpy(&b, &theirs, 8);
	checks++;
	if (ours_end != theirs_end || (a != b && !(isnan(ours) && isnan(theirs)))) {
		failures++;
		if (failures < 20)
			printf("MISMATCH [%s]: ours %.17g (+%ld) glibc %.17g (+%ld)\n", text, ours,
			       (long)(ours_end - text), theirs, (long)(theirs_end - text));
	}
}

int main(void)
{
	static const char *fixed[] = {
		"0", "-0", "1", "3.14159", "  42abc", "1e10", "1E-5", "+.5", "5.", ".", "-", "e5",
		"1e", "1e+", "0x1p3", "0x1.8p1", "0X10", "0x", "0xg", "inf", "-Infinity", "nan",
		"INFx", "1e400", "-1e400", "1e-400", "4.9406564584124654e-324", "2.2250738585072014e-308",
		"1.7976931348623157e308", "123456789012345678901234567890", "0.000000000000000000001",
		"9007199254740993", "0.1", "0.2", "0.3", "100", "1e22", "1e23",
	};
	uint64_t state = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		compare(fixed[i]);
	for (int i = 0; i < 200000; i++) {
		char text[64];
		double value;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		memcpy(&value, &state, 8);
		if (isnan(value) || isinf(value))
			continue;
		snprintf(text, sizeof(text), i % 2 ? "%.17g" : "%.6g", value);
		compare(text);
	}
	/* Exact midpoints between neighbouring doubles and values a hair off them: the printed
	 * midpoint has up to ~770 digits; bumping or cutting its last digit must round away. */
	for (int i = 0; i < 3000; i++) {
		static char text[1200];
		double value, next;
		long double middle;
		size_t len;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		memcpy(&value, &state, 8);
		value = fabs(value);
		if (isnan(value) || isinf(value) || value > 1e300)
			continue;
		next = nextafter(value, INFINITY);
		middle = ((long double)value + (long double)next) / 2;
		snprintf(text, sizeof(text), "%.800Le", middle);
		compare(text);
		len = strcspn(text, "e");
		text[len - 1] = text[len - 1] == '9' ? '8' : (char)(text[len - 1] + 1);
		compare(text);
	}
	printf("strtod: %d passed, %d failed\n", checks - failures, failures);
	return failures != 0;
}
