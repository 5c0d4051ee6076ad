#include "table.h"
ENTRY(alpha, 1);
ENTRY(beta, 2);
