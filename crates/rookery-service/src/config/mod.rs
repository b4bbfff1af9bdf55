//! Service configuration: built-in defaults < a config file (`key = value` lines, `#`
//! comments, TOML-compatible for these keys) < `ROOKERY_*` environment variables < command
//! line flags. Zero configuration starts a server on 127.0.0.1:5000 with `./rookery-data`.

use std::path::{Path, PathBuf};

pub mod peer;
pub use peer::{parse_peer, parse_peer_with, ClientCredentials, PeerConfig, Protocol, StacIndex};

/// Why a configuration key, value, file or line was refused. The texts start with `config:`
/// and name the key and what it takes (the CLI prints them as they are).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key that is neither one of [`KEYS`] nor of [`crate::limits::KEYS`].
    #[error("config: unknown key '{key}' (known: {})", known_keys())]
    UnknownKey {
        /// The key as given.
        key: String,
    },
    /// A value that does not parse or is not allowed (including an unknown option inside a
    /// value, such as of `oidc_issuer`, `quota` or `peer`); the text names the key and what it
    /// takes.
    #[error("{0}")]
    Invalid(String),
    /// The config file cannot be read.
    #[error("config: cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line of the config file that is not `key = value` (nor a comment or `[section]`).
    #[error("config: {}:{line}: expected 'key = value'", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
    },
    /// A line of the config file whose key or value is refused.
    #[error("{source} ({}:{line})", path.display())]
    At {
        /// The file.
        path: PathBuf,
        /// The line number (from 1).
        line: usize,
        /// What [`Config::set`] said.
        source: Box<ConfigError>,
    },
}

impl ConfigError {
    /// The error of [`Config::set`] itself: an `At` error's source, else this one.
    #[must_use]
    pub fn innermost(&self) -> &ConfigError {
        match self {
            ConfigError::At { source, .. } => source.innermost(),
            e => e,
        }
    }
}

impl From<crate::limits::LimitError> for ConfigError {
    fn from(e: crate::limits::LimitError) -> Self {
        match e {
            crate::limits::LimitError::NotALimit(key) => ConfigError::UnknownKey { key },
            crate::limits::LimitError::Invalid(m) => ConfigError::Invalid(m),
        }
    }
}

/// `bind, data_dir, ...`: every key a config file takes.
fn known_keys() -> String {
    KEYS.iter().chain(crate::limits::KEYS).copied().collect::<Vec<_>>().join(", ")
}

