const char *second(void);
const char *first(void) { return second(); }
