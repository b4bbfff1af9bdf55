//! Floor 0: the permission vocabulary — API-key scopes and token permissions are one set of
//! names, known here so that configuration can check them without the sign-in code.

/// Scopes a key may hold.
pub const SCOPES: &[(&str, &str)] = &[
    ("execute", "run processes (WPS Execute, OGC execution); same as jobs:execute"),
    ("jobs", "read status and results of own jobs, list and dismiss them, download outputs; same as jobs:read:own"),
    ("usage", "run the usage process (request log as CSV)"),
    ("admin", "see and dismiss every user's jobs"),
    ("processes:read", "list and describe processes (public on this server)"),
    ("data:read", "read datasets through the data API (/datasets: Zarr, Kerchunk, files) unless public"),
    ("jobs:execute", "same as execute"),
    ("jobs:read:own", "same as jobs"),
];

/// The canonical name of a permission: API-key scopes and token permissions are one vocabulary.
#[must_use]
pub fn canonical(scope: &str) -> &str {
    match scope {
        "jobs:execute" => "execute",
        "jobs:read:own" => "jobs",
        s => s,
    }
}

/// A permission (API-key scope or token permission) this server knows.
#[must_use]
pub fn is_permission(p: &str) -> bool {
    SCOPES.iter().any(|(k, _)| *k == p)
}

/// The known permission names, comma-separated (for messages).
#[must_use]
pub fn permission_names() -> String {
    SCOPES.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

/// The name a permission is asked by in messages to token holders.
#[must_use]
pub fn token_name(scope: &str) -> &str {
    match scope {
        "execute" => "jobs:execute",
        "jobs" => "jobs:read:own",
        s => s,
    }
}
