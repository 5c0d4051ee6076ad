/* ukl musl_start: runs an unmodified musl program (crt1.o's _start) on the pool. */
#ifndef UK_MUSL_START_H
#define UK_MUSL_START_H

/* Builds the initial process stack (argc, argv, NULL, envp NULL, auxv with AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_RANDOM) on a fresh 1 MiB stack and jumps to _start. Registered with
 * uk_boot_set_app_entry from the init table (priority 90). */
void uk_musl_start(int argc, char **argv) __attribute__((noreturn));

#endif
