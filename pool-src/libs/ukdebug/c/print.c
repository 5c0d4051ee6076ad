/* ukdebug: leveled log messages onto the console: the prefix formatted here, uk_pr_log's format by
 * the C library's printf family. */
#include <stdint.h>
#include <stdio.h>
#include <uk/print.h>

/* From the platform library (docs/pool-abi.md). */
uint64_t ukplat_monotonic_ns(void);
void ukplat_console_write(const char *buf, size_t len);

int uk_debug_level = UK_PRINT_INFO;

/* Link-time option `ukdebug.level` (registry.toml): ukl defines this symbol with the value of
 * the link (uk.toml or --opt ukdebug.level=N); this weak default serves links that do not.
 * It is read through a volatile access: gcc would otherwise fold the default into the code. */
__attribute__((weak)) const long long uk_opt_ukdebug_level = UK_PRINT_INFO;

/* Takes the link-time level into uk_debug_level before anything logs (init table, prio 00). */
static int ukdebug_init(void)
{
	uk_debug_level = (int)*(const volatile long long *)&uk_opt_ukdebug_level;
	return 0;
}

static int (*const ukdebug_init_entry)(void)
	__attribute__((used, section(".uk_inittab.00"))) = ukdebug_init;

static const char *const level_names[] = { "crit", "err", "warn", "info", "debug" };

/* Writes `value` in decimal at `out`, at least `width` digits wide, padded with `pad`;
 * returns the end. */
static char *put_decimal(char *out, uint64_t value, int width, char pad)
{
	char digits[20];
	int count = 0;

	do {
		digits[count++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (width-- > count)
		*out++ = pad;
	while (count)
		*out++ = digits[--count];
	return out;
}

/* Prints "[     S.UUUUUU] level: " and tells whether the message is to be printed. Formatted
 * here, not with snprintf: in a musl program the C library's snprintf is musl's, which needs
 * the thread pointer that musl sets up only after the init hooks that log have run. */
static int put_prefix(int level)
{
	uint64_t now;
	char prefix[48];
	char *end = prefix;
	const char *name;

	if (level > uk_debug_level)
		return 0;
	now = ukplat_monotonic_ns();
	name = level >= 0 && level <= UK_PRINT_DEBUG ? level_names[level] : "?";
	*end++ = '[';
	end = put_decimal(end, now / 1000000000u, 6, ' ');
	*end++ = '.';
	end = put_decimal(end, now / 1000u % 1000000u, 6, '0');
	*end++ = ']';
	*end++ = ' ';
	while (*name)
		*end++ = *name++;
	*end++ = ':';
	*end++ = ' ';
	ukplat_console_write(prefix, (size_t)(end - prefix));
	return 1;
}

void uk_pr_vlog(int level, const char *fmt, va_list ap)
{
	if (put_prefix(level))
		vfprintf(stderr, fmt, ap);
}

void uk_pr_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uk_pr_vlog(level, fmt, ap);
	va_end(ap);
}

void uk_pr_write(int level, const char *msg, size_t len)
{
	if (put_prefix(level))
		ukplat_console_write(msg, len);
}