/// Settings of `rookery serve` and `rookery worker`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (`host:port`; port 0 picks a free one).
    pub bind: String,
    /// Jobs, outputs, the SQLite job store and the server secret live here.
    pub data_dir: PathBuf,
    /// The job store: a SQLite file, or a `postgres://` / `postgresql://` URL shared by servers
    /// and workers on several machines (default: `rookery.sqlite` in the data directory).
    pub db: Option<String>,
    /// Serve without API keys (every caller is `anonymous`).
    pub open: bool,
    /// Jobs running at once in this process (pywps `parallelprocesses`).
    pub workers: usize,
    /// Jobs waiting at most (pywps `maxprocesses`); beyond that, `ServerBusy`.
    pub max_queued: usize,
    /// Finished jobs and their outputs are removed after this many hours.
    pub retention_hours: f64,
    /// Requests per minute per API key (0: unlimited).
    pub rate_limit: u32,
    /// URL clients reach this server at (default: from the request's `Host`).
    pub public_url: Option<String>,
    /// WIS2 centre id (`wis2_centre_id`, `ROOKERY_WIS2_CENTRE_ID`): overrides roocs.ini's
    /// `[wis2] centre_id`.
    pub wis2_centre_id: Option<String>,
    /// User name and password for the WIS2 broker (`wis2_broker_user`,
    /// `wis2_broker_password`, or `ROOKERY_WIS2_BROKER_USER` / `ROOKERY_WIS2_BROKER_PASSWORD`).
    pub wis2_broker_credentials: Option<BrokerCredentials>,
    /// Runs of a job before an interruption marks it failed instead of re-queueing it.
    pub max_attempts: u32,
    /// Lease of a running job, renewed while it runs; an expired lease means the worker died.
    pub lease_secs: u64,
    /// Longest a synchronous execute waits before answering with an error (the job goes on).
    pub sync_timeout_secs: u64,
    /// Identity: OIDC issuers, role/scope mapping, introspection, quotas (see [`Identity`]).
    pub identity: Identity,
    /// Other nodes and the data they hold (`peer = "<name> <url> holds=..."`, repeatable):
    /// workflow parts whose inputs a peer holds run there.
    pub peers: Vec<crate::config::PeerConfig>,
    /// Set before loading by commands that never talk to peers (`rookery keys`, `audit`):
    /// peers' `token_env=`/`client_secret_env=` variables are then not read.
    pub skip_peer_secrets: bool,
    /// Longest one workflow part may take at a peer.
    pub peer_timeout_secs: u64,
    /// Attempts at one peer before its replica is tried.
    pub peer_attempts: u32,
    /// Where jobs run: `local` (this process's worker pool) or `slurm` (each job a Slurm batch
    /// job running `rookery run-job`; needs a shared file system and job store).
    pub executor: Executor,
    /// Settings of the Slurm executor.
    pub slurm: crate::config::SlurmConfig,
    /// Free space below which new jobs are refused (`min_free_space = 1GB`, `5%`, `0`).
    pub min_free_space: crate::freespace::MinFreeSpace,
    /// Connections, timeouts and request bodies of the HTTP server (see [`crate::limits`]).
    pub http: crate::limits::HttpLimits,
    /// Largest answer of a data query (EDR, DAP), refused with 413 before any data is read.
    pub max_answer_bytes: u64,
    /// Seconds an opened dataset of the data API stays open after its last use.
    pub data_cache_secs: u64,
    /// `Cache-Control: max-age` of data API answers (chunks, metadata, files, OPeNDAP).
    pub data_max_age_secs: u64,
    /// Size bound of the result cache (`result_cache_bytes`, `0` turns it off; see
    /// the jobs floor's `ResultCache`).
    pub result_cache_bytes: u64,
    /// Data operations estimated to read more decoded bytes are refused at submission
    /// (`max_read_bytes`, `0`: no limit; see the estimate module).
    pub max_read_bytes: u64,
    /// Data operations estimated to write more decoded bytes are refused at submission
    /// (`max_output_bytes`, `0`: no limit).
    pub max_output_bytes: u64,
    /// Merged results of `rookery check` (`.csv` or `.csv.gz`, from `rookery check merge`)
    /// shown to admins on the UI's usage page (`check_results`).
    pub check_results: Option<PathBuf>,
}

/// Where jobs run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Executor {
    /// This process's worker pool.
    #[default]
    Local,
    /// Slurm batch jobs.
    Slurm,
}

/// One trusted OpenID Connect issuer (`oidc_issuer = "<url> key=value ..."`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IssuerConfig {
    /// The issuer URL exactly as in the tokens' `iss` (discovery is `<url>/.well-known/openid-configuration`).
    pub url: String,
    /// Accepted `aud` values (default: `oidc_audience`).
    pub audiences: Vec<String>,
    /// Client whose roles `resource_access.<client>.roles` are read (Keycloak).
    pub roles_client: Option<String>,
    /// JWKS URL (default: from discovery).
    pub jwks_uri: Option<String>,
    /// RFC 7662 introspection endpoint (default: from discovery), used for opaque tokens when
    /// `client_id` and a secret are set.
    pub introspection_uri: Option<String>,
    /// Client credentials of this service for introspection.
    pub client_id: Option<String>,
    /// The client secret (from `client_secret_env=VAR`, or inline `client_secret=`).
    pub client_secret: Option<String>,
    /// Accept tokens whose audience is Keycloak's default `account`.
    pub allow_account_audience: bool,
}

impl std::fmt::Debug for IssuerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerConfig")
            .field("url", &self.url)
            .field("audiences", &self.audiences)
            .field("roles_client", &self.roles_client)
            .field("jwks_uri", &self.jwks_uri)
            .field("introspection_uri", &self.introspection_uri)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "(set)"))
            .field("allow_account_audience", &self.allow_account_audience)
            .finish()
    }
}

