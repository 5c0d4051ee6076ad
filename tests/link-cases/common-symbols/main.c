#include <stdint.h>
#include <stdio.h>
#include <string.h>
extern char shared_buffer[];
extern int counter;
char *buffer_from_a(void);
char *buffer_from_b(void);
int main(void)
{
	memset(shared_buffer, 'x', 4096); /* must not overwrite anything else */
	printf("buffer=%d aligned=%d counter=%d same=%d\n", (int)strnlen(shared_buffer, 4096),
	       (int)((uintptr_t)shared_buffer % 64 == 0), counter,
	       buffer_from_a() == buffer_from_b());
	return 0;
}
