//! `PollError`: everything that can go wrong talking to one device.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PollError {
    #[error("connect timed out")]
    ConnectTimeout,
    #[error("connection refused or unreachable: {0}")]
    Connect(String),
    #[error("no complete answer within the read timeout")]
    ReadTimeout,
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
    #[error("I/O error: {0}")]
    Io(String),
    #[error("malformed answer: {0}")]
    Malformed(String),
    #[error("device reported an error: {0}")]
    DeviceError(String),
    #[error("HTTP status {0}")]
    HttpStatus(u16),
}

impl PollError {
    /// A short, fixed name for metrics labels (the message carries details that vary).
    pub fn kind(&self) -> &'static str {
        match self {
            PollError::ConnectTimeout => "connect_timeout",
            PollError::Connect(_) => "connect_refused",
            PollError::ReadTimeout => "read_timeout",
            PollError::TooLarge(_) => "too_large",
            PollError::Io(_) => "io",
            PollError::Malformed(_) => "malformed",
            PollError::DeviceError(_) => "device_error",
            PollError::HttpStatus(_) => "http_status",
        }
    }
}
