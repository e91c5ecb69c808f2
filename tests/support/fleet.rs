//! Several Directors for the window: `hq` (the open one, green), `red` (an
//! alert) and `web` (a real Director's shape: its web interface only, with
//! 120 users), each set up before; the other two's passwords are in the
//! test's keyring, where opening each once in the window leaves them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use egui_kittest::Harness;
use hybrid_setup::client::http::{ClientOptions, RetryPolicy};
use hybrid_setup::domain::alarm::Notification;
use hybrid_setup::domain::director_kind::DirectorKind;
use hybrid_setup::domain::secret::Secret;
use hybrid_setup::domain::wizard::{Progress, Step};
use hybrid_setup::service::monitor::MonitorConfig;
use hybrid_setup::sim::{self, RunningSim, SimConfig, data, world};
use hybrid_setup::store::secret_store::{MemoryStore, SecretKey, SecretStore};
use hybrid_setup::store::settings::{DirectorTarget, SavedDirector, Settings, SettingsStore};
use hybrid_setup::ui::app::HybridApp;

use super::walks::Look;

pub struct Fleet {
    pub runtime: tokio::runtime::Runtime,
    pub hq: RunningSim,
    pub red: RunningSim,
    pub web: RunningSim,
    pub store: SettingsStore,
    pub secrets: Arc<MemoryStore>,
    /// The desktop notifications the window showed.
    pub told: Arc<Mutex<Vec<Notification>>>,
    _home: tempfile::TempDir,
}

/// A Director's setup, done, with `account` as its Account ID and name.
pub fn provisioned(account: &str) -> Progress {
    let mut progress = Progress::default();
    progress.go(Step::Done);
    progress.provisioned = true;
    progress.account_id = account.into();
    progress.account_name = account.into();
    progress
}

/// How the Directors view names a simulator: its host and port.
pub fn host_of(url: &str) -> String {
    url.trim_start_matches("http://").to_string()
}

impl Fleet {
    pub fn start() -> Fleet {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let contract = || {
            runtime
                .block_on(sim::start(
                    SimConfig::demo(),
                    "127.0.0.1:0".parse().expect("addr"),
                ))
                .expect("simulator")
        };
        let (hq, red) = (contract(), contract());
        super::sync_with(&hq, None);
        super::sync_with(&red, Some("revoked-token"));
        let web = runtime.block_on(super::web_only_sim(
            data::generate(120, data::Mix::Fixable, 7),
            false,
        ));

        let home = tempfile::tempdir().expect("home");
        let store = SettingsStore::new(home.path());
        let mut settings = Settings {
            director: DirectorTarget::Url(hq.url()),
            ..Settings::default()
        };
        settings.progress = provisioned("HQ");
        for (sim, account) in [(&red, "RED"), (&web, "WEB")] {
            settings.other_directors.push(SavedDirector {
                director: DirectorTarget::Url(sim.url()),
                director_login: "admin".into(),
                portal_url: String::new(),
                progress: provisioned(account),
            });
        }
        settings.remember_director_kind(&web.url(), DirectorKind::Web);
        store.save(&settings).expect("settings");
        let secrets = Arc::new(MemoryStore::default());
        for sim in [&red, &web] {
            let key = SecretKey::DirectorPassword {
                director: sim.url(),
                login: "admin".into(),
            };
            secrets
                .put(&key.entry_name(), &Secret::new(world::DEMO_ADMIN_PASSWORD))
                .expect("put");
        }
        Fleet {
            runtime,
            hq,
            red,
            web,
            store,
            secrets,
            told: Arc::default(),
            _home: home,
        }
    }

    /// The window on `hq`, polling quickly.
    pub fn window(&self, look: Look) -> Harness<'static, HybridApp> {
        self.window_with(look, |_| {})
    }

    /// [`Fleet::window`], its configuration changed by `change` first.
    pub fn window_with(
        &self,
        look: Look,
        change: impl FnOnce(&mut hybrid_setup::ui::app::AppConfig),
    ) -> Harness<'static, HybridApp> {
        let (loaded, _) = self.store.load().settings();
        let mut config = super::app_config(&self.hq.url(), self.store.clone(), loaded, false);
        let told = self.told.clone();
        config.notify = Some(Arc::new(move |n| {
            told.lock().expect("told").push(n);
        }));
        config.monitor = MonitorConfig {
            poll_every: Duration::from_millis(300),
            first_retry: Duration::from_millis(200),
            max_backoff: Duration::from_secs(1),
        };
        change(&mut config);
        let options = ClientOptions {
            retry: RetryPolicy {
                attempts: 2,
                first_delay: Duration::from_millis(20),
                max_delay: Duration::from_millis(50),
            },
            ..ClientOptions::default()
        };
        super::window_with_secrets(
            self.runtime.handle(),
            options,
            config,
            look,
            self.secrets.clone(),
        )
    }

    /// A simulated Director more (contract), for a test to add.
    pub fn another(&self) -> RunningSim {
        self.runtime
            .block_on(sim::start(
                SimConfig::demo(),
                "127.0.0.1:0".parse().expect("addr"),
            ))
            .expect("simulator")
    }

    pub fn stop(self) {
        for sim in [self.hq, self.red, self.web] {
            self.runtime.block_on(sim.stop());
        }
    }
}
