int duplicate_function(void) { return 1; }
