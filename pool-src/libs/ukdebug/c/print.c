/* ukdebug: leveled log messages, formatted by nolibc's printf family onto the console. */
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

/* Prints "[     S.UUUUUU] level: " and tells whether the message is to be printed. */
static int put_prefix(int level)
{
	uint64_t now;
	char prefix[48];
	int len;

	if (level > uk_debug_level)
		return 0;
	now = ukplat_monotonic_ns();
	len = snprintf(prefix, sizeof(prefix), "[%6lu.%06lu] %s: ",
		       (unsigned long)(now / 1000000000u), (unsigned long)(now / 1000u % 1000000u),
		       level >= 0 && level <= UK_PRINT_DEBUG ? level_names[level] : "?");
	ukplat_console_write(prefix, (size_t)len);
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
