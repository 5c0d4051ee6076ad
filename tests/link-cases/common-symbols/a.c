char shared_buffer[16];
int counter;
char *buffer_from_a(void) { return shared_buffer; }
