/* ukl boot library: init hooks. */
#ifndef UK_INIT_H
#define UK_INIT_H

/*
 * An init hook runs before constructors and main; it returns 0, or anything else to abort the
 * boot (the guest then ends with status 126, UK_BOOT_INIT_FAILED_STATUS).
 */
typedef int (*uk_init_fn)(void);

/*
 * UK_INIT_HOOK(fn, prio) registers `fn` as an init hook. `prio` is exactly two decimal digits
 * (00..99): hooks run in ascending priority, in link order within one priority. The pointer is
 * placed in section `.uk_inittab.<prio>`, which the link script keeps and sorts by name.
 *
 * Rust equivalent:
 *     #[used]
 *     #[link_section = ".uk_inittab.20"]
 *     static MY_INIT: extern "C" fn() -> i32 = my_init;
 */
#define UK_INIT_HOOK(fn, prio)                                                          \
	static const uk_init_fn __uk_inittab_##prio##_##fn                              \
		__attribute__((used, section(".uk_inittab." #prio))) = (fn)

#endif
