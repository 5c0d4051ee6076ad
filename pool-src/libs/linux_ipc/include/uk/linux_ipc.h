/* ukl linux_ipc: System V IPC (msgget/msgsnd/msgrcv/msgctl, semget/semop/semtimedop/semctl,
 * shmget/shmat/shmdt/shmctl) for linux_syscall, in the unikernel's one address space. */
#ifndef UK_LINUX_IPC_H
#define UK_LINUX_IPC_H

/* Registers the twelve System V IPC calls with linux_syscall; runs from the init table at
 * priority 03. Idempotent. */
int uk_linux_ipc_init(void);

#endif