/// Limits of one principal; `None` fields fall back to the defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaOverride {
    /// Principal id: an API key id, `anonymous`, or `<issuer>#<sub>` for tokens.
    pub principal: String,
    /// Requests per minute (`rate=`; 0: unlimited).
    pub rate_limit: Option<u32>,
    /// Jobs accepted or running at once (`jobs=`; 0: unlimited).
    pub concurrent_jobs: Option<usize>,
    /// Output bytes per UTC day (`bytes=`, a size such as `10G`; 0: unlimited).
    pub daily_bytes: Option<u64>,
    /// Estimated bytes one request may read (`read=`, a size; 0: unlimited).
    pub max_read_bytes: Option<u64>,
    /// Estimated bytes one request may write (`output=`, a size; 0: unlimited).
    pub max_output_bytes: Option<u64>,
}

/// Identity settings: who may call (OIDC issuers besides API keys), what they may do, how much.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Trusted issuers (`oidc_issuer`, repeatable; several in one value separated by `;`).
    pub issuers: Vec<IssuerConfig>,
    /// Default accepted audiences (`oidc_audience`, comma-separated).
    pub audiences: Vec<String>,
    /// Token scope -> rookery permissions (`oidc_scope_map = "compute=jobs:execute,jobs:read:own; ..."`).
    /// The permission names themselves always map to themselves.
    pub scope_map: Vec<(String, Vec<String>)>,
    /// Keycloak role -> rookery permissions (`oidc_role_map`, same syntax).
    pub role_map: Vec<(String, Vec<String>)>,
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    pub leeway_secs: u64,
    /// Least time between two JWKS fetches of one issuer (an unknown `kid` triggers one).
    pub jwks_refresh_secs: u64,
    /// Timeout of discovery, JWKS and introspection requests.
    pub http_timeout_secs: u64,
    /// How long an active introspection answer is reused (capped by the token's `exp`).
    pub introspection_cache_secs: u64,
    /// Allow `http://` issuers other than loopback (tests, closed networks).
    pub allow_insecure_http: bool,
    /// Jobs accepted or running at once per principal (0: unlimited).
    pub concurrent_jobs: usize,
    /// Output bytes per principal per UTC day (0: unlimited).
    pub daily_bytes: u64,
    /// Per-principal limits (`quota = "<principal> rate=60 jobs=2 bytes=10G"`, repeatable).
    pub overrides: Vec<QuotaOverride>,
    /// The browser UI's sign-in at the first issuer (authorization code + PKCE).
    pub ui: UiClient,
}

/// The browser UI as a public OIDC client of the first `oidc_issuer` (`oidc_ui_client_id`,
/// `oidc_ui_scopes`, `oidc_ui_resource`); no sign-in button without a client id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiClient {
    /// The UI's public client id at the issuer (no secret: PKCE).
    pub client_id: Option<String>,
    /// Scopes asked for (space-separated; default `openid`).
    pub scopes: String,
    /// RFC 8707 resource indicator sent with the requests (gives the token rookery's audience
    /// at issuers that use them).
    pub resource: Option<String>,
}

impl Default for UiClient {
    fn default() -> Self {
        UiClient { client_id: None, scopes: "openid".into(), resource: None }
    }
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            issuers: Vec::new(),
            audiences: Vec::new(),
            scope_map: Vec::new(),
            role_map: Vec::new(),
            leeway_secs: 60,
            jwks_refresh_secs: 10,
            http_timeout_secs: 5,
            introspection_cache_secs: 60,
            allow_insecure_http: false,
            concurrent_jobs: 0,
            daily_bytes: 0,
            overrides: Vec::new(),
            ui: UiClient::default(),
        }
    }
}

/// The line up to a `#` that is outside double quotes (TOML: `"iss#sub"` is not a comment).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// `name=perm,perm; name=perm` -> pairs.
fn parse_map(key: &str, v: &str) -> Result<Vec<(String, Vec<String>)>, ConfigError> {
    let mut out = Vec::new();
    for item in v.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
        let Some((name, perms)) = item.split_once('=') else {
            return Err(ConfigError::Invalid(format!(
                "config: '{key}' entries look like 'name=permission,permission', not '{item}'"
            )));
        };
        let perms: Vec<String> =
            perms.split([',', ' ', '+']).map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect();
        for p in &perms {
            if !crate::scopes::is_permission(p) {
                return Err(ConfigError::Invalid(format!(
                    "config: '{key}': unknown permission '{p}' (known: {})",
                    crate::scopes::permission_names()
                )));
            }
        }
        out.push((name.trim().to_string(), perms));
    }
    Ok(out)
}

