/* ukl linux_net: the Linux socket system calls for linux_syscall, served by netstack. */
#ifndef UK_LINUX_NET_H
#define UK_LINUX_NET_H

/* Registers the socket calls with linux_syscall; runs from the init table at priority 03.
 * Idempotent. */
int uk_linux_net_init(void);

#endif
