//! The SQLite baseline: the store's own look-up query, on a connection of the bench's own.

/// The query `SqliteStore::find_token` runs (the token row and its scope's flag), every column of it.
pub const FIND_TOKEN: &str = "SELECT t.id, t.scope, t.role, t.valid_until, t.hash, t.created_at, \
    t.created_by, t.expires_at, t.last_used_at, t.first_used_at, \
    coalesce((SELECT s.enabled || s.auth_mode FROM scopes s WHERE s.scope = t.scope), '0any') \
    FROM tokens t WHERE t.id = ?1";

/// A token row as the store reads it.
pub type Row =
    (String, String, String, Option<i64>, String, i64, String, Option<i64>, Option<i64>, Option<i64>, String);

/// Runs [`FIND_TOKEN`] for the selector of `presented` on `conn` and reads every column, as the store
/// does: the look-up half of the SQLite baseline.
pub fn select_row(conn: &rusqlite::Connection, presented: &str) -> Row {
    let mut select = conn.prepare_cached(FIND_TOKEN).unwrap();
    select.query_row([&presented[5..21]], |row| Ok(super::token_columns!(row, get_unwrap))).unwrap()
}
