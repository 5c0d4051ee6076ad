/* Standard input of an unmodified musl program: lines through stdio, then raw reads, then
 * the end of the input (twice: it stays at its end). Prints what it read, transformed, and
 * totals, so that a unikernel fed the same input must print what Linux prints. */
#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char line[256];
	unsigned long lines = 0, bytes = 0, sum = 0;
	/* The first lines through stdio: echoed upper-cased. */
	while (lines < 3 && fgets(line, sizeof line, stdin)) {
		lines++;
		for (char *p = line; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		printf("line %lu: %s", lines, line);
	}
	/* The rest as stdio gives it, summed. */
	int c;
	while ((c = getchar()) != EOF) {
		bytes++;
		sum = sum * 31 + (unsigned char)c;
		if (c == '\n')
			lines++;
	}
	printf("then %lu bytes, %lu lines in all, checksum %lu\n", bytes, lines, sum);
	/* At the end of the input, reads keep returning 0 and poll says readable. */
	char rest[16];
	printf("read at end: %zd\n", read(0, rest, sizeof rest));
	struct pollfd in = { 0, POLLIN, 0 };
	printf("poll at end: %d\n", poll(&in, 1, 0));
	printf("read again: %zd\n", read(0, rest, sizeof rest));
	return 0;
}
