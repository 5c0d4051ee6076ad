void broken(void);
int main(void) { broken(); return 0; }
