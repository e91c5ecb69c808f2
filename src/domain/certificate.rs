//! Certificates as the administrator compares them: the SHA-256
//! fingerprint (shown, stored as a pin, typed back on the command line) and
//! the subject, issuer and dates read from the certificate itself.

use std::fmt;

use sha2::{Digest, Sha256};

/// A certificate's SHA-256 fingerprint.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(certificate: &[u8]) -> Self {
        Fingerprint(Sha256::digest(certificate).into())
    }

    /// Parses `AB:CD:…` (colons and case optional), as shown and stored.
    pub fn parse(text: &str) -> Option<Self> {
        let hex: String = text
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect();
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(Fingerprint(bytes))
    }

    /// The 64 hex digits in 16 groups of four, as the window shows them
    /// (two lines of eight, compared group by group by eye).
    pub fn groups(&self) -> [String; 16] {
        std::array::from_fn(|i| format!("{:02X}{:02X}", self.0[2 * i], self.0[2 * i + 1]))
    }

    /// Which of the 16 groups differ from `other`'s.
    pub fn differing_groups(&self, other: &Fingerprint) -> [bool; 16] {
        std::array::from_fn(|i| self.0[2 * i..2 * i + 2] != other.0[2 * i..2 * i + 2])
    }
}

impl fmt::Display for Fingerprint {
    /// `AB:CD:…`, the way browsers and `openssl x509 -fingerprint` show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// What the administrator is shown about a certificate before trusting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub fingerprint: Fingerprint,
    pub subject: String,
    pub issuer: String,
    /// "2026-01-01 … 2027-01-01"
    pub valid: String,
}

impl CertificateInfo {
    pub fn of(certificate: &[u8]) -> Self {
        let fingerprint = Fingerprint::of(certificate);
        match x509_parser::parse_x509_certificate(certificate) {
            Ok((_, cert)) => {
                let validity = cert.validity();
                CertificateInfo {
                    fingerprint,
                    subject: cert.subject().to_string(),
                    issuer: cert.issuer().to_string(),
                    valid: format!(
                        "{} to {}",
                        validity.not_before.to_datetime().date(),
                        validity.not_after.to_datetime().date()
                    ),
                }
            }
            Err(_) => CertificateInfo {
                fingerprint,
                subject: "(not readable)".into(),
                issuer: "(not readable)".into(),
                valid: String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_the_hex_in_fours_and_mark_only_what_differs() {
        let fp = Fingerprint::of(b"certificate");
        let groups = fp.groups();
        assert_eq!(groups.concat(), fp.to_string().replace(':', ""));
        assert!(groups.iter().all(|g| g.len() == 4));
        let mut other = fp;
        other.0[5] ^= 0x01; // in group 2 (bytes 4 and 5)
        other.0[31] ^= 0x80; // in group 15
        let differ = fp.differing_groups(&other);
        let marked: Vec<usize> = (0..16).filter(|&i| differ[i]).collect();
        assert_eq!(marked, vec![2, 15]);
        assert_eq!(fp.differing_groups(&fp), [false; 16]);
    }

    #[test]
    fn fingerprint_round_trips_through_text() {
        let fp = Fingerprint::of(b"certificate");
        let shown = fp.to_string();
        assert_eq!(shown.len(), 32 * 3 - 1);
        assert_eq!(Fingerprint::parse(&shown), Some(fp));
        assert_eq!(
            Fingerprint::parse(&shown.replace(':', "").to_lowercase()),
            Some(fp)
        );
        assert_eq!(Fingerprint::parse("AB:CD"), None);
        assert_eq!(Fingerprint::parse(&"zz".repeat(32)), None);
    }

    #[test]
    fn unreadable_certificate_still_has_a_fingerprint() {
        let info = CertificateInfo::of(b"not a certificate");
        assert_eq!(info.subject, "(not readable)");
        assert_eq!(info.fingerprint, Fingerprint::of(b"not a certificate"));
    }
}
