#include <stdio.h>
const char *greeting(void);
const char *weak_only(void);
const char *first_weak(void);
extern int answer;
int main(void)
{
	printf("greeting=%s answer=%d weak_only=%s first_weak=%s\n", greeting(), answer,
	       weak_only(), first_weak());
	return 0;
}
