//! Refuses an oversized WebSocket message on the length its frame header declares, before the
//! payload is read.
//!
//! The WebSocket frame parser waits for a whole frame before it checks the frame's size, so a
//! header declaring a gigabyte, followed by the bytes, is buffered in full before the limit
//! applies. [`FrameLimit`] sits between the socket and that parser: it passes the bytes through
//! unchanged, reads each frame header on the way (RFC 6455, 5.2), and ends the stream with
//! [`PayloadError::Overflow`] as soon as one frame, or the fragments of one message together,
//! declare more than the limit.

use actix_web::error::PayloadError;
use bytes::Bytes;
use futures_util::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The longest frame header: 2 bytes, an 8-byte extended length, a 4-byte mask key.
const MAX_HEADER: usize = 14;

/// Opcodes of data frames (RFC 6455, 5.2): continuation, text, binary.
const CONTINUATION: u8 = 0x0;
const TEXT: u8 = 0x1;
const BINARY: u8 = 0x2;

/// Walks frame headers through the byte stream; pure, so it is tested on byte slices.
#[derive(Debug)]
pub struct HeaderScan {
    max: u64,
    header: [u8; MAX_HEADER],
    header_len: usize,
    /// Payload bytes of the current frame still to pass.
    remaining: u64,
    /// Declared bytes of the data message being read (the sum of its fragments).
    message: u64,
}

/// A frame (or fragmented message) declared larger than the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge {
    pub declared: u64,
}

impl HeaderScan {
    pub fn new(max: usize) -> Self {
        HeaderScan {
            max: max as u64,
            header: [0; MAX_HEADER],
            header_len: 0,
            remaining: 0,
            message: 0,
        }
    }

    /// Reads the next bytes of the stream.
    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<(), TooLarge> {
        while !bytes.is_empty() {
            if self.remaining > 0 {
                let skip = self.remaining.min(bytes.len() as u64);
                self.remaining -= skip;
                bytes = &bytes[skip as usize..];
                continue;
            }
            self.header[self.header_len] = bytes[0];
            self.header_len += 1;
            bytes = &bytes[1..];
            if let Some(length) = self.complete_header() {
                self.header_len = 0;
                self.frame(length)?;
            }
        }
        Ok(())
    }

    /// The declared payload length once the header is complete.
    fn complete_header(&self) -> Option<u64> {
        if self.header_len < 2 {
            return None;
        }
        let second = self.header[1];
        let (extended, mask) = (
            match second & 0x7F {
                126 => 2,
                127 => 8,
                _ => 0,
            },
            if second & 0x80 != 0 { 4 } else { 0 },
        );
        if self.header_len < 2 + extended + mask {
            return None;
        }
        let length = match extended {
            0 => u64::from(second & 0x7F),
            2 => u64::from(u16::from_be_bytes([self.header[2], self.header[3]])),
            _ => {
                let mut be = [0; 8];
                be.copy_from_slice(&self.header[2..10]);
                u64::from_be_bytes(be)
            }
        };
        Some(length)
    }

    fn frame(&mut self, length: u64) -> Result<(), TooLarge> {
        let opcode = self.header[0] & 0x0F;
        let declared = match opcode {
            TEXT | BINARY => length,
            CONTINUATION => self.message.saturating_add(length),
            _ => length,
        };
        if declared > self.max {
            return Err(TooLarge { declared });
        }
        if matches!(opcode, TEXT | BINARY | CONTINUATION) {
            self.message = declared;
        }
        self.remaining = length;
        Ok(())
    }
}

/// The socket's byte stream, ended with [`PayloadError::Overflow`] at the first frame header
/// that declares too much.
pub struct FrameLimit<S> {
    inner: S,
    scan: HeaderScan,
    refused: bool,
}

impl<S> FrameLimit<S> {
    pub fn new(inner: S, max_message_bytes: usize) -> Self {
        FrameLimit {
            inner,
            scan: HeaderScan::new(max_message_bytes),
            refused: false,
        }
    }
}

