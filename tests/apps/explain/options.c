/* Boot test of link-time configuration: the log level comes from the option `ukdebug.level`
 * (set with --opt or uk.toml, no pool rebuild), and the heap's growth over a loop of
 * malloc/free pairs tells which allocator the link chose (allocbuddy reuses freed blocks,
 * allocregion does not). */
#include <stdio.h>
#include <stdlib.h>
#include <uk/alloc.h>
#include <uk/print.h>

int main(void)
{
	struct uk_alloc_stats before, after;
	int i;

	printf("uk_debug_level = %d\n", uk_debug_level);
	uk_pr_err("an err message\n");
	uk_pr_info("an info message\n");
	uk_pr_debug("a debug message\n");

	uk_alloc_stats(&before);
	printf("heap total %lu KiB\n", (unsigned long)(before.total_bytes / 1024));
	for (i = 0; i < 1000; i++) {
		void *a = malloc(1000);
		void *b = malloc(1000);

		if (!a || !b) {
			printf("allocation %d failed\n", i);
			return 1;
		}
		free(a);
		free(b);
	}
	uk_alloc_stats(&after);
	printf("heap grew by %lu KiB over 1000 malloc/free pairs\n",
	       (unsigned long)((after.used_bytes - before.used_bytes) / 1024));
	return 0;
}
