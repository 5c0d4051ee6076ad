struct entry { const char *name; int value; };
#define ENTRY(n, v) \
	__attribute__((used, section("ukl_table"), aligned(16))) static const struct entry entry_##n = {#n, v}
