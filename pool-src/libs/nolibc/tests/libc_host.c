/* Host test of nolibc's string, ctype, conversion and sorting functions. It is linked with
 * -nostdlib against nolibc's objects only (no glibc), starts at _start and talks to Linux
 * through raw system calls. Run with tests/run.sh. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long sys_call3(long number, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(number), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

static void say(const char *text)
{
	sys_call3(1, 1, (long)text, (long)strlen(text));
}

static void say_number(long value)
{
	char digits[24];
	int at = sizeof(digits);

	digits[--at] = '\0';
	do {
		digits[--at] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	say(digits + at);
}

static int passed, failed;

static void check(int ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		say("FAILED: ");
		say(what);
		say("\n");
	}
}

#define CHECK(expr) check((expr), #expr)

/* strdup needs malloc: a bump allocator over a static arena. */
static unsigned char arena[4096];
static size_t arena_used;

void *malloc(size_t size)
{
	void *block = arena + arena_used;

	arena_used += (size + 15) & ~(size_t)15;
	return arena_used <= sizeof(arena) ? block : NULL;
}

static int compare_ints(const void *a, const void *b)
{
	int left = *(const int *)a, right = *(const int *)b;

	return (left > right) - (left < right);
}

static void memory_tests(void)
{
	char buf[64];
	char big[300];

	memset(buf, 'x', sizeof(buf));
	CHECK(buf[0] == 'x' && buf[63] == 'x');
	memcpy(buf, "hello world", 12);
	CHECK(strcmp(buf, "hello world") == 0);
	for (int i = 0; i < 300; i++)
		big[i] = (char)i;
	memmove(big + 1, big, 299);
	CHECK(big[1] == 0 && big[2] == 1 && big[299] == (char)298);
	memmove(big, big + 1, 299);
	CHECK(big[0] == 0 && big[1] == 1 && big[298] == (char)298);
	memcpy(buf, "abcdefgh", 9);
	memmove(buf + 2, buf, 5);
	CHECK(memcmp(buf, "ababcdeh", 8) == 0);
	CHECK(memcmp("abc", "abd", 3) < 0 && memcmp("abd", "abc", 3) > 0);
	CHECK(memcmp("\x80", "\x01", 1) > 0);
	CHECK(bcmp("same", "same", 4) == 0 && bcmp("same", "sane", 4) != 0);
	CHECK(memchr("abcdef", 'd', 6) != NULL && memchr("abcdef", 'z', 6) == NULL);
}

static void string_tests(void)
{
	char buf[64];
	char *state;
	char *copy;
	char tokens[] = "  one,two;;three ";

	CHECK(strlen("") == 0 && strlen("four") == 4);
	CHECK(strnlen("four", 2) == 2 && strnlen("four", 10) == 4);
	CHECK(strcmp("a", "b") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0);
	CHECK(strcmp("ab", "abc") < 0 && strcmp("\xff", "a") > 0);
	CHECK(strncmp("abcdef", "abcxyz", 3) == 0 && strncmp("abcdef", "abcxyz", 4) < 0);
	strcpy(buf, "foo");
	strcat(buf, "bar");
	CHECK(strcmp(buf, "foobar") == 0);
	strncat(buf, "bazqux", 3);
	CHECK(strcmp(buf, "foobarbaz") == 0);
	memset(buf, 'x', 10);
	strncpy(buf, "ab", 5);
	CHECK(buf[0] == 'a' && buf[2] == '\0' && buf[4] == '\0' && buf[5] == 'x');
	{
		const char *s = "hello";

		CHECK(strchr(s, 'l') == s + 2 && strrchr(s, 'l') == s + 3);
		CHECK(strchr(s, '\0') == s + 5 && strchr(s, 'z') == NULL);
		CHECK(strstr(s, "ll") == s + 2 && strstr(s, "") == s && strstr(s, "lo!") == NULL);
		CHECK(strpbrk(s, "ol") == s + 2 && strspn(s, "leh") == 4 && strcspn(s, "o") == 4);
	}
	copy = strdup("duplicate");
	CHECK(copy != NULL && strcmp(copy, "duplicate") == 0);
	copy = strndup("duplicate", 3);
	CHECK(copy != NULL && strcmp(copy, "dup") == 0);
	CHECK(strcmp(strtok_r(tokens, " ,;", &state), "one") == 0);
	CHECK(strcmp(strtok_r(NULL, " ,;", &state), "two") == 0);
	CHECK(strcmp(strtok_r(NULL, " ,;", &state), "three") == 0);
	CHECK(strtok_r(NULL, " ,;", &state) == NULL);
	CHECK(strcmp(strerror(ENOMEM), "Cannot allocate memory") == 0);
}

static void ctype_tests(void)
{
	CHECK(isalpha('a') && isalpha('Z') && !isalpha('1') && isdigit('7') && !isdigit('a'));
	CHECK(isspace(' ') && isspace('\n') && !isspace('x') && isxdigit('F') && !isxdigit('g'));
	CHECK(toupper('a') == 'A' && tolower('A') == 'a' && toupper('1') == '1');
	CHECK(ispunct('!') && !ispunct('a') && isprint(' ') && !isgraph(' ') && iscntrl('\t'));
}

static void convert_tests(void)
{
	char *end;

	CHECK(strtol("  -123abc", &end, 10) == -123 && *end == 'a');
	CHECK(strtol("0x1f", &end, 0) == 31 && *end == '\0');
	CHECK(strtol("0755", NULL, 0) == 0755 && strtol("z", NULL, 36) == 35);
	CHECK(strtol("xyz", &end, 10) == 0 && *end == 'x');
	errno = 0;
	CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
	errno = 0;
	CHECK(strtol("-9223372036854775808", NULL, 10) == LONG_MIN && errno == 0);
	CHECK(strtoul("-1", NULL, 10) == ULONG_MAX);
	CHECK(strtoull("18446744073709551615", NULL, 10) == ULLONG_MAX);
	errno = 0;
	CHECK(strtoull("18446744073709551616", NULL, 10) == ULLONG_MAX && errno == ERANGE);
	CHECK(strtoll("+42", NULL, 10) == 42 && atoi("  17") == 17 && atol("-5") == -5);
	CHECK(strtol("0x", &end, 16) == 0 && *end == 'x');
	CHECK(abs(-3) == 3 && labs(-4L) == 4 && llabs(-5LL) == 5);
}

static void sort_tests(void)
{
	int values[200];
	int key = 77 * 3;
	int missing = 5;

	for (int i = 0; i < 200; i++)
		values[i] = (i * 7919) % 200 * 3;
	qsort(values, 200, sizeof(int), compare_ints);
	{
		int sorted = 1;

		for (int i = 1; i < 200; i++)
			sorted &= values[i - 1] <= values[i];
		CHECK(sorted);
	}
	CHECK(bsearch(&key, values, 200, sizeof(int), compare_ints) == &values[77]);
	CHECK(bsearch(&missing, values, 200, sizeof(int), compare_ints) == NULL);
}

__attribute__((force_align_arg_pointer)) void _start(void)
{
	memory_tests();
	string_tests();
	ctype_tests();
	convert_tests();
	sort_tests();
	say("libc: ");
	say_number(passed);
	say(" passed, ");
	say_number(failed);
	say(" failed\n");
	sys_call3(60, failed != 0, 0, 0);
	__builtin_unreachable();
}
