/* The environment and arguments of an unmodified musl program: every environ entry, getenv,
 * setenv, the arguments, and local time under the TZ it was given. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv)
{
	int n = 0;
	for (char **e = environ; *e; e++)
		printf("environ[%d] %s\n", n++, *e);
	printf("GREETING=%s\n", getenv("GREETING") ? getenv("GREETING") : "(none)");
	printf("MISSING=%s\n", getenv("MISSING") ? getenv("MISSING") : "(none)");
	setenv("LATER", "set by the program", 1);
	printf("LATER=%s\n", getenv("LATER"));
	for (int i = 1; i < argc; i++)
		printf("argv[%d] [%s]\n", i, argv[i]);
	time_t t = 86400 * 180 + 3600 * 5;
	char buf[64];
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %Z", localtime(&t));
	printf("local time %s\n", buf);
	return 0;
}
