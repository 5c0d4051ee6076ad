void ping_done(void) {}
