//! Where consumed records go: a buffer in front of stdout that knows which records the reader
//! has taken.
//!
//! Records are written to the buffer whole; the buffer goes to stdout in chunks of at most
//! [`CHUNK`] bytes, so a write blocks only as long as the reader takes to read one chunk (a
//! slow reader of a pipe holds kctl up a fraction of a second at a time, not for a whole
//! buffer). After each chunk, the records that went out wholly are "taken": the offsets that
//! may be committed.

use std::collections::{BTreeMap, VecDeque};
use std::io::{self, Write};

/// The most written to stdout at once.
pub const CHUNK: usize = 16 * 1024;

/// `K` names a partition.
pub struct Sink<W: Write, K = i32> {
    inner: W,
    buf: VecDeque<u8>,
    capacity: usize,
    /// Bytes written out of the buffer since the start.
    written: u64,
    /// Where the last record wholly written ends (in `written` bytes).
    boundary: u64,
    /// Where each buffered record ends (in `written` bytes), with its partition and the offset
    /// after it.
    marks: VecDeque<(u64, K, i64)>,
    /// The offset after the last record of each partition wholly written since last asked.
    taken: BTreeMap<K, i64>,
}

impl<W: Write, K: Ord + Copy> Sink<W, K> {
    pub fn new(inner: W, capacity: usize) -> Sink<W, K> {
        Sink {
            inner,
            buf: VecDeque::with_capacity(capacity),
            capacity,
            written: 0,
            boundary: 0,
            marks: VecDeque::new(),
            taken: BTreeMap::new(),
        }
    }

    /// Puts bytes of a record in the buffer (call [`Sink::mark`] at the record's end).
    pub fn push(&mut self) -> &mut VecDeque<u8> {
        &mut self.buf
    }

    /// The record just pushed ends here: once it is written, partition `p` may be committed up
    /// to `next`. A mark with nothing before it in the buffer is taken at once.
    pub fn mark(&mut self, p: K, next: i64) {
        let end = self.written + self.buf.len() as u64;
        // Records that wrote nothing (filtered out) end where the last one ended: one mark
        // per partition there, however many records were skipped.
        let same_end = self.marks.iter_mut().rev().take_while(|(e, ..)| *e == end);
        for (_, q, n) in same_end {
            if *q == p {
                *n = (*n).max(next);
                return;
            }
        }
        self.marks.push_back((end, p, next));
        self.settle();
    }

    /// Whether the buffer holds its capacity or more (the reader is behind).
    pub fn is_full(&self) -> bool {
        self.buf.len() >= self.capacity
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Writes one chunk (at most [`CHUNK`] bytes, fewer to end at the first record end in it
    /// when `to_record_end`) to stdout.
    pub fn write_chunk(&mut self, to_record_end: bool) -> io::Result<()> {
        let mut len = self.buf.as_slices().0.len().min(CHUNK);
        if to_record_end {
            if let Some((end, ..)) = self.marks.iter().find(|(end, ..)| *end > self.written) {
                len = len.min((*end - self.written) as usize);
            }
        }
        if len == 0 {
            return Ok(());
        }
        let n = loop {
            match self.inner.write(&self.buf.as_slices().0[..len]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.buf.drain(..n);
        self.written += n as u64;
        self.settle();
        if self.buf.is_empty() {
            self.inner.flush()?;
        }
        Ok(())
    }

    /// Writes the rest of the record the last chunk cut, if it cut one: what reaches stdout
    /// ends with a whole record.
    pub fn end_record(&mut self) -> io::Result<()> {
        while self.written > self.boundary && !self.buf.is_empty() {
            self.write_chunk(true)?;
        }
        Ok(())
    }

    /// Moves the marks of what was written to `taken`.
    fn settle(&mut self) {
        while let Some(&(end, p, next)) = self.marks.front() {
            if end > self.written {
                break;
            }
            self.marks.pop_front();
            self.boundary = end;
            let taken = self.taken.entry(p).or_insert(next);
            *taken = (*taken).max(next);
        }
    }

    /// The offsets taken by the reader since last asked.
    pub fn taken(&mut self) -> BTreeMap<K, i64> {
        std::mem::take(&mut self.taken)
    }

    /// Drops what was not written (after a failed write, or when ending at once).
    pub fn discard(&mut self) {
        self.buf.clear();
        self.marks.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes at most `per_write` bytes per write, like a pipe with little room.
    struct Slow {
        got: Vec<u8>,
        per_write: usize,
    }

    impl Write for Slow {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.per_write);
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn sink(per_write: usize) -> Sink<Slow> {
        let slow = Slow {
            got: Vec::new(),
            per_write,
        };
        Sink::new(slow, 10)
    }

    #[test]
    fn records_are_taken_once_wholly_written() {
        let mut s = sink(4);
        s.push().write_all(b"aaaa\n").unwrap();
        s.mark(0, 1);
        s.push().write_all(b"bbbb\n").unwrap();
        s.mark(1, 8);
        assert!(s.is_full());
        s.write_chunk(false).unwrap();
        assert!(s.taken().is_empty(), "4 of 5 bytes of the first record");
        s.write_chunk(false).unwrap();
        assert_eq!(s.taken(), BTreeMap::from([(0, 1)]));
        s.write_chunk(false).unwrap();
        assert!(s.is_empty());
        assert_eq!(s.taken(), BTreeMap::from([(1, 8)]));
        // A mark with nothing buffered before it is taken at once.
        s.mark(1, 9);
        assert_eq!(s.taken(), BTreeMap::from([(1, 9)]));
    }

    #[test]
    fn records_without_bytes_share_a_mark_per_partition() {
        let mut s = sink(100);
        s.push().write_all(b"aaaa\n").unwrap();
        s.mark(0, 1);
        for o in 1..1000 {
            s.mark(0, o + 1);
            s.mark(1, o + 1);
        }
        assert_eq!(s.marks.len(), 2);
        assert!(s.taken().is_empty());
        s.write_chunk(false).unwrap();
        assert_eq!(s.taken(), BTreeMap::from([(0, 1000), (1, 1000)]));
    }

    #[test]
    fn ending_writes_the_rest_of_a_cut_record_only() {
        let mut s = sink(3);
        s.push().write_all(b"aaaa\n").unwrap();
        s.mark(0, 1);
        s.push().write_all(b"bbbb\n").unwrap();
        s.mark(0, 2);
        s.write_chunk(false).unwrap();
        s.end_record().unwrap();
        assert_eq!(s.inner.got, b"aaaa\n");
        assert_eq!(s.taken(), BTreeMap::from([(0, 1)]));
        s.end_record().unwrap();
        assert_eq!(s.inner.got, b"aaaa\n");
    }
}
