/* Boot test: fill most of the RAM the platform reports with blocks of random sizes and
 * alignments, check their contents, free them in random order, and repeat. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define MAX_BLOCKS 4096

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

struct block {
	unsigned char *p;
	size_t size;
	unsigned char tag;
};

static struct block blocks[MAX_BLOCKS];

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (int round = 0; round < 4; round++) {
		size_t total = 0;
		int count = 0;
		while (count < MAX_BLOCKS) {
			size_t size = (next() % 4 == 0) ? 1 + next() % (256 * 1024) : 1 + next() % 2048;
			unsigned char *p;
			if (next() % 8 == 0) {
				size_t align = (size_t)1 << (4 + next() % 9);
				p = aligned_alloc(align, (size + align - 1) / align * align);
				if (p != NULL && ((uintptr_t)p & (align - 1)) != 0) {
					printf("FAIL: misaligned block %p for alignment %zu\n", (void *)p, align);
					return 1;
				}
			} else {
				p = malloc(size);
			}
			if (p == NULL)
				break;
			unsigned char tag = (unsigned char)next();
			memset(p, tag, size);
			blocks[count].p = p;
			blocks[count].size = size;
			blocks[count].tag = tag;
			total += size;
			count++;
		}
		for (int i = 0; i < count; i++) {
			for (size_t j = 0; j < blocks[i].size; j += 61) {
				if (blocks[i].p[j] != blocks[i].tag) {
					printf("FAIL: block %d corrupted at %zu\n", i, j);
					return 1;
				}
			}
			if (blocks[i].p[blocks[i].size - 1] != blocks[i].tag) {
				printf("FAIL: block %d corrupted at its end\n", i);
				return 1;
			}
		}
		/* Grow some blocks with realloc and check the contents moved with them. */
		for (int i = 0; i < count; i += 7) {
			size_t bigger = blocks[i].size + 1 + next() % 4096;
			unsigned char *q = realloc(blocks[i].p, bigger);
			if (q == NULL)
				continue;
			if (q[0] != blocks[i].tag || q[blocks[i].size - 1] != blocks[i].tag) {
				printf("FAIL: realloc lost the contents of block %d\n", i);
				return 1;
			}
			memset(q, blocks[i].tag, bigger);
			blocks[i].p = q;
			blocks[i].size = bigger;
		}
		for (int i = count - 1; i > 0; i--) {
			int j = (int)(next() % (uint64_t)(i + 1));
			struct block t = blocks[i];
			blocks[i] = blocks[j];
			blocks[j] = t;
		}
		for (int i = 0; i < count; i++)
			free(blocks[i].p);
		printf("round %d: %d blocks, %zu KiB\n", round, count, total / 1024);
		if (count < 64) {
			printf("FAIL: too few blocks allocated\n");
			return 1;
		}
	}
	/* After freeing everything, one large block must fit again: the allocator coalesced. */
	void *big = malloc(8 * 1024 * 1024);
	printf("large block after free: %s\n", big ? "ok" : "FAIL");
	return big ? 0 : 1;
}
