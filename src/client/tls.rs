//! TLS trust for Director: the system's roots by default; a self-signed
//! certificate only after the administrator compared its SHA-256 fingerprint
//! and accepted it (trust on first use), and from then on exactly that
//! certificate (pinned). A different certificate later is refused with both
//! fingerprints, never accepted silently.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::domain::certificate::{CertificateInfo, Fingerprint};

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

/// The system's verifier and its crypto, made once per process: making one
/// reads and parses every root certificate of the system (about 150 KB
/// each time), and the exporter makes a client per Director.
fn system_verifier() -> Result<(Arc<dyn ServerCertVerifier>, Arc<CryptoProvider>), rustls::Error> {
    type Shared = (Arc<dyn ServerCertVerifier>, Arc<CryptoProvider>);
    static SYSTEM: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
    if let Some(shared) = SYSTEM.get() {
        return Ok(shared.clone());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let system: Arc<dyn ServerCertVerifier> =
        Arc::new(rustls_platform_verifier::Verifier::new(provider.clone())?);
    // A failure is not kept: the next client tries again.
    Ok(SYSTEM.get_or_init(|| (system, provider)).clone())
}

impl TofuVerifier {
    pub fn new(pin: Option<Fingerprint>) -> Result<Self, rustls::Error> {
        let (system, provider) = system_verifier()?;
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
