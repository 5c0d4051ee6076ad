/* ukl boot library: the C interface. */
#ifndef UK_BOOT_H
#define UK_BOOT_H

#include <uk/init.h>

/* Status the guest ends with when an init hook fails. */
#define UK_BOOT_INIT_FAILED_STATUS 126

/*
 * The boot sequence, called by the platform once console, memory regions and clocks work:
 * init hooks (.uk_inittab.<prio>), constructors (.init_array), then
 * main(argc, argv) with the command line split into arguments (argv[0] = "ukl"), then
 * ukplat_terminate(main's return value). The application defines int main(int, char **).
 */
void uk_boot_main(void) __attribute__((noreturn));

/*
 * The same sequence for a platform that has real arguments (linuxu: the process's argc and
 * argv): main gets argc and argv as they are, and the command line is not split. argv holds
 * argc strings, then NULL, all living for good.
 */
void uk_boot_main_argv(int argc, char **argv) __attribute__((noreturn));

/*
 * Registers an entry called instead of main (with main's arguments; it never returns and runs
 * .init_array itself), e.g. musl's start-up code through the musl_start library. Call it from
 * an init hook; the last registration wins.
 */
void uk_boot_set_app_entry(void (*entry)(int argc, char **argv) __attribute__((noreturn)));

/*
 * The idle hook. A caller that polls for something (a socket, a device) calls uk_idle()
 * between polls: it lets other work run or halts the CPU until something may have happened.
 * plat_kvm registers a hook that halts until the next device interrupt or 1 ms (when a device
 * interrupt handler is registered); schedcoop replaces it with one that runs the other
 * runnable threads first and halts only when there are none. Without a hook uk_idle is a
 * spin-loop pause. The last uk_idle_set wins.
 *
 * uk_idle_wake() notes that a device interrupt was handled (plat_kvm calls it after running
 * the handlers of a device GSI); uk_idle_take_wake() returns 1 if one was since the last call
 * and clears the flag. A halting hook takes it with interrupts disabled before halting and
 * returns at once if it was set (the caller's last poll may have missed what the interrupt
 * announced), and again after the halt.
 */
void uk_idle(void);
void uk_idle_set(void (*hook)(void));
void uk_idle_wake(void);
int uk_idle_take_wake(void);

#endif
