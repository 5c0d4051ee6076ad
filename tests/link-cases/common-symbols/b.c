char shared_buffer[4096] __attribute__((aligned(64)));
int counter;
char *buffer_from_b(void) { return shared_buffer; }
