//! The workspace's users, their sessions, and the audit trail of who did what.
//!
//! A user holds one of two privileges ([`Role`]): `view`
//! (ImportProcessView: sees everything, changes nothing) or `manage`
//! (ImportProcessManage: also imports, edits, submits, chooses actions,
//! completes, undoes and deletes). Passwords are stored as argon2id PHC
//! strings. A session is a random token (only its SHA-256 is stored) with
//! its own CSRF token; it lasts [`SESSION_HOURS`].
//!
//! The audit trail records each change to a job with the user who made it
//! (`ferry serve` users by name, the command line as `cli:$USER`). It keeps
//! its rows when a job is deleted, so the deletion itself stays on record.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::params;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::Tx;
use crate::store::{self, Store};
use crate::{Bug, Error};

/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

/// A user's privilege.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// ImportProcessView: sees everything, changes nothing.
    View,
    /// ImportProcessManage: also changes jobs.
    Manage,
}

impl Role {
    /// The name stored and typed (`view`, `manage`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::View => "view",
            Role::Manage => "manage",
        }
    }

    /// Parses `view` or `manage`.
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "view" => Some(Role::View),
            "manage" => Some(Role::Manage),
            _ => None,
        }
    }
}

/// A user as listed (never with the password hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub created_at: String,
}

/// A signed-in user's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    /// The token every state-changing request must carry.
    pub csrf: String,
}

/// One entry of a job's audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub user: String,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

fn check_name(name: &str) -> Result<(), Error> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok { Ok(()) } else { Err(Error::BadUserName(name.to_string())) }
}

fn hash_password(password: &str) -> Result<String, Error> {
    if password.chars().count() < 8 {
        return Err(Error::ShortPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(Bug::PasswordHash(e.to_string())))
}

/// Adds a user.
pub fn add(store: &mut Store, name: &str, role: Role, password: &str) -> Result<User, Error> {
    check_name(name)?;
    let hash = hash_password(password)?;
    let tx = Tx::begin(store)?;
    let db = tx.db();
    let exists: bool =
        db.query_row("SELECT count(*) FROM users WHERE name = ?1", [name], |r| r.get::<_, i64>(0))? > 0;
    if exists {
        return Err(Error::UserExists(name.to_string()));
    }
    let now = store::now();
    db.execute(
        "INSERT INTO users (name, role, password, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), hash, now],
    )?;
    tx.commit()?;
    Ok(User { name: name.to_string(), role, created_at: now })
}

/// Lists the users by name.
pub fn list(store: &Store) -> Result<Vec<User>, Error> {
    let mut st = store.db().prepare("SELECT name, role, created_at FROM users ORDER BY name")?;
    let rows =
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, role, created_at) = row?;
        let role = Role::parse(&role).unwrap_or(Role::View);
        out.push(User { name, role, created_at });
    }
    Ok(out)
}

fn no_such_user(name: &str) -> Error {
    Error::UnknownUser(name.to_string())
}

/// Removes a user and ends their sessions.
pub fn remove(store: &mut Store, name: &str) -> Result<(), Error> {
    let tx = Tx::begin(store)?;
    let db = tx.db();
    if db.execute("DELETE FROM users WHERE name = ?1", [name])? == 0 {
        return Err(no_such_user(name));
    }
    tx.commit()
}

