int duplicate_function(void);
int main(void) { return duplicate_function(); }
