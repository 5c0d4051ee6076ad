const char *version(void) { return "archive's version"; }
int only_in_dup;
