/*
 * ukl linuxu platform: what plat_linuxu adds to the common platform interface (uk/plat.h).
 * The image is a static Linux executable; see docs/platforms.md.
 */
#ifndef UK_PLAT_LINUXU_H
#define UK_PLAT_LINUXU_H

#include <stdint.h>

/*
 * Process entry (the link script's ENTRY): reads argc, argv, envp and auxv from the start-up
 * stack, installs the crash handlers, maps the memory region and the initrd, sets up TLS, then calls
 * uk_boot_main_argv(argc, argv). Not callable.
 */
void _ukplat_linuxu_start(void);

/*
 * Size in MiB of the memory region mapped at start-up (default 64), unless the environment
 * variable UKL_MEMORY gives a size (QEMU -m syntax: 64, 64M, 512K, 1G). Meant to be set at
 * link time.
 */
extern uint64_t ukplat_linuxu_memory_mb;

/*
 * The initrd: when the environment variable UKL_INITRD names a file (ukl run --initrd sets it),
 * the file is mapped read-only at start-up and listed by ukplat_memregion_get as a
 * UKPLAT_MEMR_MODULE region after the free region and the image (none for an empty file). A
 * file that cannot be opened or mapped ends the process with status 126 and a message on
 * standard error.
 */

#endif
