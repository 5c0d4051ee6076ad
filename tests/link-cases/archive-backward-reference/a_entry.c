const char *b_entry(void);
const char *a_entry(void) { return b_entry(); }
