/* Explain test: uses allocbuddy's own interface, so it cannot link with another allocator. */
#include <stddef.h>

int uk_allocbuddy_add_region(void *base, size_t len);

static char extra[1 << 16];

int main(void)
{
	return uk_allocbuddy_add_region(extra, sizeof(extra));
}
