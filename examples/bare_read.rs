//! The baseline for `scripts/bench.sh`: the least any reader of a CSV file must do. It reads every
//! record of the file with the csv crate (reusing one record, validating UTF-8, as kpi's reader
//! does) and prints the record and field counts, and nothing else.

fn main() -> Result<(), csv::Error> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: bare_read FILE");
        std::process::exit(2)
    });
    let mut reader = csv::Reader::from_path(path)?;
    let mut record = csv::StringRecord::new();
    let (mut records, mut fields) = (0u64, 0u64);
    while reader.read_record(&mut record)? {
        records += 1;
        fields += record.len() as u64;
    }
    println!("{records} records, {fields} fields");
    Ok(())
}
