/* nolibc: qsort (heapsort: O(n log n) in the worst case, no recursion, no allocation) and
 * bsearch. */
#include <stdlib.h>

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		unsigned char t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Moves the element at `root` down until the heap of `count` elements is ordered again. */
static void sift_down(unsigned char *base, size_t root, size_t count, size_t size,
		      int (*compare)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= count)
			return;
		if (child + 1 < count && compare(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (compare(base + root * size, base + child * size) >= 0)
			return;
		swap_bytes(base + root * size, base + child * size, size);
		root = child;
	}
}

void qsort(void *base, size_t count, size_t size, int (*compare)(const void *, const void *))
{
	unsigned char *elements = base;

	if (count < 2 || size == 0)
		return;
	for (size_t i = count / 2; i-- > 0;)
		sift_down(elements, i, count, size, compare);
	for (size_t end = count - 1; end > 0; end--) {
		swap_bytes(elements, elements + end * size, size);
		sift_down(elements, 0, end, size, compare);
	}
}

void *bsearch(const void *key, const void *base, size_t count, size_t size,
	      int (*compare)(const void *, const void *))
{
	const unsigned char *elements = base;

	while (count > 0) {
		size_t middle = count / 2;
		const unsigned char *probe = elements + middle * size;
		int order = compare(key, probe);

		if (order == 0)
			return (void *)probe;
		if (order > 0) {
			elements = probe + size;
			count -= middle + 1;
		} else {
			count = middle;
		}
	}
	return NULL;
}
