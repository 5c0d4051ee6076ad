// TLS, initial-exec model: R_X86_64_GOTTPOFF.
// .tdata and .tbss variables, one 64-byte aligned, in the main thread and a second thread.
// compile: musl-gcc -O2 -fPIC -ftls-model=initial-exec -I{cases}/_common
// link: static-musl
// exit: 0
// stdout: main: initialized=42 zeroed=0 text=thread-local text aligned=1 zero=0 counter=7 static_zero=0
// stdout: thread: initialized=42 zeroed=0 text=thread-local text aligned=1 zero=0 counter=7 static_zero=0
// stdout: thread: initialized=1 zeroed=2 text=thread-local text aligned=1 zero=0 counter=8 static_zero=-1
// stdout: main: initialized=43 zeroed=5 text=Thread-local text aligned=1 zero=0.5 counter=17 static_zero=9
#include "tls_body.h"
