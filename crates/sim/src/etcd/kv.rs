//! etcd's key-value store, as each member applies the committed Raft log.
//!
//! It keeps etcd's revision semantics: one cluster-wide revision that every
//! mutation advances, and per key a `create_revision`, `mod_revision` and
//! `version`. Transactions compare a key's `mod_revision` (0 for a missing
//! key), which is how the Kubernetes API server does optimistic concurrency.
//! Old revisions are not kept (there is no watch history to serve).

use crate::sorted::SortedMap;
use std::rc::Rc;

/// A stored value: opaque bytes to etcd, text here.
pub type Value = Rc<str>;

/// A key as stored, with its revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: Rc<str>,
    pub value: Value,
    /// The revision at which the key was created.
    pub create_revision: i64,
    /// The revision of the key's last change (Kubernetes' resourceVersion).
    pub mod_revision: i64,
    /// How many times the key has been written since it was created.
    pub version: i64,
}

/// A request to the store, as a client sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvOp {
    /// Read one key, or every key with this prefix. A linearizable read
    /// (the default) goes through ReadIndex; a serializable one is served
    /// from the member's local store and may be stale.
    Range {
        key: Rc<str>,
        prefix: bool,
        serializable: bool,
    },
    /// Write a key.
    Put { key: Rc<str>, value: Value },
    /// Delete a key.
    Delete { key: Rc<str> },
    /// If every comparison holds, run `success`, otherwise `failure`.
    Txn {
        compare: Vec<Compare>,
        success: Vec<TxnOp>,
        failure: Vec<TxnOp>,
    },
}

/// A transaction's condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compare {
    /// The key's `mod_revision` equals this (0: the key does not exist).
    ModRevisionEquals { key: Rc<str>, revision: i64 },
}

/// An operation inside a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxnOp {
    Put { key: Rc<str>, value: Value },
    Delete { key: Rc<str> },
    Get { key: Rc<str> },
}

/// The result of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KvResult {
    /// The keys read, and the store's revision at the time.
    Range { revision: i64, kvs: Vec<KeyValue> },
    /// The revision the write created.
    Put { revision: i64 },
    /// How many keys were deleted.
    Delete { revision: i64, deleted: u32 },
    /// Whether the comparisons held, and each operation's result.
    Txn {
        revision: i64,
        succeeded: bool,
        responses: Vec<KvResult>,
    },
}

impl KvOp {
    /// Whether this request only reads.
    pub fn is_read(&self) -> bool {
        matches!(self, KvOp::Range { .. })
    }

    /// Every key this request may write (both branches of a transaction).
    pub fn written_keys(&self) -> Vec<Rc<str>> {
        match self {
            KvOp::Range { .. } => Vec::new(),
            KvOp::Put { key, .. } | KvOp::Delete { key } => vec![key.clone()],
            KvOp::Txn {
                success, failure, ..
            } => success
                .iter()
                .chain(failure)
                .filter_map(|op| match op {
                    TxnOp::Put { key, .. } | TxnOp::Delete { key } => Some(key.clone()),
                    TxnOp::Get { .. } => None,
                })
                .collect(),
        }
    }

    /// A short form for logs: `put /registry/leases/…`.
    pub fn describe(&self) -> String {
        match self {
            KvOp::Range { key, prefix, .. } => {
                format!("get {key}{}", if *prefix { " --prefix" } else { "" })
            }
            KvOp::Put { key, .. } => format!("put {key}"),
            KvOp::Delete { key } => format!("del {key}"),
            KvOp::Txn { compare, .. } => match compare.first() {
                Some(Compare::ModRevisionEquals { key, revision }) => {
                    format!("txn if mod_revision({key}) = {revision}")
                }
                None => "txn".to_owned(),
            },
        }
    }
}

/// The store one member has built by applying the committed log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    revision: i64,
    keys: SortedMap<Rc<str>, KeyValue>,
}

impl Store {
    /// An empty store at revision 1, as a new etcd cluster starts.
    pub fn new() -> Store {
        Store {
            revision: 1,
            keys: SortedMap::new(),
        }
    }

    /// The current revision.
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// One key, if present.
    pub fn get(&self, key: &str) -> Option<&KeyValue> {
        self.keys.get(key)
    }

    /// Every key, in order.
    pub fn iter(&self) -> impl Iterator<Item = &KeyValue> {
        self.keys.values()
    }

    /// Reads without changing anything.
    pub fn range(&self, key: &str, prefix: bool) -> KvResult {
        let kvs = if prefix {
            self.keys
                .iter_from(key)
                .take_while(|(k, _)| k.starts_with(key))
                .map(|(_, kv)| kv.clone())
                .collect()
        } else {
            self.keys.get(key).cloned().into_iter().collect()
        };
        KvResult::Range {
            revision: self.revision,
            kvs,
        }
    }

