/* ukdebug: leveled log messages on the console.
 *
 * A message is printed when its level is at most uk_debug_level (a global, set before main
 * from the link-time option `ukdebug.level`: `ukl link --opt ukdebug.level=4`, default
 * UK_PRINT_INFO), as
 *     [     0.012345] err: <message>
 * with the platform's monotonic time in seconds. Messages carry their own newline. */
#ifndef UK_PRINT_H
#define UK_PRINT_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UK_PRINT_CRIT 0
#define UK_PRINT_ERR 1
#define UK_PRINT_WARN 2
#define UK_PRINT_INFO 3
#define UK_PRINT_DEBUG 4

/* Highest level that is printed. */
extern int uk_debug_level;

void uk_pr_log(int level, const char *fmt, ...) __attribute__((__format__(__printf__, 2, 3)));
void uk_pr_vlog(int level, const char *fmt, va_list ap);
/* The same with an already formatted message of len bytes (for Rust callers). */
void uk_pr_write(int level, const char *msg, size_t len);

#define uk_pr_crit(...) uk_pr_log(UK_PRINT_CRIT, __VA_ARGS__)
#define uk_pr_err(...) uk_pr_log(UK_PRINT_ERR, __VA_ARGS__)
#define uk_pr_warn(...) uk_pr_log(UK_PRINT_WARN, __VA_ARGS__)
#define uk_pr_info(...) uk_pr_log(UK_PRINT_INFO, __VA_ARGS__)
#define uk_pr_debug(...) uk_pr_log(UK_PRINT_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* UK_PRINT_H */
