//! Bytes for people and for text: a size or a throughput in decimal units, and lowercase hex.

/// A number of bytes for people, in decimal units with at most one decimal: `0 B`, `999 B`, `16.4 kB`, `5 MB`,
/// `1.2 GB`.
///
/// Written with integers: `{:.1}` would pull float formatting into the wasm.
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")];
    for (unit, name) in UNITS {
        if bytes >= unit {
            return format!("{} {name}", tenths(bytes.saturating_mul(10) / unit));
        }
    }
    format!("{bytes} B")
}

/// A throughput in MB/s with one decimal (`12.3 MB/s`).
pub fn rate_text(bytes_per_second: u64) -> String {
    format!("{} MB/s", tenths(bytes_per_second / 100_000))
}

/// `123` tenths as `12.3`, and `50` as `5` (no `.0`).
fn tenths(tenths: u64) -> String {
    match tenths % 10 {
        0 => format!("{}", tenths / 10),
        rest => format!("{}.{rest}", tenths / 10),
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 15)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_rates_and_hex_read_well() {
        assert_eq!(rate_text(123_456_789), "123.4 MB/s");
        assert_eq!(rate_text(99_999), "0 MB/s");
        assert_eq!(bytes_text(0), "0 B");
        assert_eq!(bytes_text(999), "999 B");
        assert_eq!(bytes_text(16_384), "16.3 kB");
        assert_eq!(bytes_text(5_000_000), "5 MB");
        assert_eq!(bytes_text(52_428_800), "52.4 MB");
        assert_eq!(bytes_text(1_200_000_000), "1.2 GB");
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
