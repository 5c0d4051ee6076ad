#include <stdlib.h>
#include <string.h>
#include "words.h"

static int calls;
int call_count(void) { return calls; }

void words_add(struct words *w, const char *text)
{
	calls++;
	if (w->count == w->capacity) {
		w->capacity = w->capacity ? w->capacity * 2 : 2;
		w->items = realloc(w->items, w->capacity * sizeof *w->items);
	}
	w->items[w->count++] = strdup(text);
}

static int compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void words_sort(struct words *w) { qsort(w->items, w->count, sizeof *w->items, compare); }

void words_free(struct words *w)
{
	for (size_t i = 0; i < w->count; i++)
		free(w->items[i]);
	free(w->items);
}
