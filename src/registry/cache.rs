//! [`CachedSource`]: the registry as a [`SchemaSource`], each id, GUID and subject version
//! fetched at most once per run. Failures are remembered too (an unknown id in every record
//! of a topic is asked once), and threads asking for the same key at once wait for the one
//! fetch.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

use super::client::RegistryClient;
use super::{Schema, SchemaSource, SubjectVersion, Version};
use crate::error::Result;

type Slot<T> = Arc<OnceLock<Result<Arc<T>>>>;

/// One cache: a slot per key, filled once.
struct Memo<K, T> {
    slots: Mutex<HashMap<K, Slot<T>>>,
}

impl<K: Eq + Hash, T> Memo<K, T> {
    fn new() -> Self {
        Memo {
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn get_or_fetch(&self, key: K, fetch: impl FnOnce() -> Result<T>) -> Result<Arc<T>> {
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.entry(key).or_default().clone()
        };
        // Outside the map's lock: other keys are fetched meanwhile; the same key waits.
        slot.get_or_init(|| fetch().map(Arc::new)).clone()
    }

    /// Puts what another lookup found, unless the key has its own answer already.
    fn offer(&self, key: K, value: Arc<T>) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(key).or_default();
        let _ = slot.set(Ok(value));
    }
}

/// The registry behind a per-run cache.
pub struct CachedSource {
    client: Arc<RegistryClient>,
    by_id: Memo<u32, Schema>,
    by_guid: Memo<String, Schema>,
    by_version: Memo<(String, Option<i32>), SubjectVersion>,
}

impl CachedSource {
    pub fn new(client: Arc<RegistryClient>) -> CachedSource {
        CachedSource {
            client,
            by_id: Memo::new(),
            by_guid: Memo::new(),
            by_version: Memo::new(),
        }
    }
}

impl SchemaSource for CachedSource {
    fn schema_by_id(&self, id: u32) -> Result<Arc<Schema>> {
        self.by_id.get_or_fetch(id, || self.client.schema_by_id(id))
    }

    fn subject_version(&self, subject: &str, version: Version) -> Result<Arc<SubjectVersion>> {
        let number = match version {
            Version::Latest => None,
            Version::Number(n) => Some(n),
        };
        let found = self
            .by_version
            .get_or_fetch((subject.to_string(), number), || {
                self.client.subject_version(subject, version)
            })?;
        // The latest is also that numbered version, and its schema that id's.
        if number.is_none() {
            self.by_version
                .offer((subject.to_string(), Some(found.version)), found.clone());
        }
        self.by_id.offer(found.id, Arc::new(found.schema.clone()));
        Ok(found)
    }

    fn schema_by_guid(&self, guid: &str) -> Result<Arc<Schema>> {
        self.by_guid
            .get_or_fetch(guid.to_string(), || self.client.schema_by_guid(guid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn each_key_is_fetched_once_failures_too() {
        let memo: Memo<u32, String> = Memo::new();
        let calls = AtomicU32::new(0);
        let fetch = |ok: bool| {
            calls.fetch_add(1, Ordering::SeqCst);
            if ok {
                Ok("s".to_string())
            } else {
                Err(crate::error::Error::not_found("schema id 2", "no such id"))
            }
        };
        for _ in 0..3 {
            assert_eq!(*memo.get_or_fetch(1, || fetch(true)).unwrap(), "s");
            assert!(memo.get_or_fetch(2, || fetch(false)).is_err());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        memo.offer(1, Arc::new("other".into()));
        assert_eq!(*memo.get_or_fetch(1, || fetch(true)).unwrap(), "s");
    }
}