    /// Applies a request from the committed log and returns its result.
    /// Every member applies the same requests in the same order, so every
    /// member's store goes through the same states.
    pub fn apply(&mut self, op: &KvOp) -> KvResult {
        match op {
            KvOp::Range { key, prefix, .. } => self.range(key, *prefix),
            KvOp::Put { key, value } => {
                self.revision += 1;
                self.put(key, value);
                KvResult::Put {
                    revision: self.revision,
                }
            }
            KvOp::Delete { key } => {
                let deleted = if self.keys.contains_key(&**key) {
                    self.revision += 1;
                    self.keys.remove(&**key);
                    1
                } else {
                    0
                };
                KvResult::Delete {
                    revision: self.revision,
                    deleted,
                }
            }
            KvOp::Txn {
                compare,
                success,
                failure,
            } => {
                let succeeded = compare.iter().all(|c| self.holds(c));
                let ops = if succeeded { success } else { failure };
                let mutates = ops.iter().any(|op| match op {
                    TxnOp::Put { .. } => true,
                    TxnOp::Delete { key } => self.keys.contains_key(&**key),
                    TxnOp::Get { .. } => false,
                });
                // A transaction that writes advances the revision once.
                if mutates {
                    self.revision += 1;
                }
                let responses = ops
                    .iter()
                    .map(|op| match op {
                        TxnOp::Put { key, value } => {
                            self.put(key, value);
                            KvResult::Put {
                                revision: self.revision,
                            }
                        }
                        TxnOp::Delete { key } => KvResult::Delete {
                            revision: self.revision,
                            deleted: u32::from(self.keys.remove(&**key).is_some()),
                        },
                        TxnOp::Get { key } => self.range(key, false),
                    })
                    .collect();
                KvResult::Txn {
                    revision: self.revision,
                    succeeded,
                    responses,
                }
            }
        }
    }

    fn holds(&self, compare: &Compare) -> bool {
        match compare {
            Compare::ModRevisionEquals { key, revision } => {
                self.keys.get(&**key).map_or(0, |kv| kv.mod_revision) == *revision
            }
        }
    }

    fn put(&mut self, key: &Rc<str>, value: &Value) {
        let revision = self.revision;
        match self.keys.get_mut(&**key) {
            Some(kv) => {
                kv.value = value.clone();
                kv.mod_revision = revision;
                kv.version += 1;
            }
            None => {
                let kv = KeyValue {
                    key: key.clone(),
                    value: value.clone(),
                    create_revision: revision,
                    mod_revision: revision,
                    version: 1,
                };
                self.keys.insert(key.clone(), kv);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value: &str) -> KvOp {
        KvOp::Put {
            key: key.into(),
            value: value.into(),
        }
    }

    fn cas(key: &str, revision: i64, value: &str) -> KvOp {
        KvOp::Txn {
            compare: vec![Compare::ModRevisionEquals {
                key: key.into(),
                revision,
            }],
            success: vec![TxnOp::Put {
                key: key.into(),
                value: value.into(),
            }],
            failure: vec![TxnOp::Get { key: key.into() }],
        }
    }

    #[test]
    fn every_write_advances_the_revision_and_keys_remember_theirs() {
        let mut store = Store::new();
        assert_eq!(store.apply(&put("/a", "1")), KvResult::Put { revision: 2 });
        assert_eq!(store.apply(&put("/b", "1")), KvResult::Put { revision: 3 });
        assert_eq!(store.apply(&put("/a", "2")), KvResult::Put { revision: 4 });
        let a = store.get("/a").unwrap();
        assert_eq!((a.create_revision, a.mod_revision, a.version), (2, 4, 2));
        assert_eq!(&*a.value, "2");
    }

    #[test]
    fn compare_and_swap_on_mod_revision_succeeds_once_and_the_loser_reads_the_winner() {
        let mut store = Store::new();
        // Create only if absent (mod_revision 0), as the API server creates objects.
        let KvResult::Txn { succeeded, .. } = store.apply(&cas("/lease", 0, "holder-a")) else {
            panic!("a transaction returns a transaction result")
        };
        assert!(succeeded);
        let revision = store.get("/lease").unwrap().mod_revision;
        // Two updates based on the same resourceVersion: the first wins.
        let first = store.apply(&cas("/lease", revision, "holder-b"));
        let second = store.apply(&cas("/lease", revision, "holder-c"));
        assert!(matches!(
            first,
            KvResult::Txn {
                succeeded: true,
                ..
            }
        ));
        let KvResult::Txn {
            succeeded: false,
            responses,
            ..
        } = second
        else {
            panic!("the stale update must fail: {second:?}")
        };
        let KvResult::Range { kvs, .. } = &responses[0] else {
            panic!("the failure branch reads the key")
        };
        assert_eq!(&*kvs[0].value, "holder-b");
        assert_eq!(&*store.get("/lease").unwrap().value, "holder-b");
    }

    #[test]
    fn a_failed_or_read_only_transaction_does_not_advance_the_revision() {
        let mut store = Store::new();
        store.apply(&put("/a", "1"));
        let before = store.revision();
        store.apply(&cas("/a", 999, "x"));
        assert_eq!(store.revision(), before);
    }

    #[test]
    fn prefix_ranges_return_exactly_the_keys_under_the_prefix_in_order() {
        let mut store = Store::new();
        for key in [
            "/registry/pods/b",
            "/registry/pods/a",
            "/registry/podsx",
            "/registry/q",
        ] {
            store.apply(&put(key, "v"));
        }
        let KvResult::Range { kvs, .. } = store.range("/registry/pods/", true) else {
            unreachable!()
        };
        let keys: Vec<&str> = kvs.iter().map(|kv| &*kv.key).collect();
        assert_eq!(keys, ["/registry/pods/a", "/registry/pods/b"]);
    }

    #[test]
    fn deleting_a_missing_key_changes_nothing() {
        let mut store = Store::new();
        let result = store.apply(&KvOp::Delete { key: "/x".into() });
        assert_eq!(
            result,
            KvResult::Delete {
                revision: 1,
                deleted: 0
            }
        );
    }
}
