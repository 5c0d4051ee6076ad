const char *second(void) { return "third -> first -> second"; }
