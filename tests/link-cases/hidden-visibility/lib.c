__attribute__((visibility("hidden"))) int hidden_data = 22;
__attribute__((visibility("hidden"))) int hidden_function(void) { return 11; }
__attribute__((visibility("protected"))) int protected_data = 33;
