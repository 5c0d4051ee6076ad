const char *a_helper(void);
const char *b_entry(void) { return a_helper(); }
