//! TLS trust for Director: the system's roots by default; a self-signed
//! certificate only after the administrator compared its SHA-256 fingerprint
//! and accepted it (trust on first use), and from then on exactly that
//! certificate (pinned). A different certificate later is refused with both
//! fingerprints, never accepted silently.

use std::fmt;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
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

/// Why the last handshake was refused, for the error the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Not signed by an authority this computer trusts; may be trusted
    /// after comparing its fingerprint.
    Untrusted(CertificateInfo),
    /// Not the certificate that was pinned.
    Changed {
        pinned: Fingerprint,
        presented: CertificateInfo,
    },
}

/// The system's verifier, or the pin when there is one.
#[derive(Debug)]
pub struct TofuVerifier {
    system: Arc<dyn ServerCertVerifier>,
    provider: Arc<CryptoProvider>,
    pin: Option<Fingerprint>,
    last_rejection: Mutex<Option<Rejection>>,
}

impl TofuVerifier {
    pub fn new(pin: Option<Fingerprint>) -> Result<Self, rustls::Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let system = Arc::new(rustls_platform_verifier::Verifier::new(provider.clone())?);
        Ok(TofuVerifier {
            system,
            provider,
            pin,
            last_rejection: Mutex::new(None),
        })
    }

    /// The reason the last refused handshake was refused, once.
    pub fn take_rejection(&self) -> Option<Rejection> {
        self.last_rejection
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    fn reject(&self, rejection: Rejection) {
        *self
            .last_rejection
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(rejection);
    }

    /// A rustls client configuration using this verifier.
    pub fn client_config(self: &Arc<Self>) -> Result<rustls::ClientConfig, rustls::Error> {
        Ok(
            rustls::ClientConfig::builder_with_provider(self.provider.clone())
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(self.clone())
                .with_no_client_auth(),
        )
    }
}

impl ServerCertVerifier for TofuVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(pin) = self.pin {
            // The administrator vouched for exactly this certificate; its
            // handshake signature is still checked below.
            if Fingerprint::of(end_entity) == pin {
                return Ok(ServerCertVerified::assertion());
            }
            self.reject(Rejection::Changed {
                pinned: pin,
                presented: CertificateInfo::of(end_entity),
            });
            return Err(rustls::Error::General(
                "the certificate differs from the one trusted before".into(),
            ));
        }
        self.system
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .inspect_err(|e| {
                if matches!(e, rustls::Error::InvalidCertificate(_)) {
                    self.reject(Rejection::Untrusted(CertificateInfo::of(end_entity)));
                }
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

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
    fn certificate_info_reads_the_subject() {
        let (cert, _) = self_signed_for_loopback().expect("cert");
        let info = CertificateInfo::of(&cert);
        assert!(info.subject.contains("rcgen"), "{}", info.subject);
        assert_eq!(info.fingerprint, Fingerprint::of(&cert));
    }
}
