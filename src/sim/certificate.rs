//! The simulator's own certificate for `sim --tls`.

/// A self-signed certificate for the simulator's `--tls`: names localhost,
/// 127.0.0.1 and ::1. Returns (certificate DER, private key DER).
pub fn self_signed_for_loopback() -> Result<(Vec<u8>, Vec<u8>), rcgen::Error> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let certified = rcgen::generate_simple_self_signed(names)?;
    Ok((
        certified.cert.der().to_vec(),
        certified.signing_key.serialize_der(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certificate::{CertificateInfo, Fingerprint};

    #[test]
    fn certificate_info_reads_the_subject() {
        let (cert, _) = self_signed_for_loopback().expect("cert");
        let info = CertificateInfo::of(&cert);
        assert!(info.subject.contains("rcgen"), "{}", info.subject);
        assert_eq!(info.fingerprint, Fingerprint::of(&cert));
    }
}
