int tool(int);
int late(void) { return tool(3); }
