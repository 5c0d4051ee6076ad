/* ukl linux_syscall: the Linux x86_64 system call ABI served in ring 0. */
#ifndef UK_SYSCALL_H
#define UK_SYSCALL_H

/* Serve call `nr` with its six arguments; returns the result or a negative errno, as the
 * kernel would. The `syscall` instruction reaches the same table through uk_syscall_entry. */
long uk_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* The LSTAR target: red zone skipped, every register but rax, rcx and r11 preserved (SSE
 * included), return with popfq + jmp *%rcx. */
void uk_syscall_entry(void);

/* Enables `syscall` (EFER.SCE, STAR, LSTAR, FMASK) and mounts the initrd; also run from the
 * init table at priority 02. Idempotent. */
int uk_syscall_init(void);

/* How many distinct unimplemented calls were met (each is logged once by name). */
int uk_syscall_unimplemented_count(void);

#endif
