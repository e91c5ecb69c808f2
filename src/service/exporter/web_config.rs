//! `--web-config FILE`: Prometheus' own web configuration format (the
//! exporter-toolkit's), so Prometheus scrapes this exporter as any other —
//! `tls_server_config` with `cert_file` and `key_file` (PEM, relative to the
//! file's folder), and `basic_auth_users`, each user with a bcrypt hash.
//! Keys this exporter does not carry out are refused by name rather than
//! silently ignored: a security setting that does nothing is worse than none.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use base64::Engine;
use serde::Deserialize;
use sha2::Digest;

/// A web configuration is a few lines; anything larger is not one.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    tls_server_config: Option<RawTls>,
    basic_auth_users: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTls {
    cert_file: PathBuf,
    key_file: PathBuf,
}

/// What the file asks for.
pub struct WebConfig {
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// User name → bcrypt hash; empty: no authentication.
    pub users: BTreeMap<String, String>,
}

/// Reads and checks the file at `path`; every mistake names the file.
pub fn load(path: &Path) -> Result<WebConfig, String> {
    let named = |e: String| format!("{}: {e}", path.display());
    let size = std::fs::metadata(path)
        .map_err(|e| named(e.to_string()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(named("larger than a web configuration can be".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| named(e.to_string()))?;
    let raw: Raw = if text.trim().is_empty() {
        Raw {
            tls_server_config: None,
            basic_auth_users: None,
        }
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| {
            named(format!(
                "{e} (this exporter reads tls_server_config: cert_file, key_file, and basic_auth_users)"
            ))
        })?
    };
    let users = raw.basic_auth_users.unwrap_or_default();
    for (user, hash) in &users {
        if user.is_empty() || user.contains(':') {
            return Err(named(format!(
                "basic_auth_users: {:?} cannot be a user name (empty, or with ':')",
                crate::domain::text::printable(user)
            )));
        }
        if hash.parse::<bcrypt::HashParts>().is_err() {
            return Err(named(format!(
                "basic_auth_users: the password of {:?} is not a bcrypt hash ($2y$…); make one with `htpasswd -nBC 10 \"\" | tr -d ':\\n'`",
                crate::domain::text::printable(user)
            )));
        }
    }
    let folder = path.parent().unwrap_or(Path::new("."));
    let tls = match raw.tls_server_config {
        None => None,
        Some(tls) => {
            Some(acceptor(&folder.join(tls.cert_file), &folder.join(tls.key_file)).map_err(named)?)
        }
    };
    Ok(WebConfig { tls, users })
}

fn acceptor(cert_file: &Path, key_file: &Path) -> Result<tokio_rustls::TlsAcceptor, String> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .and_then(|certs| certs.collect::<Result<_, _>>())
        .map_err(|e| format!("tls_server_config: cert_file {}: {e}", cert_file.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "tls_server_config: cert_file {}: no certificate in it",
            cert_file.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| format!("tls_server_config: key_file {}: {e}", key_file.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, key))
        .map_err(|e| format!("tls_server_config: {e}"))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Sign-ins that passed, as SHA-256 of `user:password`: bcrypt is slow on
/// purpose, and Prometheus sends the same every scrape.
#[derive(Default)]
struct Passed(Mutex<HashSet<[u8; 32]>>);

/// Every page asks for one of `users` (HTTP basic auth); no users: `router`
/// as it is.
pub fn basic_auth(router: Router, users: BTreeMap<String, String>) -> Router {
    if users.is_empty() {
        return router;
    }
    let users = Arc::new(users);
    let passed = Arc::new(Passed::default());
    router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let (users, passed) = (users.clone(), passed.clone());
            async move {
                let authorization = request
                    .headers()
                    .get(header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                if signed_in(authorization.as_deref(), &users, &passed).await {
                    next.run(request).await
                } else {
                    (
                        StatusCode::UNAUTHORIZED,
                        [(
                            header::WWW_AUTHENTICATE,
                            "Basic realm=\"hybrid-setup exporter\"",
                        )],
                        "Sign in with a user of the web configuration.\n",
                    )
                        .into_response()
                }
            }
        },
    ))
}

async fn signed_in(
    authorization: Option<&str>,
    users: &BTreeMap<String, String>,
    passed: &Passed,
) -> bool {
    let Some(pair) = authorization
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return false;
    };
    let Some((user, password)) = pair.split_once(':') else {
        return false;
    };
    let Some(hash) = users.get(user).cloned() else {
        return false;
    };
    let key: [u8; 32] = sha2::Sha256::digest(pair.as_bytes()).into();
    if passed
        .0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .contains(&key)
    {
        return true;
    }
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash).unwrap_or(false))
        .await
        .unwrap_or(false);
    if ok {
        let mut passed = passed.0.lock().unwrap_or_else(|e| e.into_inner());
        // A handful of users: the set stays small; cleared if it ever is not.
        if passed.len() > 64 {
            passed.clear();
        }
        passed.insert(key);
    }
    ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("web.yml");
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn users_need_bcrypt_hashes_and_unknown_keys_are_named() {
        let dir = tempfile::tempdir().expect("dir");
        let hash = bcrypt::hash("s3cret", 4).expect("hash");
        let good = load(&file(
            dir.path(),
            &format!("basic_auth_users:\n  prometheus: {hash}\n"),
        ))
        .expect("good");
        assert!(good.tls.is_none());
        assert_eq!(good.users.len(), 1);
        let plain = load(&file(
            dir.path(),
            "basic_auth_users:\n  prometheus: s3cret\n",
        ))
        .err()
        .unwrap_or_default();
        assert!(plain.contains("is not a bcrypt hash"), "{plain}");
        assert!(
            !plain.contains("s3cret"),
            "the password is not repeated: {plain}"
        );
        let unknown = load(&file(dir.path(), "http_server_config:\n  http2: false\n"))
            .err()
            .unwrap_or_default();
        assert!(unknown.contains("http_server_config"), "{unknown}");
        let no_cert = load(&file(
            dir.path(),
            "tls_server_config:\n  cert_file: none.crt\n  key_file: none.key\n",
        ))
        .err()
        .unwrap_or_default();
        assert!(no_cert.contains("cert_file"), "{no_cert}");
    }
}
