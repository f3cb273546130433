//! The OAuth2 token shared by replicas: stored sealed (see `sealed`), read back, forgotten when
//! the server refused it.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{MAX_EXPIRY_MS, RedisStore, TokenKey};

impl RedisStore {
    /// The shared token, how long its key has left, and the refresh margin it was stored with;
    /// `None` when there is none, or it does not open with `key`.
    pub(crate) async fn token(
        &self,
        ns: &str,
        key: &TokenKey,
    ) -> Option<(SecretString, Duration, Duration)> {
        let at = format!("{ns}:token");
        let script = &self.inner.get_token;
        let k = at.clone();
        let found: Option<(String, i64)> = self
            .call(|mut con| async move { script.key(k).invoke_async(&mut con).await })
            .await?;
        let (value, pttl) = found?;
        let plain = SecretString::from(String::from_utf8(key.open(&at, &value)?).ok()?);
        // Sealed as `{margin in ms}:{token}`.
        let (margin, token) = plain.expose_secret().split_once(':')?;
        let margin = Duration::from_millis(margin.parse().ok()?);
        (pttl > 0).then(|| {
            (
                SecretString::from(token.to_owned()),
                Duration::from_millis(pttl as u64),
                margin,
            )
        })
    }

    /// Stores a token, sealed with `key`, for `ttl`; `margin` is how long before its expiry the
    /// key expires.
    pub(crate) async fn put_token(
        &self,
        ns: &str,
        key: &TokenKey,
        token: &SecretString,
        ttl: Duration,
        margin: Duration,
    ) {
        let at = format!("{ns}:token");
        let plain = SecretString::from(format!("{}:{}", margin.as_millis(), token.expose_secret()));
        let value = key.seal(&at, plain.expose_secret().as_bytes());
        let ms = ttl.as_millis().clamp(1, MAX_EXPIRY_MS) as u64;
        let _: Option<()> = self
            .call(|mut con| async move {
                redis::cmd("SET")
                    .arg(at)
                    .arg(value)
                    .arg("PX")
                    .arg(ms)
                    .query_async(&mut con)
                    .await
            })
            .await;
    }

    /// Deletes the shared token if it is still `token` (the server refused it).
    pub(crate) async fn forget_token(&self, ns: &str, key: &TokenKey, token: &str) {
        let at = format!("{ns}:token");
        let k = at.clone();
        let stored: Option<Option<String>> = self
            .call(|mut con| async move { redis::cmd("GET").arg(k).query_async(&mut con).await })
            .await;
        let Some(Some(value)) = stored else { return };
        let same = key.open(&at, &value).is_some_and(|plain| {
            plain
                .splitn(2, |b| *b == b':')
                .nth(1)
                .is_some_and(|stored| stored == token.as_bytes())
        });
        if !same {
            return;
        }
        // Deleted only if it is still that value (another replica may have stored a new one).
        let script = &self.inner.delete_if;
        let _: Option<i64> = self
            .call(|mut con| async move { script.key(at).arg(value).invoke_async(&mut con).await })
            .await;
    }
}
