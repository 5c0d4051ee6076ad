// An input file that does not exist: the link fails naming the file.
// inputs: error-missing-input.o no-such-object.o
// error: no-such-object.o
int main(void) { return 0; }