fn parse_issuer(item: &str) -> Result<IssuerConfig, ConfigError> {
    let mut words = item.split_whitespace();
    let url = words.next().unwrap_or("").trim_end_matches('/').to_string();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ConfigError::Invalid(format!(
            "config: 'oidc_issuer' must start with an https:// URL, not '{url}'"
        )));
    }
    let mut c = IssuerConfig { url, ..IssuerConfig::default() };
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(ConfigError::Invalid(format!("config: 'oidc_issuer' option '{w}' is not key=value")));
        };
        let list = || v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect::<Vec<_>>();
        match k {
            "audience" | "aud" => c.audiences = list(),
            "roles_client" => c.roles_client = Some(v.to_string()),
            "jwks_uri" => c.jwks_uri = Some(v.to_string()),
            "introspection" | "introspection_uri" => c.introspection_uri = Some(v.to_string()),
            "client_id" => c.client_id = Some(v.to_string()),
            "client_secret" => c.client_secret = Some(v.to_string()),
            "client_secret_env" => {
                c.client_secret = Some(std::env::var(v).map_err(|_| {
                    ConfigError::Invalid(format!("config: 'oidc_issuer' {}: environment variable {v} (client_secret_env) is not set", c.url))
                })?);
            }
            "allow_account_audience" => {
                c.allow_account_audience = crate::text::parse_bool(v)
                    .ok_or_else(|| ConfigError::Invalid(format!("config: 'allow_account_audience' must be true or false, not '{v}'")))?;
            }
            other => {
                return Err(ConfigError::Invalid(format!(
                    "config: unknown 'oidc_issuer' option '{other}' (known: audience, roles_client, jwks_uri, introspection, client_id, client_secret, client_secret_env, allow_account_audience)"
                )))
            }
        }
    }
    Ok(c)
}

fn parse_override(item: &str) -> Result<QuotaOverride, ConfigError> {
    let mut words = item.split_whitespace();
    let principal = words.next().unwrap_or("").to_string();
    if principal.is_empty() || principal.contains('=') {
        return Err(ConfigError::Invalid(format!(
            "config: 'quota' looks like '<principal> rate=60 jobs=2 bytes=10G', not '{item}'"
        )));
    }
    let mut q = QuotaOverride { principal, ..QuotaOverride::default() };
    for w in words {
        match w.split_once('=') {
            Some(("rate" | "rate_limit", v)) => q.rate_limit = Some(num("quota rate", v)?),
            Some(("jobs" | "concurrent_jobs", v)) => q.concurrent_jobs = Some(num("quota jobs", v)?),
            Some((k @ ("bytes" | "daily_bytes" | "read" | "max_read_bytes" | "output" | "max_output_bytes"), v)) => {
                let b =
                    crate::text::parse_size(v).map_err(|e| ConfigError::Invalid(format!("config: 'quota': {e}")))?;
                match k {
                    "bytes" | "daily_bytes" => q.daily_bytes = Some(b),
                    "read" | "max_read_bytes" => q.max_read_bytes = Some(b),
                    _ => q.max_output_bytes = Some(b),
                }
            }
            _ => {
                return Err(ConfigError::Invalid(format!(
                    "config: unknown 'quota' option '{w}' (known: rate=, jobs=, bytes=, read=, output=)"
                )))
            }
        }
    }
    Ok(q)
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1:5000".into(),
            data_dir: PathBuf::from("rookery-data"),
            db: None,
            open: false,
            workers: 2,
            max_queued: 100,
            retention_hours: 72.0,
            rate_limit: 600,
            public_url: None,
            wis2_centre_id: None,
            wis2_broker_credentials: None,
            max_attempts: 2,
            lease_secs: 60,
            sync_timeout_secs: 3600,
            identity: Identity::default(),
            peers: Vec::new(),
            skip_peer_secrets: false,
            peer_timeout_secs: 900,
            peer_attempts: 2,
            executor: Executor::Local,
            slurm: crate::config::SlurmConfig::default(),
            min_free_space: crate::freespace::MinFreeSpace::Default,
            http: crate::limits::HttpLimits::default(),
            max_answer_bytes: 512 << 20,
            result_cache_bytes: 5_000_000_000,
            max_read_bytes: 0,
            max_output_bytes: 0,
            data_cache_secs: 30,
            data_max_age_secs: 60,
            check_results: None,
        }
    }
}

