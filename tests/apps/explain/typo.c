/* Explain test: a misspelt pool symbol (uk_mallc for uk_malloc). */
#include <stddef.h>

void *uk_mallc(size_t size);

int main(void)
{
	return uk_mallc(16) != NULL;
}
