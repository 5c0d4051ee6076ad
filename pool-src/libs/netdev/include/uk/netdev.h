/* netdev: the pool's network device API. A driver (e.g. virtio_net) registers each device it
 * finds with a table of operations, from an init hook at priority 10; a network stack (netstack)
 * then sends and receives whole Ethernet frames through the uk_netdev_* functions.
 *
 * Buffer ownership: every call copies. uk_netdev_transmit returns once the frame has been copied
 * into a buffer the driver owns (the caller may reuse its buffer at once); uk_netdev_receive
 * copies the next received frame into the caller's buffer and gives the driver's buffer back to
 * the device. No pointer crosses the interface after a call returns.
 *
 * The calls never block: without interrupts a stack polls uk_netdev_receive. A driver that gets
 * an interrupt line later keeps this interface (the stack then waits instead of polling). */
#ifndef UK_NETDEV_H
#define UK_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UK_NETDEV_MAX 4

struct uk_netdev_ops {
	const char *name;
	/* Copies one frame (Ethernet header included, no FCS) into the device's transmit ring.
	 * 0, -EAGAIN (-11) when the ring is full, -EMSGSIZE (-90) when the frame is too big. */
	int (*transmit)(void *dev, const void *frame, size_t len);
	/* Copies the next received frame into buf: its length, -EAGAIN when none is waiting,
	 * -EMSGSIZE when it does not fit (the frame is dropped). */
	int (*receive)(void *dev, void *buf, size_t cap);
};

struct uk_netdev_info {
	const char *name;  /* driver name, e.g. "virtio-net" */
	uint8_t mac[6];
	uint16_t mtu;      /* IP MTU, 1500 for Ethernet */
};

/* Registers a device: its index (0, 1, ...), or -ENOSPC (-28) past UK_NETDEV_MAX. */
int uk_netdev_register(const struct uk_netdev_ops *ops, void *dev, const uint8_t mac[6],
		       uint16_t mtu);
int uk_netdev_count(void);
/* 0, or -ENODEV (-19) for a bad index. */
int uk_netdev_info(int index, struct uk_netdev_info *info);
/* Dispatch to the device's operations; -ENODEV for a bad index. */
int uk_netdev_transmit(int index, const void *frame, size_t len);
int uk_netdev_receive(int index, void *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
