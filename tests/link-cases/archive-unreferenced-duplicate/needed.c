int needed(void) { return 5; }
