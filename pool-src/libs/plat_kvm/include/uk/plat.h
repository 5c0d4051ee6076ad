/*
 * ukl platform interface (ukplat_*), as implemented by plat_kvm. Other platform libraries
 * implement the same functions; entries marked "kvm" are specific to PVH/x86 platforms.
 */
#ifndef UK_PLAT_H
#define UK_PLAT_H

#include <stddef.h>
#include <stdint.h>

/* Free RAM: not used by the image, the boot stack or boot structures. */
#define UKPLAT_MEMR_FREE      0x1
/* The loaded image (text, data, bss, boot stack, boot page tables). */
#define UKPLAT_MEMR_IMAGE     0x2
/* Boot structures: PVH start info, memory map, command line, module list, extra page tables. */
#define UKPLAT_MEMR_BOOT_INFO 0x4
/* A boot module (for example an initrd passed with QEMU's -initrd). */
#define UKPLAT_MEMR_MODULE    0x8

struct ukplat_memregion {
	uint64_t base;
	uint64_t len;
	uint32_t flags;
	uint32_t _pad;
};

/*
 * kvm: platform entry, called by the architecture library in long mode with the PVH start info
 * address and the TSC read by the entry's first instruction. Calls uk_boot_main().
 */
void ukplat_entry_pvh(uint64_t start_info_phys, uint64_t entry_tsc) __attribute__((noreturn));

/* Writes to the serial console (COM1 16550 on kvm); "\n" is sent as "\r\n". */
void ukplat_console_write(const char *buf, size_t len);

/*
 * The memory-region table, built at boot: free regions first (page-aligned, sorted by address,
 * never including page 0), then the used ones (flags other than FREE). Neighbours with equal
 * flags are merged.
 */
int ukplat_memregion_count(void);
/* Copies region i to *r; returns 0, or -22 (EINVAL) for a bad index or a NULL r. */
int ukplat_memregion_get(int i, struct ukplat_memregion *r);

/* The command line given by the loader (QEMU: -append); "" if none, never NULL. */
const char *ukplat_cmdline(void);

/* Nanoseconds since the PVH entry (TSC based). */
uint64_t ukplat_monotonic_ns(void);
/* Nanoseconds since the Unix epoch: CMOS RTC read at boot plus monotonic time. */
uint64_t ukplat_wall_ns(void);

/* kvm: the TSC value read by the first instruction of the PVH entry. */
uint64_t ukplat_boot_tsc(void);
/* kvm: the TSC frequency (Hz) that the clock uses. */
uint64_t ukplat_tsc_hz(void);

/*
 * Ends the guest. kvm: writes status to the isa-debug-exit port 0xf4 (QEMU exits with
 * ((status << 1) | 1) & 0xff); without that device, halts the CPU with interrupts disabled.
 */
void ukplat_terminate(int status) __attribute__((noreturn));

/*
 * Interrupts (see docs/pool-abi.md). irq numbers are GSIs (IOAPIC inputs; 0-23, and 24-47 with
 * QEMU microvm's second IOAPIC) or UKPLAT_IRQ_TIMER. Handlers run on the interrupt stack with
 * interrupts disabled; they return non-zero if their device raised the interrupt, must not
 * block, yield, allocate or take a mutex, and may wake threads (uk_waitq_wake_*,
 * uk_semaphore_up). The platform sends the EOI.
 */
#define UKPLAT_IRQ_TIMER 0x100
/* Trigger modes for ukplat_irq_set_mode: GSIs 0-15 default to edge, the others to level. */
#define UKPLAT_IRQ_EDGE       0
#define UKPLAT_IRQ_LEVEL      1
#define UKPLAT_IRQ_ACTIVE_LOW 2

/* Adds a handler to irq and unmasks it. 0, -22 (EINVAL) or -28 (ENOSPC: 4 handlers already). */
int ukplat_irq_register(unsigned irq, int (*handler)(void *arg), void *arg);
/* Sets a GSI's trigger mode and polarity. 0 or -22 (EINVAL). */
int ukplat_irq_set_mode(unsigned irq, unsigned flags);
void ukplat_irq_mask(unsigned irq);
void ukplat_irq_unmask(unsigned irq);
/* Number of registered device (non-timer) handlers. */
unsigned ukplat_irq_handlers(void);
/* Interrupts delivered on irq since boot. */
uint64_t ukplat_irq_count(unsigned irq);

/* One-shot timer at monotonic time deadline_ns (past: at once; 0 cancels); runs the
 * UKPLAT_IRQ_TIMER handlers. It may fire slightly early: compare with ukplat_monotonic_ns().
 * With a scheduler linked, the timer belongs to the scheduler. */
void ukplat_timer_set(uint64_t deadline_ns);
/* Called with interrupts disabled: arms the timer (UINT64_MAX: no timer), halts until an
 * interrupt has been handled (sti; hlt) and returns with interrupts disabled; returns at once
 * if the deadline has passed. For schedulers' idle loops. */
void ukplat_halt_irq_until(uint64_t deadline_ns);
/* kvm: "xAPIC, one-shot timer", "x2APIC, TSC-deadline timer", ... */
const char *ukplat_apic_mode(void);

#endif
