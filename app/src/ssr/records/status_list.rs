//! The revocation list as a W3C Bitstring Status List: one bit per record, gzip-compressed, base64url with
//! the multibase `u` prefix. Third parties can check revocation from it without asking about one record.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// The revocation status lists: one per kind of record, as each kind numbers its bits from its own
/// completion rows (a module completion's id, a pathway completion's id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusList {
    Modules,
    Pathways,
}

impl StatusList {
    /// The list's path under the site's address; the module list keeps the address its records carry.
    pub fn path(self) -> &'static str {
        match self {
            StatusList::Modules => "/status/revocation",
            StatusList::Pathways => "/status/revocation/pathways",
        }
    }
}

/// The minimum list length the specification asks for (16 KB of bits), for herd privacy.
pub const MIN_BITS: usize = 131_072;

/// Encodes the revoked indices as the `encodedList` value.
pub fn encode(revoked: &[usize]) -> std::io::Result<String> {
    let bits = revoked
        .iter()
        .max()
        .map_or(MIN_BITS, |&max| (max + 1).max(MIN_BITS));
    let mut bytes = vec![0u8; bits.div_ceil(8)];
    for &index in revoked {
        // Bit 0 is the most significant bit of the first byte.
        bytes[index / 8] |= 0x80 >> (index % 8);
    }
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(&bytes)?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(gzip.finish()?)))
}

/// Whether bit `index` is set in an `encodedList` (used by the verifier and the tests).
pub fn is_set(encoded: &str, index: usize) -> Option<bool> {
    use flate2::read::GzDecoder;
    use std::io::Read;
    let compressed = URL_SAFE_NO_PAD.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bytes = Vec::new();
    GzDecoder::new(compressed.as_slice())
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes.get(index / 8)? & (0x80 >> (index % 8)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revoked_bits_are_set_and_others_are_not() {
        let list = encode(&[0, 9, 200_000]).expect("encode");
        assert_eq!(is_set(&list, 0), Some(true));
        assert_eq!(is_set(&list, 9), Some(true));
        assert_eq!(is_set(&list, 200_000), Some(true));
        assert_eq!(is_set(&list, 1), Some(false));
        assert_eq!(is_set(&list, 8), Some(false));
    }

    #[test]
    fn an_empty_list_still_has_the_minimum_length() {
        let list = encode(&[]).expect("encode");
        assert_eq!(is_set(&list, MIN_BITS - 1), Some(false));
        assert_eq!(is_set(&list, MIN_BITS), None);
    }
}
