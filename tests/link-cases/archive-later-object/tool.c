int tool(int x) { return x * 2 + 1; }
