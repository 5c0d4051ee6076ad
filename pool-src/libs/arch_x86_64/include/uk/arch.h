/* ukl architecture library (x86_64): the C interface. */
#ifndef UK_ARCH_H
#define UK_ARCH_H

#include <stdint.h>

/* Status a crash report ends the guest with (through ukplat_terminate). */
#define UKARCH_CRASH_STATUS 127

/*
 * 32-bit PVH entry point (the `Xen` ELF note, type 18, points here). Not callable: the loader
 * jumps to it in protected mode with ebx = physical address of struct hvm_start_info. It clears
 * .bss, identity-maps the first 4 GiB (2 MiB pages), enables SSE and long mode, loads the GDT,
 * TSS and IDT (every gate on an IST stack) and calls
 * ukplat_entry_pvh(start_info_phys, entry_tsc) on a 64 KiB boot stack.
 */
void _ukarch_pvh_start(void);

/* The time-stamp counter. */
uint64_t ukarch_tsc(void);

/*
 * Prints "ukl: crash: <why>" and a frame-pointer backtrace of the caller, then ends the guest
 * with UKARCH_CRASH_STATUS. For fatal errors that software detects; `why` may be NULL.
 */
void ukarch_crash(const char *why) __attribute__((noreturn));

/*
 * Bytes of page-table memory needed to identity-map [0, end) (at most 512 GiB); 0 when the
 * boot map (4 GiB) suffices.
 */
uint64_t ukarch_identity_map_bytes(uint64_t end);

/*
 * Extends the identity map to [0, end) with page directories written at `tables_phys`: 4 KiB
 * aligned, below 4 GiB, ukarch_identity_map_bytes(end) bytes, reserved for good. Returns 0, or
 * -22 (EINVAL) for an unaligned or too high `tables_phys`. Platform use, once, at boot.
 */
int ukarch_identity_map_extend(uint64_t end, uint64_t tables_phys);

/* Interrupt control. ukarch_irq_save disables interrupts and returns the previous state for
 * ukarch_irq_restore. */
unsigned long ukarch_irq_save(void);
void ukarch_irq_restore(unsigned long flags);
void ukarch_irq_enable(void);
void ukarch_irq_disable(void);
int ukarch_irq_enabled(void);

/* Enables interrupts, halts until one has been handled, disables them again (sti; hlt; cli).
 * The image's only legitimate hlt: schedulers' idle loops reach it through
 * ukplat_halt_irq_until. */
void ukarch_halt_irq(void);

/* The registers of interrupted code, as the trap path saves them (lowest address first) and
 * `iretq` restores them. */
struct ukarch_trap_frame {
	unsigned long r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	unsigned long vector, error_code, rip, cs, rflags, rsp, ss;
};

/* Runs `hook(frame, fpstate)` at the end of every external interrupt, with the interrupted
 * code's registers (which it may change) and its 512-byte fxsave image; NULL removes it. */
void ukarch_irq_return_hook(void (*hook)(struct ukarch_trap_frame *frame, void *fpstate));

/* Sets (handler != NULL) or clears the handler of an external vector (32..255); it runs on the
 * interrupt stack with interrupts disabled. Returns 0 or -22 (EINVAL). Platform use: drivers
 * register with ukplat_irq_register, which programs the interrupt controllers and sends EOIs. */
int ukarch_vector_register(unsigned vector, void (*handler)(unsigned vector, void *arg), void *arg);

/* A thread context for schedulers: saved stack pointer and FS base (TLS pointer). */
struct ukarch_ctx {
	uint64_t sp;
	uint64_t fs_base;
};

/* Prepares ctx so that the first switch to it calls entry(arg) (which must not return) on the
 * stack ending at stack_top, with FS base 0 and default x87/SSE control words. */
void ukarch_ctx_init(struct ukarch_ctx *ctx, uint64_t stack_top,
		     void (*entry)(void *arg) __attribute__((noreturn)), void *arg);

/* Saves the callee-saved registers, x87 control word, MXCSR and FS base of the caller in prev
 * and resumes next; returns when something switches back to prev. */
void ukarch_ctx_switch(struct ukarch_ctx *prev, const struct ukarch_ctx *next);

/* Guard pages (e.g. below thread stacks): unmaps the identity-mapped 4 KiB page `page`; an
 * access faults with a crash report that names a guard page. If the page's 2 MiB region is still
 * one large page, the 4 KiB-aligned `spare_table` becomes its page table for good. Returns 1 if
 * the spare table was used, 0 if not, -22 (EINVAL), -12 (ENOMEM: a table was needed, none given)
 * or -16 (EBUSY: already guarded). ukarch_page_unguard maps it again (0 or -22). */
int ukarch_page_guard(uint64_t page, uint64_t spare_table);
int ukarch_page_unguard(uint64_t page);

/* Page protection of RAM outside the image and the low memory: sets [addr, addr + len)
 * (page-aligned) to prot (PROT_READ 1 | PROT_WRITE 2 | PROT_EXEC 4; 0 = no access, the pages
 * are not present). spares points to two slots, each 0 or a free 4 KiB-aligned page; a page
 * that became a page table (a 2 MiB page split) is the architecture's for good and its slot is
 * set to 0. Returns 0, -22 (EINVAL) or -12 (ENOMEM: a split needed a table; nothing changed).
 * ukarch_page_query returns the protection of the page holding addr, or -22 if unmapped.
 * (On linuxu, plat_linuxu provides both: the host's mprotect, and -38 for the query.) */
int ukarch_page_protect(uint64_t addr, uint64_t len, int prot, uint64_t *spares);
int ukarch_page_query(uint64_t addr);

/* The low memory left unmapped so that null-pointer accesses fault: ukarch_null_guard_bytes is
 * its size (64 KiB); ukarch_null_guard_install(end) unmaps [0, min(end, 64 KiB)) rounded down
 * to a page and returns the end unmapped. The platform calls it once it has copied what it
 * needs from the loader's structures there. */
uint64_t ukarch_null_guard_bytes(void);
uint64_t ukarch_null_guard_install(uint64_t end);

#endif
