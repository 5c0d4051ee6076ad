// Merge sections from C: string literals in .rodata.str1.1 (SHF_MERGE|SHF_STRINGS) and
// constants in .rodata.cst8/.cst16 (-fmerge-constants), identical ones in the same object.
// compile: musl-gcc -O2 -fmerge-constants
// exit: 0
// stdout: hello, world|hello, world|world|3.25 3.25|1.5 2.5
#include <stdio.h>

__attribute__((noinline)) static const char *first(void) { return "hello, world"; }
__attribute__((noinline)) static const char *second(void) { return "hello, world"; }
__attribute__((noinline)) static const char *suffix(void) { return "world"; }
__attribute__((noinline)) static double scale(double x) { return x * 3.25; }
__attribute__((noinline)) static double scale_again(double x) { return x * 3.25; }
typedef double pair __attribute__((vector_size(16)));
__attribute__((noinline)) static pair vector(void) { return (pair){1.5, 2.5}; }

int main(void)
{
	pair v = vector();
	printf("%s|%s|%s|%g %g|%g %g\n", first(), second(), suffix(), scale(1.0),
	       scale_again(1.0), v[0], v[1]);
	return 0;
}
