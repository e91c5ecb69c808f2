//! `hybrid-setup sim`: the simulated Director + Connect Portal, standalone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::fail;
use crate::service::audit::sources::CsvFile;
use crate::sim::{self, SimConfig, data};

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub addr: SocketAddr,
    /// Users from a CSV file (header user_dn,first_name,last_name,client_username,email[,did,escalation_delivery]).
    #[arg(long, conflicts_with = "generate")]
    pub users: Option<PathBuf>,
    /// Generate this many users with a realistic mix of problems.
    #[arg(long)]
    pub generate: Option<usize>,
    /// Seconds between Connect Sync cycles (real Directors: about 300).
    #[arg(long = "sync-interval", default_value_t = sim::DEFAULT_SYNC_INTERVAL_SECS, value_parser = clap::value_parser!(u64).range(1..))]
    pub sync_interval: u64,
    /// Keep the simulated world in this file across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Director build number to report.
    #[arg(long, default_value = sim::DEFAULT_BUILD)]
    pub build: String,
    /// Serve HTTPS with a new self-signed certificate (as many Directors do);
    /// its SHA-256 fingerprint is printed to compare with what the program shows.
    #[arg(long)]
    pub tls: bool,
    /// Play a real Director: serve only its known web interface (login form,
    /// user list and JSON, /dm pages) — no contract routes, no Portal.
    #[arg(long = "web-only")]
    pub web_only: bool,
    /// With the web interface: keep the CSRF token only in the session
    /// cookie, as older Director builds do.
    #[arg(long = "csrf-in-cookie")]
    pub csrf_in_cookie: bool,
    /// Serve this many separate Directors, each on a free port of its own
    /// (for load tests, e.g. the exporter's); one address per line.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=2000), conflicts_with_all = ["state", "tls"])]
    pub count: u16,
}

pub async fn run(args: SimArgs) -> ExitCode {
    let users = match (&args.users, args.generate) {
        (Some(path), _) => match CsvFile(path.clone()).read_as(|user| user) {
            Ok(users) => users,
            Err(e) => return fail(2, e),
        },
        (None, Some(n)) => data::generate(n, data::Mix::Realistic, 42),
        (None, None) => data::generate(250, data::Mix::Fixable, 42),
    };
    if let Err(e) = args.build.parse::<crate::domain::BuildNumber>() {
        return fail(2, format!("--build: {e}"));
    }
    let tls = if args.tls {
        match sim::SimTls::generate() {
            Ok(tls) => Some(tls),
            Err(e) => return fail(2, e),
        }
    } else {
        None
    };
    let config = SimConfig {
        users,
        sync_interval_secs: args.sync_interval,
        build: args.build,
        demo_account: true,
        state_file: args.state,
        tls,
        web_mode: sim::server::WebMode {
            only: args.web_only,
            csrf_in_cookie: args.csrf_in_cookie,
        },
    };
    if !args.addr.ip().to_canonical().is_loopback() {
        eprintln!(
            "warning: listening on {} — other computers can reach this simulator and sign in with its \
             published demo passwords. Use 127.0.0.1 unless that is what you want.",
            args.addr
        );
    }
    let web_only = args.web_only;
    if args.count > 1 {
        return serve_many(config, args.addr, args.count).await;
    }
    let running = match sim::start(config, args.addr).await {
        Ok(running) => running,
        Err(e) => return fail(2, e),
    };
    println!("{}", running.url());
    if let Some(fingerprint) = running.certificate {
        eprintln!("Self-signed certificate, SHA-256 {fingerprint}");
    }
    eprintln!("{}", banner(&running.url(), web_only));
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    ExitCode::SUCCESS
}

/// What the simulator serves, said on start: a real Director's web
/// interface only (no Portal, no contract) with `--web-only`.
fn banner(url: &str, web_only: bool) -> String {
    if web_only {
        return format!(
            "Simulated real Director (its web interface only: login, users, Monitoring > Services) at {url} (Ctrl+C stops it).\n  Director admin: admin / {}",
            sim::world::DEMO_ADMIN_PASSWORD
        );
    }
    format!(
        "Simulated Director + Connect Portal at {url} (Ctrl+C stops it).\n  Director admin: admin / {}\n  Existing Portal account \"Acme Corporation\": {} / {} (Decision Maker), {} / {} (Phone Manager)",
        sim::world::DEMO_ADMIN_PASSWORD,
        sim::world::DEMO_DECISION_MAKER,
        sim::world::DEMO_PORTAL_PASSWORD,
        sim::world::DEMO_PHONE_MANAGER,
        sim::world::DEMO_PORTAL_PASSWORD,
    )
}

/// `--count N`: N simulated Directors on free ports of `addr`'s address.
async fn serve_many(config: SimConfig, addr: SocketAddr, count: u16) -> ExitCode {
    if addr.port() != 0 {
        return fail(
            2,
            "--count: give --addr with port 0; each Director gets a free port",
        );
    }
    let mut running = Vec::with_capacity(count.into());
    let mut out = String::new();
    for _ in 0..count {
        match sim::start(config.clone(), addr).await {
            Ok(sim) => {
                out.push_str(&sim.url());
                out.push('\n');
                running.push(sim);
            }
            Err(e) => return fail(2, e),
        }
    }
    print!("{out}");
    eprintln!(
        "{count} simulated Directors (admin / {}); Ctrl+C stops them.",
        sim::world::DEMO_ADMIN_PASSWORD
    );
    let _ = tokio::signal::ctrl_c().await;
    for sim in running {
        sim.stop().await;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_web_only_banner_names_only_what_it_serves() {
        let web = super::banner("http://127.0.0.1:1", true);
        assert!(web.contains("web interface only"), "{web}");
        assert!(!web.contains("Portal"), "no Portal accounts: {web}");
        let both = super::banner("http://127.0.0.1:1", false);
        assert!(both.contains("Decision Maker"), "{both}");
    }
}
