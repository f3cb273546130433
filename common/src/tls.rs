//! The TLS crypto provider every client installs before it builds its HTTP client.

/// With the `rustls-ring` feature, makes `ring` the process's rustls crypto provider unless one is
/// installed already; otherwise does nothing. Every client does this when it builds its HTTP
/// client. Call it yourself before building a `reqwest::Client` of your own in a program whose
/// reqwest has no provider of its own (reqwest without default features, as this workspace builds
/// it): such a client panics with "No rustls crypto provider is configured" otherwise.
pub fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
