//! The Redis store: one stream of deliveries, a consumer group, a dead-letter stream.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;

use super::store::{Entry, Incoming, Store, StoreError, StoreSettings, Stored};
use crate::shared::RedisStore;

/// Stores a delivery unless its id was stored before: 1 stored, 0 a duplicate, -1 - n full
/// with n waiting. One script, so "remembered" and "stored" happen together or not at all.
const PUT: &str = r"
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local n = redis.call('XLEN', KEYS[1])
if n >= tonumber(ARGV[1]) then return -1 - n end
redis.call('XADD', KEYS[1], '*', 'id', ARGV[3], 'api', ARGV[4], 'body', ARGV[5], 'at', ARGV[6])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1
";

/// Creates the consumer group (from the stream's start) unless it exists.
const GROUP: &str = r"
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')
return 1
";

/// Claims entries idle beyond the visibility timeout; those handed out `max_attempts` times
/// move to the dead letters. Returns the claimed ones as {id, fields, times handed out}.
const RECLAIM: &str = r"
local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], '0-0', 'COUNT', ARGV[4])
local out = {}
for _, e in ipairs(r[2]) do
  if e and e[2] then
    local id = e[1]
    local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
    local n = tonumber(p[1][4])
    if n > tonumber(ARGV[5]) then
      local fields = e[2]
      table.insert(fields, 'attempts')
      table.insert(fields, tostring(n - 1))
      redis.call('XADD', KEYS[2], '*', unpack(fields))
      redis.call('XACK', KEYS[1], ARGV[1], id)
      redis.call('XDEL', KEYS[1], id)
    else
      table.insert(out, {id, e[2], n})
    end
  end
end
return out
";

/// Moves the dead letter ARGV[1] back to the stream (without its attempt count).
const REDRIVE: &str = r"
local e = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #e == 0 then return 0 end
local f = e[1][2]
local keep = {}
for i = 1, #f, 2 do
  if f[i] ~= 'attempts' then
    table.insert(keep, f[i])
    table.insert(keep, f[i + 1])
  end
end
redis.call('XADD', KEYS[1], '*', unpack(keep))
redis.call('XDEL', KEYS[2], ARGV[1])
return 1
";

/// One stream's entries as `XREADGROUP` answers them: the stream's key, then each entry's id
/// and fields.
type StreamEntries = (String, Vec<(String, Vec<Vec<u8>>)>);

/// How often a consumer with nothing to do asks again.
const POLL: Duration = Duration::from_millis(50);

/// The consumer group's name.
const GROUP_NAME: &str = "intake";

/// A [`Store`] on a Redis stream (Redis 6.2 or later: `XAUTOCLAIM`), shared by every replica of
/// a service: the intake of any replica stores, the consumers of any replica take.
///
/// Keys, under the [`RedisStore`]'s prefix: `{prefix}:intake:{name}:stream` (the deliveries;
/// an acknowledged one is deleted from it), `:dead` (the dead letters), `:seen:{id}` (each id
/// stored, for [`StoreSettings::remember_ids_for`]). Storing checks the id, the cap and adds
/// the entry in one script: an id is stored once, and a full stream refuses (`XADD`'s own
/// `MAXLEN` would drop the oldest deliveries, which no consumer may have read: a loss after a
/// 2xx). Durable as your Redis is: run it with `appendonly yes` (with `appendfsync everysec`, a
/// crash of Redis itself can lose the last second).
///
/// The store's calls share the [`RedisStore`]'s connection and timeout (250 ms by default:
/// raise it with [`RedisStore::timeout`] for a Redis far away); while Redis is away, `put`
/// fails at once with [`StoreError::Unavailable`] and the intake answers 503.
#[derive(Debug)]
pub struct RedisStreamStore {
    redis: RedisStore,
    stream: String,
    dead: String,
    seen: String,
    settings: StoreSettings,
    group_ready: AtomicBool,
    put: redis::Script,
    group: redis::Script,
    reclaim: redis::Script,
    redrive: redis::Script,
}

impl RedisStreamStore {
    /// The store `name` (one per intake: `webhooks`, say) in `redis`.
    pub fn new(redis: RedisStore, name: &str) -> Self {
        let base = format!("{}:intake:{name}", redis.key_prefix());
        RedisStreamStore {
            redis,
            stream: format!("{base}:stream"),
            dead: format!("{base}:dead"),
            seen: format!("{base}:seen"),
            settings: StoreSettings::default(),
            group_ready: AtomicBool::new(false),
            put: redis::Script::new(PUT),
            group: redis::Script::new(GROUP),
            reclaim: redis::Script::new(RECLAIM),
            redrive: redis::Script::new(REDRIVE),
        }
    }

    /// Its settings.
    pub fn settings(mut self, settings: StoreSettings) -> Self {
        self.settings = settings;
        self
    }

    fn unavailable() -> StoreError {
        StoreError::Unavailable(
            "Redis did not answer (see the log for why); the sender is asked to retry".into(),
        )
    }

    /// A read failed: the group may be gone (the stream was deleted), so it is made again
    /// next time.
    fn failed_read(&self) -> StoreError {
        self.group_ready.store(false, Ordering::Relaxed);
        Self::unavailable()
    }

