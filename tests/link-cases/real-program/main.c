#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "words.h"

static const char *const input[] = {"linker", "symbol", "section", "relocation", "archive",
				    "object", "table", "data", "constructor"};
static struct words words;

__attribute__((constructor)) static void fill(void)
{
	for (size_t i = 0; i < sizeof input / sizeof *input; i++)
		words_add(&words, input[i]);
}

int main(void)
{
	size_t longest = 0;
	for (size_t i = 1; i < words.count; i++)
		if (strlen(words.items[i]) > strlen(words.items[longest]))
			longest = i;
	printf("words: %zu, longest: \"%s\" (%zu)\n", words.count, words.items[longest],
	       strlen(words.items[longest]));
	words_sort(&words);
	printf("sorted:");
	size_t min = 100, max = 0;
	for (size_t i = 0; i < words.count; i++) {
		size_t n = strlen(words.items[i]);
		min = n < min ? n : min;
		max = n > max ? n : max;
		printf(" %s", words.items[i]);
	}
	printf("\nstats: mean=%.3f stddev=%.3f min=%zu max=%zu\n", mean_length(&words),
	       stddev_length(&words), min, max);
	printf("ops: add=%g sub=%g mul=%g div=%g big=%" PRIu64 "\n", apply(0, 5, 7), apply(1, 5, 7),
	       apply(2, 5, 7), apply(3, 5, 7), (uint64_t)apply(5, 2, 40));
	words_add(&words, "extra");
	words_free(&words);
	printf("calls: %d\n", call_count() - 6);
	return 0;
}
