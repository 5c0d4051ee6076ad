int strong_marker;
const char *value(void) { return "strong"; }
