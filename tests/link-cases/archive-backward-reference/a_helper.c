const char *a_helper(void) { return "a_entry -> b_entry -> a_helper"; }
