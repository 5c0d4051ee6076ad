/* A tiny Lua driver: runs SCRIPT with the remaining arguments in the global `arg`.
 * Built with musl-gcc: an ordinary static Linux program, or a unikernel when the link goes
 * through ukl (see Makefile). */
#include <stdio.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lua SCRIPT [ARGS...]\n");
		return 2;
	}
	lua_State *L = luaL_newstate();
	if (L == NULL) {
		fprintf(stderr, "lua: cannot create a state: not enough memory\n");
		return 1;
	}
	luaL_openlibs(L);
	lua_createtable(L, argc, 0);
	for (int i = 1; i < argc; i++) {
		lua_pushstring(L, argv[i]);
		lua_rawseti(L, -2, i - 1);
	}
	lua_setglobal(L, "arg");
	int status = luaL_dofile(L, argv[1]);
	if (status != LUA_OK) {
		fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
		lua_close(L);
		return 1;
	}
	lua_close(L);
	return 0;
}
