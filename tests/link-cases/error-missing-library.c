// -l of a library found in no -L directory: the link fails naming the library.
// args: -L{tmp}
// inputs: error-missing-library.o -lno_such_library
// error: no_such_library
int main(void) { return 0; }