/// Sets a user's password and ends their sessions.
pub fn set_password(store: &mut Store, name: &str, password: &str) -> Result<(), Error> {
    let hash = hash_password(password)?;
    let tx = Tx::begin(store)?;
    let db = tx.db();
    if db.execute("UPDATE users SET password = ?2 WHERE name = ?1", [name, &hash])? == 0 {
        return Err(no_such_user(name));
    }
    db.execute("DELETE FROM sessions WHERE user_name = ?1", [name])?;
    tx.commit()
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    OsRng.fill_bytes(&mut bytes);
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Checks a user's password; on success starts a session and returns its
/// token (for the cookie) with the session. A wrong name or password is `None`.
pub fn login(store: &mut Store, name: &str, password: &str) -> Result<Option<(String, Session)>, Error> {
    let found: Option<(String, String)> =
        store.db().query_opt("SELECT role, password FROM users WHERE name = ?1", [name], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let Some((role, hash)) = found else { return Ok(None) };
    let ok = PasswordHash::new(&hash)
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
    if !ok {
        return Ok(None);
    }
    let (token, csrf) = (random_token(), random_token());
    let now = jiff::Timestamp::now();
    let expires = now + jiff::SignedDuration::from_hours(SESSION_HOURS);
    let tx = Tx::begin(store)?;
    let db = tx.db();
    db.execute("DELETE FROM sessions WHERE expires_at < ?1", [store::format_time(now)])?;
    db.execute(
        "INSERT INTO sessions (token_hash, user_name, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash(&token), name, csrf, store::format_time(now), store::format_time(expires)],
    )?;
    tx.commit()?;
    let role = Role::parse(&role).unwrap_or(Role::View);
    Ok(Some((token, Session { user: name.to_string(), role, csrf })))
}

/// The live session of a cookie token, if any.
pub fn session(store: &Store, token: &str) -> Result<Option<Session>, Error> {
    store
        .db()
        .query_opt(
            "SELECT s.user_name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.user_name
             WHERE s.token_hash = ?1 AND s.expires_at >= ?2",
            params![token_hash(token), store::now()],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )
        .map(|found| {
            found.map(|(user, role, csrf)| Session {
                user,
                role: Role::parse(&role).unwrap_or(Role::View),
                csrf,
            })
        })
}

/// Ends a session.
pub fn logout(store: &mut Store, token: &str) -> Result<(), Error> {
    store.db().execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash(token)])?;
    Ok(())
}

/// Records that `user` did `action` on job `job_id`.
pub fn audit(
    store: &Store,
    job_id: i64,
    user: &str,
    action: &str,
    detail: Option<&str>,
) -> Result<(), Error> {
    store.db().execute(
        "INSERT INTO audit (job_id, at, user_name, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![job_id, store::now(), user, action, detail],
    )?;
    Ok(())
}

/// A job's audit trail, oldest first.
pub fn audit_trail(store: &Store, job_id: i64) -> Result<Vec<AuditEntry>, Error> {
    let mut st = store
        .db()
        .prepare("SELECT at, user_name, action, detail FROM audit WHERE job_id = ?1 ORDER BY id")?;
    let rows = st.query_map([job_id], |r| {
        Ok(AuditEntry { at: r.get(0)?, user: r.get(1)?, action: r.get(2)?, detail: r.get(3)? })
    })?;
    rows.collect::<Result<Vec<_>, Error>>()
}

/// The name the command line's actions are recorded under: `cli:$USER`.
pub fn local_user() -> String {
    let user = std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_default();
    if user.is_empty() { "cli".to_string() } else { format!("cli:{user}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_log_in_with_their_password_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("ferry.db")).unwrap();
        add(&mut store, "ann", Role::Manage, "correct horse").unwrap();
        assert!(add(&mut store, "ann", Role::View, "correct horse").is_err());
        assert!(add(&mut store, "bob", Role::View, "short").is_err());
        assert!(login(&mut store, "ann", "wrong password").unwrap().is_none());
        assert!(login(&mut store, "nobody", "correct horse").unwrap().is_none());
        let (token, s) = login(&mut store, "ann", "correct horse").unwrap().unwrap();
        assert_eq!((s.user.as_str(), s.role), ("ann", Role::Manage));
        let again = session(&store, &token).unwrap().unwrap();
        assert_eq!(again.csrf, s.csrf);
        let stored: String = store.db().query_row("SELECT password FROM users", [], |r| r.get(0)).unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        // A new password ends the sessions.
        set_password(&mut store, "ann", "battery staple").unwrap();
        assert!(session(&store, &token).unwrap().is_none());
        remove(&mut store, "ann").unwrap();
        assert!(list(&store).unwrap().is_empty());
    }
}
