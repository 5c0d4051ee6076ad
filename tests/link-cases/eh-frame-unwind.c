// .eh_frame is kept and --eh-frame-hdr builds .eh_frame_hdr with a PT_GNU_EH_FRAME segment:
// libgcc's unwinder walks the stack through three frames of this program with
// _Unwind_Backtrace. Debian's libgcc_eh.a is built for glibc and finds the unwind tables with
// _dl_find_object, so the program provides one on top of musl's dl_iterate_phdr, which reads
// the program headers through AT_PHDR.
// compile: musl-gcc -O1 -fasynchronous-unwind-tables -fno-omit-frame-pointer
// args: --eh-frame-hdr
// inputs: eh-frame-unwind.o {gcc-lib}/libgcc_eh.a {gcc-lib}/libgcc.a
// sections-present: .eh_frame .eh_frame_hdr
// exit: 0
// stdout: unwound through level_three level_two level_one main
#include <link.h>
#include <stdio.h>
#include <unwind.h>

/* glibc's layout of struct dl_find_object. */
struct dl_find_object {
	unsigned long long flags;
	void *map_start, *map_end, *link_map, *eh_frame;
	unsigned long long reserved[7];
};

static int find_eh_frame(struct dl_phdr_info *info, size_t size, void *argument)
{
	struct dl_find_object *result = argument;
	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_GNU_EH_FRAME)
			result->eh_frame = (void *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
	return 1; /* the first module is the program itself */
}

int _dl_find_object(void *pc, struct dl_find_object *result)
{
	(void)pc;
	*result = (struct dl_find_object){0};
	dl_iterate_phdr(find_eh_frame, result);
	return result->eh_frame ? 0 : -1;
}

static void *functions[4];
static const char *names[4] = {"level_three", "level_two", "level_one", "main"};
static int found[4];

static _Unwind_Reason_Code visit(struct _Unwind_Context *context, void *argument)
{
	void *function = _Unwind_FindEnclosingFunction((void *)_Unwind_GetIP(context));
	(void)argument;
	for (int i = 0; i < 4; i++)
		if (function == functions[i])
			found[i] = 1;
	return _URC_NO_REASON;
}

__attribute__((noinline)) int level_three(int x)
{
	_Unwind_Backtrace(visit, 0);
	return x + 1;
}
__attribute__((noinline)) int level_two(int x) { return level_three(x) * 2; }
__attribute__((noinline)) int level_one(int x) { return level_two(x) * 3; }

int main(void)
{
	functions[0] = (void *)level_three;
	functions[1] = (void *)level_two;
	functions[2] = (void *)level_one;
	functions[3] = (void *)main;
	if (level_one(1) != 12)
		return 1;
	printf("unwound through");
	for (int i = 0; i < 4; i++)
		if (found[i])
			printf(" %s", names[i]);
	printf("\n");
	return 0;
}
