#include "shared.h"

extern "C" void run_a()
{
	Box<int> box{42};
	printf("a: box=%d twice=%d counter=%d table=%d\n", box.get(), box.twice(), next_counter(),
	       table_value<int>);
}

Getter getter_from_a() { return &Box<int>::twice; }
const int *table_address_a() { return &table_value<int>; }
