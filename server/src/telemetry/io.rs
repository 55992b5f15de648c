//! Bounded socket exchange: connect with a timeout, send, read until the peer closes — never
//! longer than the deadline and never more than the size cap, so a device that hangs, trickles
//! or floods cannot stall the poller or exhaust memory.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

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
    let mut stream = match timeout(limits.connect, TcpStream::connect(addr)).await {
        Err(_) => return Err(PollError::ConnectTimeout),
        Ok(Err(e)) => return Err(PollError::Connect(e.to_string())),
        Ok(Ok(s)) => s,
    };
    // No TCP_NODELAY: the request is one small write on a fresh connection, which Nagle's
    // algorithm never holds back; the option would cost a system call per poll.
    let deadline = Instant::now() + limits.read;
    match tokio::time::timeout_at(deadline, stream.write_all(request)).await {
        Err(_) => return Err(PollError::ReadTimeout),
        Ok(Err(e)) => return Err(PollError::Io(e.to_string())),
        Ok(Ok(())) => {}
    }
    // Read straight into the answer: a buffer on the stack would live in this future, which
    // the poller moves into a new task per poll (8 KB copied each time).
    let mut out = Vec::with_capacity(4096);
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(8192);
        }
        match tokio::time::timeout_at(deadline, stream.read_buf(&mut out)).await {
            Err(_) => return Err(PollError::ReadTimeout),
            Ok(Err(e)) => return Err(PollError::Io(e.to_string())),
            Ok(Ok(0)) => {
                // The device closed after answering (as the CGMiner API does): end with a reset
                // instead of the FIN handshake, so neither side keeps the connection in a
                // closing state (TIME_WAIT on a miner's small controller) — at 3,000 polls a
                // second that handshake was a large share of the poll's kernel time.
                stream.set_zero_linger().ok();
                return Ok(out);
            }
            Ok(Ok(_)) => {
                if out.len() > limits.max_bytes {
                    return Err(PollError::TooLarge(limits.max_bytes));
                }
            }
        }
    }
}
