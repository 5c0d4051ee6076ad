#include "shared.h"

extern "C" void run_b()
{
	Box<int> box{43};
	printf("b: box=%d twice=%d counter=%d table=%d\n", box.get(), box.twice(), next_counter(),
	       table_value<int>);
}

Getter getter_from_b() { return &Box<int>::twice; }
const int *table_address_b() { return &table_value<int>; }
