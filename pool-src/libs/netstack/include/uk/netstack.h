/* netstack: the pool's TCP/IP stack (smoltcp). The BSD socket API is in sys/socket.h & co.
 *
 * Configuration on the kernel command line (the words also reach main's argv):
 *   netstack.ip=A.B.C.D/LEN   static address (default 10.0.2.15/24, QEMU user networking)
 *   netstack.gw=A.B.C.D|none  default gateway (default 10.0.2.2)
 *   netstack.ip=dhcp          DHCP (boot waits up to 10 s for a lease)
 */
#ifndef UK_NETSTACK_H
#define UK_NETSTACK_H

#include <stdint.h>

/* Polls the device and the stack once (blocking socket calls do it in their loop): 0, or
 * -ENODEV without a network device. */
int uk_netstack_poll(void);
/* The interface address (network byte order) and prefix length: 0, or -ENETDOWN. */
int uk_netstack_ipv4(uint32_t *address, uint8_t *prefix);

#endif
