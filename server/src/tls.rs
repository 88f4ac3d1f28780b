//! HTTPS and WSS on the listening port, with rustls (ring; no OpenSSL).
//!
//! Browsers give the camera only to a secure page, so a second computer on the LAN needs HTTPS. Two sources of
//! a certificate:
//! - `--tls-cert FILE --tls-key FILE`: PEM files, such as the `fullchain.pem` and `privkey.pem` any ACME client
//!   writes;
//! - `--tls-self-signed`: one made here for `localhost`, the listen address and this machine's addresses, kept
//!   in [`SELF_SIGNED_FILE`] in the working directory so that a restart keeps it (a browser that accepted it
//!   once does not ask again). Its SHA-256 fingerprint is printed, for people to compare with what their
//!   browser shows before they accept it.
//!
//! [`TlsListener`] (`tls/listener.rs`) does the handshakes in their own tasks (a slow client cannot hold up the others) and hands
//! finished connections to axum.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

mod listener;
pub use listener::TlsListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;
use tracing::warn;

/// Where `--tls-self-signed` keeps its certificate and key (PEM, both in one file), in the working directory.
pub const SELF_SIGNED_FILE: &str = "self-signed.pem";

/// A certificate and key, ready to serve.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// SHA-256 of the (first) certificate, as browsers show it: `AB:CD:…`.
    pub fingerprint: String,
    /// Where the certificate came from, for the log.
    pub source: PathBuf,
    /// Whether it was made just now (a new self-signed certificate).
    pub created: bool,
}

/// The TLS setup `config` asks for: `None` for plain HTTP. A self-signed certificate is kept in `dir` (the
/// working directory). Errors say which file and what is wrong with it.
pub fn from_config(
    config: &crate::Config,
    listen: SocketAddr,
    dir: &Path,
) -> Result<Option<Tls>, String> {
    if let (Some(cert), Some(key)) = (&config.tls_cert, &config.tls_key) {
        let certs = read_certs(cert)?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| format!("cannot read a private key from {}: {e}", key.display()))?;
        return build(certs, key, cert.clone(), false).map(Some);
    }
    if config.tls_self_signed {
        let path = dir.join(SELF_SIGNED_FILE);
        let created = !path.exists();
        if created {
            write_self_signed(&path, listen)?;
        }
        let certs = read_certs(&path)?;
        let key = PrivateKeyDer::from_pem_file(&path)
            .map_err(|e| format!("cannot read the private key in {}: {e}", path.display()))?;
        return build(certs, key, path, created).map(Some);
    }
    Ok(None)
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read certificates from {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("no certificate in {}", path.display()));
    }
    Ok(certs)
}

fn build(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    source: PathBuf,
    created: bool,
) -> Result<Tls, String> {
    let fingerprint = fingerprint(&certs[0]);
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|e| {
        format!(
            "the certificate and key in {} do not fit: {e}",
            source.display()
        )
    })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        fingerprint,
        source,
        created,
    })
}

/// SHA-256 of a certificate's DER bytes, as browsers show it: upper-case hex pairs joined by colons.
pub fn fingerprint(cert: &[u8]) -> String {
    Sha256::digest(cert)
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The names a self-signed certificate is made for: `localhost`, 127.0.0.1, ::1, the listen address (unless it
/// is 0.0.0.0 or ::), and every address of this machine.
pub fn self_signed_names(listen: SocketAddr) -> (Vec<String>, Vec<IpAddr>) {
    let mut ips = vec![
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
    ];
    if !listen.ip().is_unspecified() {
        ips.push(listen.ip());
    }
    match local_ip_address::list_afinet_netifas() {
        Ok(interfaces) => ips.extend(interfaces.into_iter().map(|(_, ip)| ip)),
        Err(e) => warn!(error = %e, "cannot list this machine's addresses for the certificate"),
    }
    ips.sort();
    ips.dedup();
    (vec!["localhost".to_owned()], ips)
}

fn write_self_signed(path: &Path, listen: SocketAddr) -> Result<(), String> {
    let (names, ips) = self_signed_names(listen);
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| e.to_string())?;
    params
        .subject_alt_names
        .extend(ips.into_iter().map(rcgen::SanType::IpAddress));
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "webrtc-demo (self-signed)");
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| format!("cannot make a certificate: {e}"))?;
    let pem = format!("{}{}", cert.pem(), key.serialize_pem());
    write_private(path, pem.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Writes a file only its owner can read (it holds a private key).
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_reads_like_a_browsers() {
        let text = fingerprint(b"abc");
        // SHA-256("abc") = ba7816bf...
        assert!(text.starts_with("BA:78:16:BF:"), "{text}");
        assert_eq!(text.len(), 32 * 3 - 1);
    }

    #[test]
    fn a_self_signed_certificate_names_localhost_and_the_listen_address() {
        let listen: SocketAddr = "198.51.100.7:8443".parse().unwrap();
        let (names, ips) = self_signed_names(listen);
        assert_eq!(names, vec!["localhost".to_string()]);
        assert!(ips.contains(&listen.ip()));
        assert!(ips.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)));
        let (_, any) = self_signed_names("0.0.0.0:8443".parse().unwrap());
        assert!(!any.iter().any(|ip| ip.is_unspecified()));
    }

    #[test]
    fn a_restart_keeps_the_self_signed_certificate() {
        use clap::Parser;
        let dir = std::env::temp_dir().join(format!("t12-tls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let config = crate::Config::try_parse_from(["server", "--tls-self-signed"]).unwrap();
        let listen = "127.0.0.1:0".parse().unwrap();
        let first = from_config(&config, listen, &dir).unwrap().unwrap();
        assert!(first.created);
        let again = from_config(&config, listen, &dir).unwrap().unwrap();
        assert!(!again.created);
        assert_eq!(first.fingerprint, again.fingerprint);
        let pem = std::fs::read_to_string(dir.join(SELF_SIGNED_FILE)).unwrap();
        assert!(pem.contains("BEGIN CERTIFICATE") && pem.contains("PRIVATE KEY"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(SELF_SIGNED_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key is readable by others: {mode:o}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unreadable_files_are_named() {
        use clap::Parser;
        let config = crate::Config::try_parse_from([
            "server",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .unwrap();
        let error = from_config(&config, "127.0.0.1:0".parse().unwrap(), Path::new("."))
            .err()
            .unwrap();
        assert!(error.contains("/nonexistent/cert.pem"), "{error}");
    }
}
