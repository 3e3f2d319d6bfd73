//! The data file: records as JSON in a redb database, one table each.

use std::path::Path;

use redb::{Database, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Change, Snapshot, Store, StoreError};

const PAYMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("payments");
const REFUNDS: TableDefinition<&str, &[u8]> = TableDefinition::new("refunds");
const TOKENS: TableDefinition<&str, &[u8]> = TableDefinition::new("tokens");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

/// A redb file.
pub(crate) struct RedbStore {
    db: Database,
}

impl std::fmt::Debug for RedbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedbStore")
    }
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl RedbStore {
    /// Opens `path`, creating it and its tables when missing.
    pub(crate) fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(err)?;
        let tx = db.begin_write().map_err(err)?;
        {
            tx.open_table(PAYMENTS).map_err(err)?;
            tx.open_table(REFUNDS).map_err(err)?;
            tx.open_table(TOKENS).map_err(err)?;
            tx.open_table(META).map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(Self { db })
    }
}

fn read_all<T: DeserializeOwned>(
    tx: &redb::ReadTransaction,
    table: TableDefinition<&str, &[u8]>,
) -> Result<Vec<T>, StoreError> {
    let table = tx.open_table(table).map_err(err)?;
    let mut out = Vec::new();
    for row in table.iter().map_err(err)? {
        let (_, value) = row.map_err(err)?;
        out.push(serde_json::from_slice(value.value()).map_err(err)?);
    }
    Ok(out)
}

fn json(value: &impl Serialize) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(err)
}

impl Store for RedbStore {
    fn load(&self) -> Result<Snapshot, StoreError> {
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

    fn write(&self, changes: &[Change<'_>]) -> Result<(), StoreError> {
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
}
