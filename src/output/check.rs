//! `FileCheck` and `FileRecord`: a streamed file's row count, length and checksum, recorded under
//! `files` in a sweep's or national run's `metadata.json`, so that `merge` can tell a shard's file
//! that lost rows, was cut mid-row or changed from the one the shard wrote.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// What a finished directory's `metadata.json` records of each streamed file (under `files`), so
/// that `merge` can tell a shard's file that lost rows, was cut mid-row or changed from the one
/// the shard wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileRecord {
    /// Lines after the header.
    pub rows: u64,
    pub bytes: u64,
    /// 128-bit FNV-1a of the file's bytes, as `posterior::checksum`.
    pub checksum: String,
}

/// A file's row count, length and checksum, computed as its bytes stream past.
#[derive(Debug, Clone)]
pub struct FileCheck {
    bytes: u64,
    lines: u64,
    low: u64,
    high: u64,
    last: Option<u8>,
}

impl Default for FileCheck {
    fn default() -> FileCheck {
        FileCheck {
            bytes: 0,
            lines: 0,
            low: 0xCBF2_9CE4_8422_2325,
            high: 0x6C62_272E_07BB_0142,
            last: None,
        }
    }
}

impl FileCheck {
    pub fn update(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.low = (self.low ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
            self.high = (self.high ^ u64::from(byte)).wrapping_mul(0x0100_0000_01B3);
        }
        self.lines += bytes.iter().filter(|&&byte| byte == b'\n').count() as u64;
        self.bytes += bytes.len() as u64;
        if let Some(&last) = bytes.last() {
            self.last = Some(last);
        }
    }

    /// Whether the bytes so far end in the middle of a line.
    pub fn ends_mid_row(&self) -> bool {
        self.last.is_some_and(|last| last != b'\n')
    }

    pub fn record(&self) -> FileRecord {
        FileRecord {
            rows: self.lines.saturating_sub(1),
            bytes: self.bytes,
            checksum: format!("{:016x}{:016x}", self.low, self.high),
        }
    }

    /// The record of the file at `path`, read in a stream.
    pub fn of_file(path: &Path) -> std::io::Result<FileRecord> {
        let mut file = File::open(path)?;
        let mut check = FileCheck::default();
        let mut buffer = vec![0; 1 << 16];
        loop {
            let read = file.read(&mut buffer)?;
            if read == 0 {
                return Ok(check.record());
            }
            check.update(&buffer[..read]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_check_is_the_posteriors_checksum() {
        let bytes = b"run,x\n0,1\n1,2\n";
        let mut check = FileCheck::default();
        check.update(&bytes[..7]);
        check.update(&bytes[7..]);
        assert_eq!(
            check.record(),
            FileRecord {
                rows: 2,
                bytes: bytes.len() as u64,
                checksum: crate::posterior::checksum(bytes),
            }
        );
        assert!(!check.ends_mid_row());
        check.update(b"2,");
        assert!(check.ends_mid_row());
    }
}
