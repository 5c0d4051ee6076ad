/*
 * plat_xen implements the platform interface of uk/plat.h (see plat_kvm's include directory and
 * docs/pool-abi.md) for Xen PVH guests. Differences from kvm:
 *  - ukplat_console_write: console_io hypercall (dom0), the console ring from the HVM
 *    parameters (domU), else I/O port 0xe9; "\n" is sent as is.
 *  - ukplat_monotonic_ns / ukplat_wall_ns: Xen's shared info (vcpu 0 time info, wallclock).
 *  - ukplat_terminate(status): prints "ukl: exit status <status>", then SCHEDOP_shutdown:
 *    a domU asks for poweroff (status 0) or crash (otherwise); dom0 asks for reboot (status 0)
 *    or crash (otherwise), because Xen answers a dom0 poweroff by halting every CPU forever.
 */
#ifndef UK_PLAT_XEN_H
#define UK_PLAT_XEN_H

/* The line printed by ukplat_terminate before the domain shuts down. */
#define UKPLAT_XEN_EXIT_LINE "ukl: exit status "

#endif