/// Keys accepted in files and (upper-cased, `ROOKERY_` prefixed) in the environment.
pub const KEYS: &[&str] = &[
    "bind",
    "data_dir",
    "db",
    "open",
    "workers",
    "max_queued",
    "retention_hours",
    "rate_limit",
    "public_url",
    "wis2_centre_id",
    "wis2_broker_user",
    "wis2_broker_password",
    "max_attempts",
    "lease_secs",
    "sync_timeout_secs",
    "oidc_issuer",
    "oidc_audience",
    "oidc_scope_map",
    "oidc_role_map",
    "oidc_leeway_secs",
    "oidc_jwks_refresh_secs",
    "oidc_timeout_secs",
    "oidc_introspection_cache_secs",
    "oidc_allow_insecure_http",
    "oidc_ui_client_id",
    "oidc_ui_scopes",
    "oidc_ui_resource",
    "quota_concurrent_jobs",
    "quota_daily_bytes",
    "quota",
    "peer",
    "peer_timeout_secs",
    "peer_attempts",
    "executor",
    "slurm_options",
    "slurm_program",
    "min_free_space",
    "max_answer_bytes",
    "data_cache_secs",
    "data_max_age_secs",
    "result_cache_bytes",
    "max_read_bytes",
    "max_output_bytes",
    "check_results",
];

fn num<T: std::str::FromStr>(key: &str, v: &str) -> Result<T, ConfigError> {
    v.parse().map_err(|_| ConfigError::Invalid(format!("config: '{key}' must be a number, not '{v}'")))
}

