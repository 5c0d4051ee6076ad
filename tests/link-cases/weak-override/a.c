__attribute__((weak)) const char *greeting(void) { return "weak"; }
__attribute__((weak)) int answer = 1;
__attribute__((weak)) const char *weak_only(void) { return "weak"; }
__attribute__((weak)) const char *first_weak(void) { return "a"; }
