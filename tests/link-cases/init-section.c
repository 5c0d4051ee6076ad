// The .init and .fini sections are code fragments concatenated in link order between crti.o's
// prologue and crtn.o's epilogue; musl's start-up calls _init, exit calls _fini.
// exit: 0
// stdout: init fragment
// stdout: main
// stdout: fini fragment
#include <stdio.h>

void init_hook(void) { puts("init fragment"); }
void fini_hook(void) { puts("fini fragment"); fflush(stdout); }

__asm__(".section .init, \"ax\", @progbits\n"
	"\tcall init_hook\n"
	".section .fini, \"ax\", @progbits\n"
	"\tcall fini_hook\n"
	".text\n");

int main(void)
{
	puts("main");
	return 0;
}
