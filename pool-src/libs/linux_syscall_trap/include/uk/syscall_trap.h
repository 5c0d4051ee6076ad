/* ukl linux_syscall_trap: on linuxu, a musl program's file system calls are trapped (seccomp
 * SECCOMP_RET_TRAP, SIGSYS) and served by linux_syscall's table from the initrd. */
#ifndef UK_SYSCALL_TRAP_H
#define UK_SYSCALL_TRAP_H

/* With an initrd (UKPLAT_MEMR_MODULE region): attaches linux_syscall in host mode, installs
 * the SIGSYS handler and the filter. Without one: nothing (the host serves every call).
 * Returns 0, or a negative errno when the kernel refuses. Init hook at priority 01. */
int uk_syscall_trap_init(void);

#endif