impl Config {
    /// Sets one key.
    ///
    /// # Errors
    /// [`ConfigError::UnknownKey`], or [`ConfigError::Invalid`]: a value of the wrong type.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let v = value.trim().trim_matches('"');
        match key.trim() {
            "bind" => self.bind = v.to_string(),
            "data_dir" => self.data_dir = PathBuf::from(v),
            "db" => self.db = (!v.is_empty()).then(|| v.to_string()),
            "open" => {
                self.open = crate::text::parse_bool(v)
                    .ok_or_else(|| ConfigError::Invalid(format!("config: 'open' must be true or false, not '{v}'")))?;
            }
            "workers" => self.workers = num::<usize>(key, v)?.max(1),
            "max_queued" => self.max_queued = num(key, v)?,
            "max_answer_bytes" => {
                self.max_answer_bytes =
                    crate::text::parse_size(v).map_err(|e| ConfigError::Invalid(format!("config: '{key}': {e}")))?
            }
            "max_read_bytes" | "max_output_bytes" => {
                let b =
                    crate::text::parse_size(v).map_err(|e| ConfigError::Invalid(format!("config: '{key}': {e}")))?;
                if key.trim() == "max_read_bytes" {
                    self.max_read_bytes = b;
                } else {
                    self.max_output_bytes = b;
                }
            }
            "result_cache_bytes" => {
                self.result_cache_bytes =
                    crate::text::parse_size(v).map_err(|e| ConfigError::Invalid(format!("config: '{key}': {e}")))?
            }
            "data_cache_secs" => self.data_cache_secs = num(key, v)?,
            "data_max_age_secs" => self.data_max_age_secs = num(key, v)?,
            "check_results" => self.check_results = (!v.is_empty()).then(|| PathBuf::from(v)),
            "retention_hours" => self.retention_hours = num(key, v)?,
            "rate_limit" => self.rate_limit = num(key, v)?,
            "public_url" => self.public_url = (!v.is_empty()).then(|| v.trim_end_matches('/').to_string()),
            "wis2_centre_id" => self.wis2_centre_id = (!v.trim().is_empty()).then(|| v.trim().to_string()),
            "wis2_broker_user" => {
                let pw = self.wis2_broker_credentials.take().map(|c| c.password).unwrap_or_default();
                self.wis2_broker_credentials =
                    (!v.trim().is_empty()).then(|| BrokerCredentials { user: v.trim().to_string(), password: pw });
            }
            "wis2_broker_password" => {
                let user = self.wis2_broker_credentials.take().map(|c| c.user).unwrap_or_default();
                self.wis2_broker_credentials = Some(BrokerCredentials { user, password: v.to_string() });
            }
            "max_attempts" => self.max_attempts = num::<u32>(key, v)?.max(1),
            "lease_secs" => self.lease_secs = num::<u64>(key, v)?.max(2),
            "sync_timeout_secs" => self.sync_timeout_secs = num(key, v)?,
            "oidc_issuer" => {
                for item in v.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
                    let c = parse_issuer(item)?;
                    self.identity.issuers.retain(|i| i.url != c.url);
                    self.identity.issuers.push(c);
                }
            }
            "oidc_audience" => {
                self.identity.audiences =
                    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            }
            "oidc_scope_map" => self.identity.scope_map.extend(parse_map(key, v)?),
            "oidc_role_map" => self.identity.role_map.extend(parse_map(key, v)?),
            "oidc_leeway_secs" => self.identity.leeway_secs = num(key, v)?,
            "oidc_jwks_refresh_secs" => self.identity.jwks_refresh_secs = num(key, v)?,
            "oidc_timeout_secs" => self.identity.http_timeout_secs = num::<u64>(key, v)?.max(1),
            "oidc_introspection_cache_secs" => self.identity.introspection_cache_secs = num(key, v)?,
            "oidc_allow_insecure_http" => {
                self.identity.allow_insecure_http = crate::text::parse_bool(v).ok_or_else(|| {
                    ConfigError::Invalid(format!("config: 'oidc_allow_insecure_http' must be true or false, not '{v}'"))
                })?;
            }
            "oidc_ui_client_id" => self.identity.ui.client_id = (!v.is_empty()).then(|| v.to_string()),
            "oidc_ui_scopes" => self.identity.ui.scopes = v.split_whitespace().collect::<Vec<_>>().join(" "),
            "oidc_ui_resource" => self.identity.ui.resource = (!v.is_empty()).then(|| v.to_string()),
            "quota_concurrent_jobs" => self.identity.concurrent_jobs = num(key, v)?,
            "quota_daily_bytes" => {
                self.identity.daily_bytes =
                    crate::text::parse_size(v).map_err(|e| ConfigError::Invalid(format!("config: '{key}': {e}")))?
            }
            "peer" => {
                for item in v.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
                    let p = crate::config::parse_peer_with(item, !self.skip_peer_secrets)?;
                    self.peers.retain(|x| x.name != p.name);
                    self.peers.push(p);
                }
            }
            "peer_timeout_secs" => self.peer_timeout_secs = num(key, v)?,
            "executor" => {
                self.executor = match v {
                    "local" => Executor::Local,
                    "slurm" => Executor::Slurm,
                    other => {
                        return Err(ConfigError::Invalid(format!(
                            "config: 'executor' must be local or slurm, not '{other}'"
                        )))
                    }
                }
            }
            "slurm_options" => self.slurm.options = v.split_whitespace().map(String::from).collect(),
            "slurm_program" => self.slurm.program = (!v.is_empty()).then(|| PathBuf::from(v)),
            "peer_attempts" => self.peer_attempts = num::<u32>(key, v)?.max(1),
            "min_free_space" => {
                self.min_free_space = crate::freespace::MinFreeSpace::parse(v)
                    .map_err(|e| ConfigError::Invalid(format!("config: '{key}': {e}")))?;
            }
            "quota" => {
                for item in v.split([';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
                    let q = parse_override(item)?;
                    self.identity.overrides.retain(|o| o.principal != q.principal);
                    self.identity.overrides.push(q);
                }
            }
            k if crate::limits::KEYS.contains(&k) => self.http.set(k, v)?,
            other => return Err(ConfigError::UnknownKey { key: other.to_string() }),
        }
        Ok(())
    }

    /// Reads `key = value` lines (a `[section]` header line is ignored).
    ///
    /// # Errors
    /// [`ConfigError::Read`]: the file cannot be read; [`ConfigError::Malformed`]: a line is not
    /// `key = value`; [`ConfigError::At`]: a line's key or value is refused (the error of
    /// [`set`](Self::set), with the file and line).
    pub fn load_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        for (n, line) in text.lines().enumerate() {
            let line = strip_comment(line).trim();
            if line.is_empty() || line.starts_with('[') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(ConfigError::Malformed { path: path.to_path_buf(), line: n + 1 });
            };
            self.set(k, v).map_err(|e| ConfigError::At {
                path: path.to_path_buf(),
                line: n + 1,
                source: Box::new(e),
            })?;
        }
        Ok(())
    }

    /// Applies `ROOKERY_<KEY>` environment variables.
    ///
    /// # Errors
    /// The error of [`set`](Self::set) for the first value refused.
    pub fn load_env(&mut self) -> Result<(), ConfigError> {
        for k in KEYS.iter().chain(crate::limits::KEYS) {
            if let Ok(v) = std::env::var(format!("ROOKERY_{}", k.to_ascii_uppercase())) {
                self.set(k, &v)?;
            }
        }
        Ok(())
    }

    /// Directory of the WIS2 subscriber's state: standing jobs, duplicate records, jobs to
    /// announce, downloaded notified files (`inbox/`, readable by jobs).
    #[must_use]
    pub fn wis2_dir(&self) -> PathBuf {
        self.data_dir.join("wis2")
    }

    /// Directory of one job.
    #[must_use]
    pub fn job_dir(&self, id: &str) -> PathBuf {
        self.data_dir.join("jobs").join(id)
    }

    /// The SQLite job store: `db` when it is a path, else `rookery.sqlite` in the data directory.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        match &self.db {
            Some(d) if !crate::config::is_postgres_url(d) => PathBuf::from(d),
            _ => self.data_dir.join("rookery.sqlite"),
        }
    }

    /// The PostgreSQL job store's URL, when `db` is one.
    #[must_use]
    pub fn db_url(&self) -> Option<&str> {
        self.db.as_deref().filter(|d| crate::config::is_postgres_url(d))
    }

    /// The job store for messages: the PostgreSQL URL without its password, or the SQLite file.
    #[must_use]
    pub fn db_label(&self) -> String {
        self.db_url().map_or_else(|| self.db_path().display().to_string(), crate::config::redact_url)
    }
}

