/* nolibc: assert.h. A failed assertion prints the expression, file, line and function, then
 * aborts (status 134). Define NDEBUG to compile assertions out. */
#undef assert

#ifdef NDEBUG
#define assert(expr) ((void)0)
#else
void __assert_fail(const char *expr, const char *file, unsigned int line, const char *func)
	__attribute__((__noreturn__));
#define assert(expr) \
	((expr) ? (void)0 : __assert_fail(#expr, __FILE__, __LINE__, __func__))
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