impl<S> Stream for FrameLimit<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.refused {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => match self.scan.feed(&bytes) {
                Ok(()) => Poll::Ready(Some(Ok(bytes))),
                Err(TooLarge { declared }) => {
                    log::debug!("WebSocket frame declares {declared} bytes; refused unread");
                    self.refused = true;
                    Poll::Ready(Some(Err(PayloadError::Overflow)))
                }
            },
            other => other,
        }
    }
}

/// Whether a WebSocket stream error is [`FrameLimit`]'s refusal.
pub fn is_refusal(error: &std::io::Error) -> bool {
    error
        .get_ref()
        .and_then(|e| e.downcast_ref::<PayloadError>())
        .is_some_and(|e| matches!(e, PayloadError::Overflow))
}

/// Whether a WebSocket stream error is an ordinary lost connection: the peer closed (or reset)
/// its socket without a Close frame, as chargers do when they lose power or network.
pub fn is_lost_connection(error: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    let incomplete = error
        .get_ref()
        .and_then(|e| e.downcast_ref::<PayloadError>())
        .is_some_and(|e| matches!(e, PayloadError::Incomplete(_)));
    incomplete
        || matches!(
            error.kind(),
            ErrorKind::UnexpectedEof
                | ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_socket_closed_without_close_frame_is_a_lost_connection() {
        let eof = std::io::Error::other(PayloadError::Incomplete(None));
        assert!(is_lost_connection(&eof));
        assert!(!is_refusal(&eof));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(is_lost_connection(&reset));
        let refused = std::io::Error::other(PayloadError::Overflow);
        assert!(!is_lost_connection(&refused));
        assert!(is_refusal(&refused));
        let other = std::io::Error::other("invalid opcode");
        assert!(!is_lost_connection(&other));
    }

    /// A client frame header (masked) for `opcode` and `length`.
    fn header(fin: bool, opcode: u8, length: u64) -> Vec<u8> {
        let mut h = vec![if fin { 0x80 } else { 0 } | opcode];
        match length {
            0..=125 => h.push(0x80 | length as u8),
            126..=0xFFFF => {
                h.push(0x80 | 126);
                h.extend_from_slice(&(length as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 127);
                h.extend_from_slice(&length.to_be_bytes());
            }
        }
        h.extend_from_slice(&[1, 2, 3, 4]);
        h
    }

    fn frame(fin: bool, opcode: u8, length: usize) -> Vec<u8> {
        let mut f = header(fin, opcode, length as u64);
        f.extend(std::iter::repeat_n(b'x', length));
        f
    }

    #[test]
    fn frames_within_the_limit_pass_in_any_chunking() {
        let mut stream = Vec::new();
        stream.extend(frame(true, TEXT, 10));
        stream.extend(frame(true, 0x9, 4)); // ping
        stream.extend(frame(true, TEXT, 1000));
        stream.extend(frame(false, TEXT, 600));
        stream.extend(frame(true, 0xA, 0)); // pong between fragments
        stream.extend(frame(true, CONTINUATION, 400));
        stream.extend(frame(true, BINARY, 1024));
        for chunk in [1, 3, 7, 100, stream.len()] {
            let mut scan = HeaderScan::new(1024);
            for piece in stream.chunks(chunk) {
                assert_eq!(scan.feed(piece), Ok(()), "chunks of {chunk}");
            }
        }
    }

    #[test]
    fn a_large_declared_length_is_refused_from_the_header_alone() {
        for length in [1025, 70_000, 1 << 30, u64::MAX] {
            let mut scan = HeaderScan::new(1024);
            assert_eq!(
                scan.feed(&header(true, TEXT, length)),
                Err(TooLarge { declared: length })
            );
        }
    }

    #[test]
    fn fragments_count_together() {
        let mut scan = HeaderScan::new(1024);
        scan.feed(&frame(false, TEXT, 600)).unwrap();
        scan.feed(&frame(true, 0x9, 3)).unwrap();
        assert_eq!(
            scan.feed(&header(true, CONTINUATION, 500)),
            Err(TooLarge { declared: 1100 })
        );
    }
}
