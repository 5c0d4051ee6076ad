/* virtio_net: the virtio-net driver. It registers itself from the init table at priority 10
 * (after the allocator, before netstack at 20): it scans the virtio-mmio slots of QEMU's microvm
 * (0xfeb00000 + n * 0x200, n < 32) and PCI bus 0 (ports 0xcf8/0xcfc, vendor 0x1af4, modern
 * capabilities) and registers every network device with netdev (uk/netdev.h). */
#ifndef UK_VIRTIO_NET_H
#define UK_VIRTIO_NET_H

/* Probes and registers devices (idempotent): the number found. */
int uk_virtio_net_init(void);

#endif
