//! The results database (SQLite): one row per request, written in its own transaction, so an
//! interrupted run leaves a consistent database and a rerun with the same seed skips what is
//! recorded (key: site, dataset, seed, request index, operation).

use crate::results::{Row, COLUMNS};
use crate::CheckError;
use rusqlite::{params_from_iter, Connection, OptionalExtension};
use std::path::Path;

/// An open results database.
pub struct ResultsDb {
    conn: Connection,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> CheckError + '_ {
    move |e| CheckError::Io(format!("results database {}: {e}", path.display()))
}

impl ResultsDb {
    /// Opens (creating if needed) the database at `path`.
    ///
    /// # Errors
    /// The file cannot be opened or is not a results database.
    pub fn open(path: &Path) -> Result<ResultsDb, CheckError> {
        let conn = Connection::open(path).map_err(db_err(path))?;
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(db_err(path))?;
        let cols: Vec<String> = COLUMNS.iter().map(|c| format!("{c} TEXT NOT NULL")).collect();
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS results (id INTEGER PRIMARY KEY, {}, \
             UNIQUE (test_location, collection, seed, request_index, operation));",
            cols.join(", ")
        ))
        .map_err(db_err(path))?;
        // A database made by something else (other columns) is refused.
        let mut stmt = conn.prepare("SELECT name FROM pragma_table_info('results')").map_err(db_err(path))?;
        let have: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(db_err(path))?
            .collect::<Result<_, _>>()
            .map_err(db_err(path))?;
        drop(stmt);
        let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !have.iter().any(|h| h == c)).collect();
        if !missing.is_empty() {
            return Err(CheckError::Io(format!(
                "{} is not a rookery check database: table results lacks columns {}",
                path.display(),
                missing.join(", ")
            )));
        }
        Ok(ResultsDb { conn })
    }

    /// True when the request is already recorded.
    ///
    /// # Errors
    /// A database failure.
    pub fn has(
        &self,
        site: &str,
        collection: &str,
        seed: &str,
        index: &str,
        operation: &str,
    ) -> Result<bool, CheckError> {
        self.conn
            .query_row(
                "SELECT 1 FROM results WHERE test_location = ?1 AND collection = ?2 AND seed = ?3 AND request_index = ?4 AND operation = ?5",
                [site, collection, seed, index, operation],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| CheckError::Io(format!("results database: {e}")))
    }

    /// Records a row in its own transaction (a row with the same key is replaced).
    ///
    /// # Errors
    /// A database failure.
    pub fn insert(&mut self, row: &Row) -> Result<(), CheckError> {
        let err = |e: rusqlite::Error| CheckError::Io(format!("results database: {e}"));
        let tx = self.conn.transaction().map_err(err)?;
        let marks: Vec<String> = (1..=COLUMNS.len()).map(|i| format!("?{i}")).collect();
        tx.execute(
            &format!("INSERT OR REPLACE INTO results ({}) VALUES ({})", COLUMNS.join(", "), marks.join(", ")),
            params_from_iter(row.values()),
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Every row, sorted.
    ///
    /// # Errors
    /// A database failure.
    pub fn rows(&self) -> Result<Vec<Row>, CheckError> {
        let err = |e: rusqlite::Error| CheckError::Io(format!("results database: {e}"));
        let mut stmt = self.conn.prepare(&format!("SELECT {} FROM results", COLUMNS.join(", "))).map_err(err)?;
        let mut rows: Vec<Row> = stmt
            .query_map([], |r| {
                let v: Vec<String> = (0..COLUMNS.len()).map(|i| r.get::<_, String>(i)).collect::<Result<_, _>>()?;
                Ok(Row::from_values(&v))
            })
            .map_err(err)?
            .collect::<Result<_, _>>()
            .map_err(err)?;
        rows.sort();
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_resume_and_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.db");
        let mut db = ResultsDb::open(&p).unwrap();
        let row = Row {
            test_location: "CEDA".into(),
            collection: "c'); DROP TABLE results; --".into(),
            seed: "1".into(),
            request_index: "0".into(),
            operation: "subset".into(),
            success: "False".into(),
            message: "it's \"quoted\"".into(),
            ..Row::default()
        };
        db.insert(&row).unwrap();
        assert!(db.has("CEDA", &row.collection, "1", "0", "subset").unwrap());
        assert!(!db.has("CEDA", &row.collection, "1", "1", "subset").unwrap());
        db.insert(&Row { success: "True".into(), ..row.clone() }).unwrap();
        drop(db);
        let db = ResultsDb::open(&p).unwrap();
        let rows = db.rows().unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].message, row.message);
        assert!(rows[0].passed());
    }
}
