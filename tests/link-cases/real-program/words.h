#include <stddef.h>
struct words {
	char **items;
	size_t count, capacity;
};
void words_add(struct words *w, const char *text);
void words_sort(struct words *w);
void words_free(struct words *w);
double mean_length(const struct words *w);
double stddev_length(const struct words *w);
double apply(int op, double a, double b);
int call_count(void);