/// Settings of the Slurm executor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlurmConfig {
    /// Extra `sbatch` options (`slurm_options = "--partition=compute --mem=4G"`).
    pub options: Vec<String>,
    /// The rookery binary the batch jobs run (default: this executable).
    pub program: Option<PathBuf>,
}

/// Whether `db` names a PostgreSQL database (`postgres://` or `postgresql://`).
#[must_use]
pub fn is_postgres_url(db: &str) -> bool {
    let l = db.trim_start().to_ascii_lowercase();
    l.starts_with("postgres://") || l.starts_with("postgresql://")
}

/// A database URL fit for messages and logs: without the password (in the user part or a
/// `password=` parameter).
#[must_use]
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (auth_host, query) = rest.split_once('?').map_or((rest, None), |(a, q)| (a, Some(q)));
    let (authority, path) = auth_host.split_once('/').map_or((auth_host, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{user}@{host}")
        }
        None => authority.to_string(),
    };
    let mut out = if scheme.is_empty() { authority } else { format!("{scheme}://{authority}") };
    if let Some(p) = path {
        out.push('/');
        out.push_str(p);
    }
    if let Some(q) = query {
        let kept: Vec<&str> = q.split('&').filter(|kv| !kv.to_ascii_lowercase().starts_with("password=")).collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    out
}

/// Service identification shown in GetCapabilities.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    /// Service title (`ows:Title`).
    pub title: String,
    /// Service description (`ows:Abstract`).
    pub abstract_: String,
    /// Name of the organisation running the service (`ows:ProviderName`).
    pub provider_name: String,
    /// Web site of that organisation (`ows:ProviderSite`).
    pub provider_site: String,
}

impl Default for ServiceInfo {
    fn default() -> Self {
        ServiceInfo {
            title: "rookery".into(),
            abstract_: "rookery is a Web Processing Service (WPS) compatible with rook of the roocs project, \
                        for remote operations like subsetting on climate model data."
                .into(),
            provider_name: "rookery".into(),
            provider_site: "http://localhost:5000/".into(),
        }
    }
}

