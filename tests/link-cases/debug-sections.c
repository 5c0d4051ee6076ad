// -g: the DWARF sections are kept (non-alloc, at address 0, relocated with R_X86_64_32/64
// against .debug_str, .debug_abbrev, .debug_line and code), and the program still runs.
// The .debug_abbrev section has no relocations and only one input, so it must be copied
// verbatim.
// compile: musl-gcc -O1 -g -gdwarf-5
// sections-present: .debug_info .debug_abbrev .debug_line .debug_str
// compare-sections: .debug_abbrev
// exit: 0
// stdout: sum=15
#include <stdio.h>
struct point { int x, y; };
static int sum(const struct point *p, int n)
{
	int total = 0;
	for (int i = 0; i < n; i++)
		total += p[i].x + p[i].y;
	return total;
}
int main(void)
{
	struct point points[] = {{1, 2}, {3, 4}, {5, 0}};
	printf("sum=%d\n", sum(points, 3));
	return 0;
}
