//! Readers at the edge: the catalog and config from YAML and measurements from CSV, into the core
//! model. Only this module knows YAML and CSV.

pub mod baseline;
pub mod catalog;
pub mod config;
pub(crate) mod config_edit;
pub mod measurements;
pub mod problem;
pub mod schema;
pub(crate) mod template;
mod yaml;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use problem::{Problem, ValidationError};

/// Catalog and config files larger than this are refused before parsing: real ones are a few KiB,
/// and a parser should not be handed an accidental multi-gigabyte file.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Why a catalog or config file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{}`: {cause}", crate::core::text::printable(.file))]
    Read { file: String, cause: io::Error },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Reads a catalog or config file as UTF-8 text, refusing one over [`MAX_FILE_BYTES`].
pub(crate) fn read_text(path: &Path) -> Result<String, LoadError> {
    let file = path.display().to_string();
    let read_error = |cause| LoadError::Read { file: file.clone(), cause };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        let message = format!(
            "the file is larger than {} MiB; a catalog or config is a few KiB, so check the path",
            MAX_FILE_BYTES / (1024 * 1024)
        );
        return Err(ValidationError::new(
            &file,
            vec![Problem::new("file-too-large", None, message)],
        )
        .into());
    }
    String::from_utf8(bytes).map_err(|_| {
        let message = "the file is not valid UTF-8; save it as UTF-8";
        ValidationError::new(&file, vec![Problem::new("not-utf8", None, message)]).into()
    })
}
