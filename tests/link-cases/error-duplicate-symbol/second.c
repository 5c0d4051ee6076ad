int duplicate_function(void) { return 2; }