/// A WIS2 broker's user name and password (the password never shows in debug output).
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerCredentials {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl std::fmt::Debug for BrokerCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerCredentials").field("user", &self.user).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_values() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("rookery.toml");
        std::fs::write(&f, "# comment\n[server]\nbind = \"0.0.0.0:8080\"\nworkers = 4\nopen = true # yes\nquota = \"https://i#bob jobs=1\" # c\n").unwrap();
        let mut c = Config::default();
        c.load_file(&f).unwrap();
        assert_eq!(c.bind, "0.0.0.0:8080");
        assert_eq!(c.workers, 4);
        assert!(c.open);
        assert_eq!(c.identity.overrides[0].principal, "https://i#bob");
        assert!(c.set("colour", "red").unwrap_err().to_string().contains("unknown key"));
        assert!(c.set("workers", "many").is_err());
        assert_eq!(c.db_path(), c.data_dir.join("rookery.sqlite"));
        assert!(c.db_url().is_none());
        c.set("db", "jobs.sqlite").unwrap();
        assert_eq!(c.db_path(), PathBuf::from("jobs.sqlite"));
        c.set("db", "postgresql://u:secret@db.example:5432/rookery?password=x&sslmode=disable").unwrap();
        assert!(c.db_url().is_some());
        assert_eq!(c.db_label(), "postgresql://u@db.example:5432/rookery?sslmode=disable");
    }

    #[test]
    fn errors_by_variant() {
        let mut c = Config::default();
        assert!(matches!(c.set("colour", "red"), Err(ConfigError::UnknownKey { key }) if key == "colour"));
        let e = c.set("workers", "many").unwrap_err();
        assert!(matches!(e, ConfigError::Invalid(_)), "{e:?}");
        assert_eq!(e.to_string(), "config: 'workers' must be a number, not 'many'");
        assert!(matches!(c.set("max_connections", "0"), Err(ConfigError::Invalid(_))));
        assert!(
            matches!(c.set("quota_daily_bytes", "lots"), Err(ConfigError::Invalid(m)) if m == "config: 'quota_daily_bytes': 'lots' is not a size (e.g. 500M, 10G)")
        );
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("rookery.toml");
        std::fs::write(&f, "workers = 2\ncolour = red\n").unwrap();
        let e = c.load_file(&f).unwrap_err();
        assert!(matches!(&e, ConfigError::At { line: 2, .. }), "{e:?}");
        assert!(matches!(e.innermost(), ConfigError::UnknownKey { key } if key == "colour"));
        assert!(e.to_string().starts_with("config: unknown key 'colour' (known: bind, "), "{e}");
        assert!(e.to_string().ends_with(&format!(" ({}:2)", f.display())), "{e}");
        std::fs::write(&f, "workers\n").unwrap();
        let e = c.load_file(&f).unwrap_err();
        assert!(matches!(&e, ConfigError::Malformed { line: 1, .. }), "{e:?}");
        assert_eq!(e.to_string(), format!("config: {}:1: expected 'key = value'", f.display()));
        let e = c.load_file(&d.path().join("none.toml")).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
            "{e:?}"
        );
    }

    #[test]
    fn identity_keys() {
        let mut c = Config::default();
        c.set("oidc_issuer", "https://kc.example/realms/esgf/ audience=rookery-api roles_client=rookery client_id=rookery client_secret=s3cret; https://auth.globus.org").unwrap();
        c.set("oidc_audience", "rookery-api, other").unwrap();
        c.set("oidc_role_map", "rookery-admin=admin; rookery-user=jobs:execute,jobs:read:own").unwrap();
        c.set("quota", "https://kc.example/realms/esgf#alice rate=60 jobs=2 bytes=1.5G").unwrap();
        c.set("quota_daily_bytes", "10GiB").unwrap();
        let id = &c.identity;
        assert_eq!(id.issuers.len(), 2);
        assert_eq!(id.issuers[0].url, "https://kc.example/realms/esgf");
        assert_eq!(id.issuers[0].roles_client.as_deref(), Some("rookery"));
        assert!(!format!("{c:?}").contains("s3cret"), "the client secret never shows in Debug");
        assert_eq!(id.audiences, ["rookery-api", "other"]);
        assert_eq!(id.role_map[1].1, ["jobs:execute", "jobs:read:own"]);
        assert_eq!(id.overrides[0].daily_bytes, Some(1_500_000_000));
        assert_eq!(id.overrides[0].concurrent_jobs, Some(2));
        assert_eq!(id.daily_bytes, 10 * 1024 * 1024 * 1024);
        assert!(c.set("oidc_role_map", "x=root").unwrap_err().to_string().contains("unknown permission"));
        assert!(c.set("oidc_issuer", "ftp://x").is_err());
        assert!(c
            .set("oidc_issuer", "https://x colour=red")
            .unwrap_err()
            .to_string()
            .contains("unknown 'oidc_issuer' option"));
    }
}
