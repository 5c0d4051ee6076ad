#include <stdio.h>
#include "table.h"
extern const struct entry __start_ukl_table[], __stop_ukl_table[];
extern const char __start_no_such_section[] __attribute__((weak));
int main(void)
{
	const struct entry *e;
	const char *by_value[4] = {0};
	/* entries are 16-byte aligned, so each one takes 16 bytes; the compiler may emit them
	   in any order */
	printf("%d entries:", (int)(__stop_ukl_table - __start_ukl_table));
	for (e = __start_ukl_table; e < __stop_ukl_table; e++)
		if (e->value > 0 && e->value < 4)
			by_value[e->value] = e->name;
	for (int i = 1; i < 4; i++)
		printf(" %s=%d", by_value[i] ? by_value[i] : "?", i);
	printf("\nabsent section: %d\n", __start_no_such_section != 0);
	return 0;
}
