/* schedcoop: the cooperative scheduler. It registers itself with uksched from the init table
 * (priority 02); threads run until they block, yield, sleep or exit, in FIFO order. */
#ifndef UK_SCHEDCOOP_H
#define UK_SCHEDCOOP_H

/* Registers schedcoop with uksched (idempotent); returns 0. */
int uk_schedcoop_init(void);

#endif
