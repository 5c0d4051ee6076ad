const char *first(void);
const char *third(void) { return first(); }
