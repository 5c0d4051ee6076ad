/*
 * ukl linuxu platform: what plat_linuxu adds to the common platform interface (uk/plat.h).
 * The image is a static Linux executable; see docs/platforms.md.
 */
#ifndef UK_PLAT_LINUXU_H
#define UK_PLAT_LINUXU_H

#include <stdint.h>

/*
 * Process entry (the link script's ENTRY): reads argc, argv, envp and auxv from the start-up
 * stack, installs the crash handlers, maps the memory region, sets up TLS, then calls
 * uk_boot_main_argv(argc, argv). Not callable.
 */
void _ukplat_linuxu_start(void);

/*
 * Size in MiB of the memory region mapped at start-up (default 64), unless the environment
 * variable UKL_MEMORY gives a size (QEMU -m syntax: 64, 64M, 512K, 1G). Meant to be set at
 * link time.
 */
extern uint64_t ukplat_linuxu_memory_mb;

#endif
