//! The TLS crypto provider every client installs before it builds its HTTP client.

/// With the `rustls-ring` feature, makes `ring` the process's rustls crypto provider unless one is
/// installed already; otherwise does nothing. Every client does this when it builds its HTTP
/// client. Call it yourself before building a `reqwest::Client` of your own in a program whose
/// reqwest has no provider of its own (reqwest without default features, as this workspace builds
/// it): such a client panics with "No rustls crypto provider is configured" otherwise.
pub fn install_crypto_provider() {
    #[cfg(feature = "rustls-ring")]
    {
        // rustls 0.23.48 deprecates its ring provider: ring has no post-quantum key exchange.
        // It stays a supported, fast-building default; for X25519MLKEM768 choose the
        // `rustls-aws-lc` feature instead (the README's feature table says so).
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}
