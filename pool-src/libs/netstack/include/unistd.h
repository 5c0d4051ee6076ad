/* netstack: unistd.h (close for sockets). When the pool's libc grows its own unistd.h, this
 * declaration moves there and netstack keeps exporting close. */
#ifndef _NETSTACK_UNISTD_H
#define _NETSTACK_UNISTD_H

int close(int fd);

#endif
