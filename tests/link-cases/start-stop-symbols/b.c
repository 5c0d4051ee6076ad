#include "table.h"
ENTRY(gamma, 3);
