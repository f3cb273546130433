//! The token shared between replicas through Redis: one replica fetches under a lock and
//! stores the token; the others read it.

use std::time::Duration;

use tokio::time::Instant;

use super::oauth2::OAuth2Provider;
use super::token_cache::{AccessToken, MAX_TOKEN_LIFETIME, refresh_margin};
use crate::error::Result;

impl OAuth2Provider {
    /// A token shared through Redis: the one another replica stored, or one fetched under the shared lock.
    pub(super) async fn obtain_shared(
        &self,
        http: &reqwest::Client,
        shared: &crate::shared::Shared,
    ) -> Result<AccessToken> {
        let (store, ns) = (&shared.store, shared.ns.as_str());
        // A stored token counts only while it is not in its last half-margin: then it is
        // refreshed once for everyone rather than re-read by every replica.
        let stored = || async {
            let (secret, ttl, margin) = store.token(ns, &shared.key).await?;
            (ttl > margin / 2).then(|| AccessToken {
                secret,
                expires_in: Some(ttl + margin),
            })
        };
        if let Some(token) = stored().await {
            tracing::debug!("using the access token another replica obtained");
            return Ok(token);
        }
        let lock_ttl = self.config.timeout.min(Duration::from_secs(15));
        let until = Instant::now() + lock_ttl;
        loop {
            match store.lock(ns, lock_ttl).await {
                // Redis is unavailable: this process fetches its own.
                None => return self.fetch_token(http).await,
                Some(Some(owner)) => {
                    // Another replica may have stored one between our read and the lock.
                    if let Some(token) = stored().await {
                        store.unlock(ns, &owner).await;
                        return Ok(token);
                    }
                    let fetched = self.fetch_token(http).await;
                    if let Ok(token) = &fetched {
                        let lifetime = token
                            .expires_in
                            .unwrap_or(self.config.default_lifetime)
                            .min(MAX_TOKEN_LIFETIME);
                        let margin = refresh_margin(self.config.refresh_buffer, lifetime);
                        let ttl = lifetime.saturating_sub(margin);
                        if !ttl.is_zero() {
                            store
                                .put_token(ns, &shared.key, &token.secret, ttl, margin)
                                .await;
                        }
                    }
                    store.unlock(ns, &owner).await;
                    return fetched;
                }
                Some(None) => {
                    // Another replica is fetching: wait for its token, at most the lock's TTL
                    // (if it crashed, the lock expires and the next round takes it).
                    tokio::time::sleep(Duration::from_millis(40 + fastrand::u64(..20))).await;
                    if let Some(token) = stored().await {
                        return Ok(token);
                    }
                    if Instant::now() >= until + lock_ttl {
                        return self.fetch_token(http).await;
                    }
                }
            }
        }
    }
}
