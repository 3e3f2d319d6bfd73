//! The data file: records as JSON in a redb database, one table each.

use std::path::Path;

use redb::{Database, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Change, DataFile, DataFileError, Snapshot};

pub(super) const PAYMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("payments");
const REFUNDS: TableDefinition<&str, &[u8]> = TableDefinition::new("refunds");
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A redb file. redb commits with `Durability::Immediate` (its default):
/// a commit returns once the file is synced, and a process killed at any
/// moment leaves the last committed state, which redb repairs its way back
/// to on the next open.
pub(crate) struct RedbFile {
    pub(super) db: Database,
    /// Writes still to fail, for tests.
    #[cfg(test)]
    failing: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for RedbFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedbFile")
    }
}

fn err(e: impl std::fmt::Display) -> DataFileError {
    DataFileError(e.to_string())
}

impl RedbFile {
    /// Opens `path`, creating it and its tables when missing.
    pub(crate) fn open(path: &Path) -> Result<Self, DataFileError> {
        let db = Database::create(path).map_err(err)?;
        let tx = db.begin_write().map_err(err)?;
        {
            tx.open_table(PAYMENTS).map_err(err)?;
            tx.open_table(REFUNDS).map_err(err)?;
            tx.open_table(TOKENS).map_err(err)?;
            tx.open_table(META).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        scrub_fingerprints(&db)?;
        Ok(Self {
            db,
            #[cfg(test)]
            failing: std::sync::atomic::AtomicU32::new(0),
        })
    }
}

/// Removes the card digests data files written by older sandboxes hold (an
/// unkeyed SHA-1 of the number, which the visible digits let anyone invert).
fn scrub_fingerprints(db: &Database) -> Result<(), DataFileError> {
    const MARK: &[u8] = b"\"digest\"";
    let tx = db.begin_write().map_err(err)?;
    for table in [PAYMENTS, TOKENS] {
        let mut table = tx.open_table(table).map_err(err)?;
        let mut scrubbed = Vec::new();
        for row in table.iter().map_err(err)? {
            let (key, value) = row.map_err(err)?;
            let bytes = value.value();
            if !bytes.windows(MARK.len()).any(|w| w == MARK) {
                continue;
            }
            let mut record: serde_json::Value = serde_json::from_slice(bytes).map_err(err)?;
            if let Some(card) = record.get_mut("card").and_then(|c| c.as_object_mut()) {
                card.remove("digest");
            }
            scrubbed.push((key.value().to_owned(), json(&record)?));
        }
        for (key, value) in scrubbed {
            table.insert(key.as_str(), value.as_slice()).map_err(err)?;
        }
    }
    tx.commit().map_err(err)
}

fn read_all<T: DeserializeOwned>(
    tx: &redb::ReadTransaction,
    table: TableDefinition<&str, &[u8]>,
) -> Result<Vec<T>, DataFileError> {
    let table = tx.open_table(table).map_err(err)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(err)? {
        let (_, value) = row.map_err(err)?;
        out.push(serde_json::from_slice(value.value()).map_err(err)?);
    }
    Ok(out)
}

fn json(value: &impl Serialize) -> Result<Vec<u8>, DataFileError> {
    serde_json::to_vec(value).map_err(err)
}

impl DataFile for RedbFile {
    fn load(&self) -> Result<Snapshot, DataFileError> {
        let tx = self.db.begin_read().map_err(err)?;
        let counter = tx
            .open_table(META)
            .map_err(err)?
            .get("counter")
            .map_err(err)?
            .map(|v| v.value())
            .unwrap_or(0);
        Ok(Snapshot {
            payments: read_all(&tx, PAYMENTS)?,
            refunds: read_all(&tx, REFUNDS)?,
            tokens: read_all(&tx, TOKENS)?,
            counter,
        })
    }

    fn write(&self, changes: &[Change<'_>]) -> Result<(), DataFileError> {
        #[cfg(test)]
        {
            use std::sync::atomic::Ordering;
            let failing = &self.failing;
            if failing
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(DataFileError("a write failure injected by a test".into()));
            }
        }
        let tx = self.db.begin_write().map_err(err)?;
        {
            let mut payments = tx.open_table(PAYMENTS).map_err(err)?;
            let mut refunds = tx.open_table(REFUNDS).map_err(err)?;
            let mut tokens = tx.open_table(TOKENS).map_err(err)?;
            let mut meta = tx.open_table(META).map_err(err)?;
            for change in changes {
                match change {
                    Change::Payment(p) => {
                        payments
                            .insert(p.uuid.as_str(), json(p)?.as_slice())
                            .map_err(err)?;
                    }
                    Change::Refund(r) => {
                        let key = format!("{}/{}", r.shop_id, r.shop_refund_id);
                        refunds
                            .insert(key.as_str(), json(r)?.as_slice())
                            .map_err(err)?;
                    }
                    Change::Token(t) => {
                        tokens
                            .insert(t.token.as_str(), json(t)?.as_slice())
                            .map_err(err)?;
                    }
                    Change::Counter(n) => {
                        meta.insert("counter", *n).map_err(err)?;
                    }
                }
            }
        }
        tx.commit().map_err(err)
    }

    #[cfg(test)]
    fn fail_next_writes(&self, n: u32) {
        self.failing.store(n, std::sync::atomic::Ordering::SeqCst);
    }
}
