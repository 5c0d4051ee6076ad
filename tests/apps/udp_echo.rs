//! UDP echo server in Rust over `uk::net`: echoes datagrams on port 7; "quit" ends with 0.
#![no_std]

use uk::net::UdpSocket;

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    let socket = match UdpSocket::bind(7) {
        Ok(socket) => socket,
        Err(e) => {
            uk::println!("udp_echo.rs: bind: errno {}", e.0);
            return 1;
        }
    };
    uk::println!("udp_echo.rs: listening on port 7");
    let mut buf = [0u8; 2048];
    loop {
        let Ok((n, peer)) = socket.recv_from(&mut buf) else {
            return 1;
        };
        uk::println!("udp_echo.rs: {} bytes from {}", n, peer);
        if socket.send_to(&buf[..n], peer).is_err() {
            return 1;
        }
        if &buf[..n] == b"quit" {
            return 0;
        }
    }
}
