//! Bounded socket exchange: connect with a timeout, send, read until the peer closes — never
//! longer than the deadline and never more than the size cap, so a device that hangs, trickles
//! or floods cannot stall the poller or exhaust memory.

use std::io::{ErrorKind, Write};
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, timeout_at, Instant};

use super::error::PollError;

/// Limits for one exchange.
#[derive(Debug, Clone, Copy)]
pub struct ExchangeLimits {
    pub connect: Duration,
    /// Whole read, from the request sent to the peer closing.
    pub read: Duration,
    pub max_bytes: usize,
}

impl Default for ExchangeLimits {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(3),
            max_bytes: 256 * 1024,
        }
    }
}

/// Sends `request` to `addr` and returns everything the peer sends until it closes.
pub async fn exchange(
    addr: &str,
    request: &[u8],
    limits: ExchangeLimits,
) -> Result<Vec<u8>, PollError> {
    exchange_until(addr, request, limits, |_| false).await
}

/// As `exchange`, but the answer is also complete as soon as `complete` says so (the CGMiner
/// API ends its answers with a NUL byte): no wait for the peer's close.
pub async fn exchange_until(
    addr: &str,
    request: &[u8],
    limits: ExchangeLimits,
    complete: fn(&[u8]) -> bool,
) -> Result<Vec<u8>, PollError> {
    let mut stream = match timeout(limits.connect, connect_and_send(addr, request)).await {
        Err(_) => return Err(PollError::ConnectTimeout),
        Ok(r) => r?,
    };
    // No TCP_NODELAY: the request is one small write on a fresh connection, which Nagle's
    // algorithm never holds back; the option would cost a system call per poll.
    let deadline = Instant::now() + limits.read;
    // Read straight into the answer: a buffer on the stack would live in this future, which
    // the poller moves into a new task per poll (8 KB copied each time).
    let mut out = Vec::with_capacity(4096);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(8192);
        }
        match timeout_at(deadline, stream.read_buf(&mut out)).await {
            Err(_) => return Err(PollError::ReadTimeout),
            Ok(Err(e)) => return Err(PollError::Io(e.to_string())),
            Ok(Ok(n)) => {
                if out.len() > limits.max_bytes {
                    return Err(PollError::TooLarge(limits.max_bytes));
                }
                if n == 0 || complete(&out) {
                    // The device closed after answering (as the CGMiner API does), or said it
                    // was done: end with a reset instead of the FIN handshake, so neither side
                    // keeps the connection in a closing state (TIME_WAIT on a miner's small
                    // controller) — at 3,000 polls a second that handshake was a large share of
                    // the poll's kernel time.
                    stream.set_zero_linger().ok();
                    return Ok(out);
                }
            }
        }
    }
}

/// Connects and sends the request. On a near network the handshake is done by the time
/// `connect` returns, so the request goes out at once — no wait for the socket to turn
/// writable, no query of its error (two of a poll's dozen system calls); otherwise the send
/// waits for the connection as usual.
async fn connect_and_send(addr: &str, request: &[u8]) -> Result<TcpStream, PollError> {
    let target: SocketAddr = match addr.parse() {
        Ok(a) => a,
        // A host name: resolved, then connected the ordinary way.
        Err(_) => {
            let mut stream = TcpStream::connect(addr)
                .await
                .map_err(|e| PollError::Connect(e.to_string()))?;
            stream
                .write_all(request)
                .await
                .map_err(|e| PollError::Io(e.to_string()))?;
            return Ok(stream);
        }
    };
    let socket = Socket::new(
        Domain::for_address(target),
        Type::STREAM.nonblocking().cloexec(),
        Some(Protocol::TCP),
    )
    .map_err(|e| PollError::Connect(e.to_string()))?;
    match socket.connect(&target.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(PollError::Connect(e.to_string())),
    }
    let std_stream: std::net::TcpStream = socket.into();
    let sent = match (&std_stream).write(request) {
        Ok(n) => n,
        Err(e) if e.kind() == ErrorKind::WouldBlock => 0,
        // A refused connection shows here on the first write.
        Err(e) => return Err(PollError::Connect(e.to_string())),
    };
    let mut stream = TcpStream::from_std(std_stream).map_err(|e| PollError::Io(e.to_string()))?;
    if sent < request.len() {
        // Still connecting (a far device): wait for the handshake, then send the rest.
        stream
            .writable()
            .await
            .map_err(|e| PollError::Connect(e.to_string()))?;
        if let Some(e) = stream
            .take_error()
            .map_err(|e| PollError::Connect(e.to_string()))?
        {
            return Err(PollError::Connect(e.to_string()));
        }
        stream
            .write_all(&request[sent..])
            .await
            .map_err(|e| PollError::Io(e.to_string()))?;
    }
    Ok(stream)
}
