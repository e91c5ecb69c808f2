//! Writes a users CSV with the simulator's realistic mix of problems, for
//! audits and benchmarks at scale:
//! `cargo run --release --example generate_users -- 1000000 > users-1m.csv`

use std::io::{BufWriter, Write};

use hybrid_setup::sim::data::{self, Mix};

fn main() -> std::io::Result<()> {
    let count: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: generate_users [COUNT]  ({e})");
            std::process::exit(2);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut writer = csv::Writer::from_writer(&mut out);
    writer.write_record([
        "user_dn",
        "first_name",
        "last_name",
        "client_username",
        "email",
    ])?;
    for user in data::generate(count, Mix::Realistic, 42) {
        writer.write_record([
            &user.user_dn,
            &user.first_name,
            &user.last_name,
            &user.client_username,
            &user.email,
        ])?;
    }
    writer.flush()?;
    drop(writer);
    out.flush()
}
