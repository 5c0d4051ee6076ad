void not_defined_anywhere(void);
void broken(void) { not_defined_anywhere(); }
