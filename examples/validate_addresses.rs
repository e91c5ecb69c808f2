//! Validates one address per line of a file with the program's username
//! rules, writes one verdict per line (`ok` or the reason code) and prints
//! the time per address. Used by `benches/compare-email-validator.sh`.
//!
//! `validate_addresses ADDRESSES VERDICTS [ROUNDS]`

use std::io::Write;
use std::time::Instant;

use hybrid_setup::domain::username::validate;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: validate_addresses ADDRESSES VERDICTS [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(20);
    let text = std::fs::read_to_string(input)?;
    let addresses: Vec<&str> = text.lines().collect();

    // The same work as the other validator: one address at a time, one core.
    let started = Instant::now();
    let mut valid = 0usize;
    for _ in 0..rounds {
        valid = addresses
            .iter()
            .filter(|a| validate(std::hint::black_box(a)).is_ok())
            .count();
    }
    let elapsed = started.elapsed();
    let per_address_ns = elapsed.as_nanos() as f64 / f64::from(rounds) / addresses.len() as f64;

    let mut out = std::io::BufWriter::new(std::fs::File::create(output)?);
    for address in &addresses {
        match validate(address) {
            Ok(()) => writeln!(out, "ok")?,
            Err(reason) => writeln!(out, "{}", reason.code())?,
        }
    }
    out.flush()?;
    println!(
        "{{\"addresses\": {}, \"valid\": {valid}, \"rounds\": {rounds}, \"ns_per_address\": {per_address_ns:.1}}}",
        addresses.len()
    );
    Ok(())
}
