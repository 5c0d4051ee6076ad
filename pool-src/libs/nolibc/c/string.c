/* nolibc: memory and string functions. The compiler must not turn these loops back into calls
 * to themselves: build.rs compiles this file with -fno-tree-loop-distribute-patterns, and the
 * bulk copies and fills use x86 string instructions through inline assembly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *start = dst;
	size_t words = n / 8;
	size_t bytes = n % 8;

	__asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(bytes) : : "memory");
	return start;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *to = dst;
	const unsigned char *from = src;

	if (to == from || n == 0)
		return dst;
	if (to < from || to >= from + n)
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards. */
	to += n - 1;
	from += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *start = dst;

	__asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(c) : "memory");
	return start;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *left = a;
	const unsigned char *right = b;

	for (size_t i = 0; i < n; i++)
		if (left[i] != right[i])
			return left[i] < right[i] ? -1 : 1;
	return 0;
}

int bcmp(const void *a, const void *b, size_t n)
{
	return memcmp(a, b, n);
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *bytes = s;

	for (size_t i = 0; i < n; i++)
		if (bytes[i] == (unsigned char)c)
			return (void *)(bytes + i);
	return NULL;
}

size_t strlen(const char *s)
{
	const char *end = s;

	while (*end != '\0')
		end++;
	return (size_t)(end - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t len = 0;

	while (len < max && s[len] != '\0')
		len++;
	return len;
}

int strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			break;
	}
	return 0;
}

char *strcpy(char *restrict dst, const char *restrict src)
{
	char *to = dst;

	while ((*to++ = *src++) != '\0')
		;
	return dst;
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t i = 0;

	for (; i < n && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (; i < n; i++)
		dst[i] = '\0';
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *strncat(char *restrict dst, const char *restrict src, size_t n)
{
	char *to = dst + strlen(dst);
	size_t i = 0;

	for (; i < n && src[i] != '\0'; i++)
		to[i] = src[i];
	to[i] = '\0';
	return dst;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *found = NULL;

	for (;; s++) {
		if (*s == (char)c)
			found = s;
		if (*s == '\0')
			return (char *)found;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t len = strlen(needle);

	if (len == 0)
		return (char *)haystack;
	for (; *haystack != '\0'; haystack++)
		if (*haystack == *needle && strncmp(haystack, needle, len) == 0)
			return (char *)haystack;
	return NULL;
}

size_t strspn(const char *s, const char *accept)
{
	size_t len = 0;

	while (s[len] != '\0' && strchr(accept, s[len]) != NULL)
		len++;
	return len;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t len = 0;

	while (s[len] != '\0' && strchr(reject, s[len]) == NULL)
		len++;
	return len;
}

char *strpbrk(const char *s, const char *accept)
{
	s += strcspn(s, accept);
	return *s != '\0' ? (char *)s : NULL;
}

char *strdup(const char *s)
{
	return strndup(s, SIZE_MAX);
}

char *strndup(const char *s, size_t max)
{
	size_t len = strnlen(s, max);
	char *copy = malloc(len + 1);

	if (copy != NULL) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

char *strtok_r(char *restrict s, const char *restrict delim, char **restrict state)
{
	char *token;

	if (s == NULL)
		s = *state;
	if (s == NULL)
		return NULL;
	s += strspn(s, delim);
	if (*s == '\0') {
		*state = NULL;
		return NULL;
	}
	token = s;
	s += strcspn(s, delim);
	if (*s != '\0')
		*s++ = '\0';
	*state = s;
	return token;
}

char *strtok(char *restrict s, const char *restrict delim)
{
	static char *state;

	return strtok_r(s, delim, &state);
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int strcasecmp(const char *a, const char *b)
{
	while (*a != '\0' && fold((unsigned char)*a) == fold((unsigned char)*b)) {
		a++;
		b++;
	}
	return fold((unsigned char)*a) - fold((unsigned char)*b);
}

int strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		int left = fold((unsigned char)*a);
		int right = fold((unsigned char)*b);

		if (left != right)
			return left - right;
		if (left == '\0')
			break;
	}
	return 0;
}
