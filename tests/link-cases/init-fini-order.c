// Start-up and shut-down order in a static musl program: constructors with priorities
// (.init_array.NNNNN, sorted by priority before the unnumbered .init_array), entries put in
// .init_array/.fini_array by hand, destructors with priorities, atexit handlers, and a
// .preinit_array table (musl's static start-up does not run it, so main walks it through
// __preinit_array_start/__preinit_array_end, which the linker defines).
// exit: 0
// stdout: ctor 101
// stdout: ctor 200
// stdout: ctor default
// stdout: init_array entry
// stdout: main
// stdout: preinit entry 1
// stdout: preinit entry 2
// stdout: atexit 2
// stdout: atexit 1
// stdout: fini_array entry
// stdout: dtor default
// stdout: dtor 200
// stdout: dtor 101
#include <stdio.h>
#include <stdlib.h>

/* Flushed at once, so that the order survives exit-time flushing. */
static void say(const char *text) { fputs(text, stdout); fflush(stdout); }

__attribute__((constructor(200))) static void ctor_200(void) { say("ctor 200\n"); }
__attribute__((constructor(101))) static void ctor_101(void) { say("ctor 101\n"); }
__attribute__((constructor)) static void ctor_default(void) { say("ctor default\n"); }
__attribute__((destructor(101))) static void dtor_101(void) { say("dtor 101\n"); }
__attribute__((destructor(200))) static void dtor_200(void) { say("dtor 200\n"); }
__attribute__((destructor)) static void dtor_default(void) { say("dtor default\n"); }

static void init_entry(void) { say("init_array entry\n"); }
static void fini_entry(void) { say("fini_array entry\n"); }
static void preinit_1(void) { say("preinit entry 1\n"); }
static void preinit_2(void) { say("preinit entry 2\n"); }
__attribute__((used, section(".init_array"))) static void (*init_pointer)(void) = init_entry;
__attribute__((used, section(".fini_array"))) static void (*fini_pointer)(void) = fini_entry;
__attribute__((used, section(".preinit_array"))) static void (*preinit_pointers[])(void) = {
	preinit_1, preinit_2};

static void atexit_1(void) { say("atexit 1\n"); }
static void atexit_2(void) { say("atexit 2\n"); }

extern void (*__preinit_array_start[])(void) __attribute__((weak));
extern void (*__preinit_array_end[])(void) __attribute__((weak));

int main(void)
{
	say("main\n");
	for (void (**entry)(void) = __preinit_array_start; entry < __preinit_array_end; entry++)
		(*entry)();
	atexit(atexit_1);
	atexit(atexit_2);
	return 0;
}
