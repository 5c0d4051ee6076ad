// A reference to a symbol nobody defines: the link fails, and the message names the symbol,
// the object and the function that references it.
// error: missing_function
// error: error-undefined-symbol.o
// error: caller_function
int missing_function(int);
__attribute__((noinline)) int caller_function(int x) { return missing_function(x) + 1; }
int main(void) { return caller_function(1); }