    async fn ensure_group(&self) -> Result<(), StoreError> {
        if self.group_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let (script, stream) = (&self.group, self.stream.clone());
        let _: i64 = self
            .redis
            .call(|mut con| async move {
                script
                    .key(stream)
                    .arg(GROUP_NAME)
                    .invoke_async(&mut con)
                    .await
            })
            .await
            .ok_or_else(Self::unavailable)?;
        self.group_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    async fn take_once(&self, consumer: &str, max: usize) -> Result<Vec<Entry>, StoreError> {
        self.ensure_group().await?;
        let (script, stream, dead) = (&self.reclaim, self.stream.clone(), self.dead.clone());
        let idle = self.settings.visibility_timeout.as_millis() as u64;
        let claimed: Vec<(String, Vec<Vec<u8>>, i64)> = self
            .redis
            .call(|mut con| async move {
                script
                    .key(stream)
                    .key(dead)
                    .arg(GROUP_NAME)
                    .arg(consumer)
                    .arg(idle)
                    .arg(max)
                    .arg(self.settings.max_attempts)
                    .invoke_async(&mut con)
                    .await
            })
            .await
            .ok_or_else(|| self.failed_read())?;
        let mut out: Vec<Entry> = claimed
            .into_iter()
            .filter_map(|(handle, fields, n)| entry(handle, &fields, n.max(1) as u32))
            .collect();
        if out.len() < max {
            let stream = self.stream.clone();
            let count = max - out.len();
            let read: Option<Vec<StreamEntries>> = self
                .redis
                .call(|mut con| async move {
                    redis::cmd("XREADGROUP")
                        .arg("GROUP")
                        .arg(GROUP_NAME)
                        .arg(consumer)
                        .arg("COUNT")
                        .arg(count)
                        .arg("STREAMS")
                        .arg(stream)
                        .arg(">")
                        .query_async(&mut con)
                        .await
                })
                .await
                .ok_or_else(|| self.failed_read())?;
            for (_, entries) in read.unwrap_or_default() {
                out.extend(
                    entries
                        .into_iter()
                        .filter_map(|(handle, fields)| entry(handle, &fields, 1)),
                );
            }
        }
        Ok(out)
    }
}

/// An entry from a stream's fields (`id`, `api`, `body`, `at`); `None` when one is missing.
fn entry(handle: String, fields: &[Vec<u8>], attempt: u32) -> Option<Entry> {
    let field = |name: &str| {
        fields
            .chunks(2)
            .find(|kv| kv.len() == 2 && kv[0] == name.as_bytes())
            .map(|kv| kv[1].clone())
    };
    let text = |name: &str| field(name).and_then(|v| String::from_utf8(v).ok());
    let attempt = text("attempts")
        .and_then(|a| a.parse().ok())
        .unwrap_or(attempt);
    Some(Entry {
        handle,
        delivery: Incoming {
            id: text("id")?,
            api: text("api")?,
            body: Bytes::from(field("body")?),
            received_at_ms: text("at").and_then(|a| a.parse().ok()).unwrap_or_default(),
        },
        attempt,
    })
}

impl Store for RedisStreamStore {
    fn put<'a>(&'a self, delivery: &'a Incoming) -> BoxFuture<'a, Result<Stored, StoreError>> {
        Box::pin(async move {
            let script = &self.put;
            let seen = format!("{}:{}", self.seen, delivery.id);
            let remember = self.settings.remember_ids_for.as_millis().max(1) as u64;
            let stream = self.stream.clone();
            let answer: i64 = self
                .redis
                .call(|mut con| async move {
                    script
                        .key(stream)
                        .key(seen)
                        .arg(self.settings.capacity)
                        .arg(remember)
                        .arg(&delivery.id)
                        .arg(&delivery.api)
                        .arg(delivery.body.as_ref())
                        .arg(delivery.received_at_ms)
                        .invoke_async(&mut con)
                        .await
                })
                .await
                .ok_or_else(Self::unavailable)?;
            match answer {
                1 => Ok(Stored::New),
                0 => Ok(Stored::Duplicate),
                n => Err(StoreError::Full((-1 - n).max(0) as usize)),
            }
        })
    }

    fn take<'a>(
        &'a self,
        consumer: &'a str,
        max: usize,
        wait: Duration,
    ) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>> {
        Box::pin(async move {
            let until = tokio::time::Instant::now() + wait;
            loop {
                let got = self.take_once(consumer, max.max(1)).await?;
                if !got.is_empty() || tokio::time::Instant::now() >= until {
                    return Ok(got);
                }
                tokio::time::sleep(POLL).await;
            }
        })
    }

    fn ack<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let stream = self.stream.clone();
            let _: (i64, i64) = self
                .redis
                .call(|mut con| async move {
                    redis::pipe()
                        .atomic()
                        .cmd("XACK")
                        .arg(&stream)
                        .arg(GROUP_NAME)
                        .arg(handle)
                        .cmd("XDEL")
                        .arg(&stream)
                        .arg(handle)
                        .query_async(&mut con)
                        .await
                })
                .await
                .ok_or_else(Self::unavailable)?;
            Ok(())
        })
    }

    fn dead_letters<'a>(&'a self, max: usize) -> BoxFuture<'a, Result<Vec<Entry>, StoreError>> {
        Box::pin(async move {
            let dead = self.dead.clone();
            let found: Vec<(String, Vec<Vec<u8>>)> = self
                .redis
                .call(|mut con| async move {
                    redis::cmd("XRANGE")
                        .arg(dead)
                        .arg("-")
                        .arg("+")
                        .arg("COUNT")
                        .arg(max)
                        .query_async(&mut con)
                        .await
                })
                .await
                .ok_or_else(Self::unavailable)?;
            Ok(found
                .into_iter()
                .filter_map(|(handle, fields)| entry(handle, &fields, 0))
                .collect())
        })
    }

    fn redrive<'a>(&'a self, handle: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let (script, stream, dead) = (&self.redrive, self.stream.clone(), self.dead.clone());
            let moved: i64 = self
                .redis
                .call(|mut con| async move {
                    script
                        .key(stream)
                        .key(dead)
                        .arg(handle)
                        .invoke_async(&mut con)
                        .await
                })
                .await
                .ok_or_else(Self::unavailable)?;
            Ok(moved == 1)
        })
    }
}
