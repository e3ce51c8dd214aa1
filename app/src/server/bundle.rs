//! The browser bundle's files as a release build names them. cargo-leptos
//! lists the hashed names in `hash.txt` beside the binary, and the split
//! manifest (`pkg/__wasm_split_manifest.<hash>.json`) says which wasm
//! files each chunk of pages needs.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::OnceLock,
};

/// Where cargo-leptos writes the bundle's hashed names (beside the binary).
pub const HASH_FILE: &str = "hash.txt";

/// `hash.txt` beside this binary, when a release build wrote one.
pub fn hash_file() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join(HASH_FILE);
    path.is_file().then_some(path)
}

/// The hash `hash.txt` gives the file of `kind` (`wasm`, `js`, `css`,
/// `manifest`, `split`), in lines such as `wasm: 3K7eb0W_Qkc_FiCNIowZSQ`.
pub fn hash_of(kind: &str) -> Option<String> {
    let hashes = std::fs::read_to_string(hash_file()?).ok()?;
    find_hash(&hashes, kind)
}

fn find_hash(hashes: &str, kind: &str) -> Option<String> {
    hashes.lines().find_map(|line| {
        let (name, hash) = line.split_once(':')?;
        (name.trim() == kind).then(|| hash.trim().to_owned())
    })
}

/// Which files each chunk of pages needs, read once from the split
/// manifest of the bundle in `site_root`.
#[derive(Debug, Default)]
pub struct ChunkFiles {
    /// The loader that fetches chunks (`__wasm_split.<hash>.js`).
    pub loader: String,
    by_chunk: HashMap<String, Vec<String>>,
}

impl ChunkFiles {
    /// The bundle's manifest; none when the bundle was not split (tests,
    /// `cargo run` without cargo-leptos).
    pub fn of_site(site_root: &Path) -> Option<&'static ChunkFiles> {
        static FILES: OnceLock<Option<ChunkFiles>> = OnceLock::new();
        FILES.get_or_init(|| Self::read(site_root, hash_of("manifest"), hash_of("split"))).as_ref()
    }

    fn read(site_root: &Path, manifest_hash: Option<String>, loader_hash: Option<String>) -> Option<ChunkFiles> {
        let manifest = manifest_hash.map_or_else(
            || "__wasm_split_manifest.json".to_owned(),
            |hash| format!("__wasm_split_manifest.{hash}.json"),
        );
        let text = std::fs::read_to_string(site_root.join("pkg").join(manifest)).ok()?;
        let by_chunk = serde_json::from_str(&text).ok()?;
        let loader = loader_hash.map_or_else(
            || "__wasm_split.______________________.js".to_owned(),
            |hash| format!("__wasm_split.{hash}.js"),
        );
        Some(ChunkFiles { loader, by_chunk })
    }

    /// The wasm files (without `.wasm`) the chunk made from the function
    /// `chunk` needs. The manifest names it `{chunk}_{hash of where the
    /// function is written}`.
    pub fn of_chunk(&self, chunk: &str) -> &[String] {
        let prefix = format!("{chunk}_");
        self.by_chunk
            .iter()
            .find(|(name, _)| name.strip_prefix(&prefix).is_some_and(|hash| hash.bytes().all(|b| b.is_ascii_digit())))
            .map_or(&[], |(_, files)| files.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_hash_by_kind() {
        let hashes = "js: abc\nwasm: 3K7eb0W_Qkc\nmanifest: xyz\n";
        assert_eq!(find_hash(hashes, "wasm").as_deref(), Some("3K7eb0W_Qkc"));
        assert_eq!(find_hash(hashes, "css"), None);
    }

    #[test]
    fn a_chunk_is_found_by_its_function_name_only() {
        let files = ChunkFiles {
            loader: String::new(),
            by_chunk: HashMap::from([
                ("people_chunk_2369".to_owned(), vec!["chunk_1".to_owned(), "split_people".to_owned()]),
                ("people_chunk_extra_77".to_owned(), vec!["chunk_2".to_owned()]),
            ]),
        };
        assert_eq!(files.of_chunk("people_chunk"), ["chunk_1", "split_people"]);
        assert!(files.of_chunk("access_chunk").is_empty());
    }
}
