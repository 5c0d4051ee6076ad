/* tap_net: the linuxu network driver. From the init table at priority 10 (after the allocator,
 * before netstack at 20) it attaches to the Linux TAP interface named by the command line word
 * `tap_net.ifname=NAME` or, failing that, the environment variable UKL_TAP, and registers it
 * with netdev (uk/netdev.h). Without a name it registers nothing. */
#ifndef UK_TAP_NET_H
#define UK_TAP_NET_H

/* Attaches (idempotent): 1 when a device is registered, 0 when none was asked for, or a
 * negated errno (e.g. -1 EPERM, -2 ENOENT for /dev/net/tun, -16 EBUSY). */
int uk_tap_net_init(void);

#endif
