const char *greeting(void) { return "strong"; }
__attribute__((weak)) const char *first_weak(void) { return "b"; }
