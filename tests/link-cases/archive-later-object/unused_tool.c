int unused_tool(int x) { return x; }
