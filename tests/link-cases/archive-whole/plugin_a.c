void register_plugin(const char *);
__attribute__((constructor)) static void init(void) { register_plugin("a"); }
