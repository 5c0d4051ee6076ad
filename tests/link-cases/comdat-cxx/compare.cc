#include "shared.h"
extern "C" int same_twice() { return getter_from_a() == getter_from_b(); }
extern "C" int same_table() { return table_address_a() == table_address_b(); }
