//! The README's layout section is the tree: every path it names exists,
//! every source folder is named, and each folder's entry names its modules.

use std::{collections::BTreeMap, fs, path::Path};

/// Folders whose entry describes its modules as a kind ("one module per page").
const DESCRIBED_AS_A_KIND: &[&str] = &["app/src/ui/pages/", "app/src/api/"];
/// Module files an entry need not name.
const ROOT_FILES: &[&str] = &["mod", "lib", "main"];

fn layout_entries(readme: &str) -> BTreeMap<String, String> {
    let section = readme.split("## Layout").nth(1).expect("README.md has a Layout section");
    let block = section.split("```").nth(1).expect("the Layout section has a code block");
    let mut entries = BTreeMap::new();
    let mut current = String::new();
    for line in block.lines().skip(1) {
        if line.starts_with(' ') {
            entries.entry(current.clone()).and_modify(|d: &mut String| d.push_str(line));
        } else if let Some((path, description)) = line.split_once(' ') {
            current = path.to_owned();
            entries.insert(current.clone(), description.to_owned());
        }
    }
    entries
}

fn folders(root: &Path, relative: &str, found: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(relative)) else { return };
    for entry in entries.flatten() {
        if entry.path().is_dir() {
            let name = format!("{relative}{}/", entry.file_name().to_string_lossy());
            found.push(name.clone());
            folders(root, &name, found);
        }
    }
}

fn names_word(description: &str, word: &str) -> bool {
    description.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(|w| w == word)
}

#[test]
fn readme_layout_is_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let entries = layout_entries(&fs::read_to_string(root.join("README.md")).unwrap());
    let mut wrong = Vec::new();
    for path in entries.keys() {
        if !root.join(path).exists() {
            wrong.push(format!("{path} is named but does not exist"));
        }
    }
    let mut sources = vec!["app/src/".to_owned(), "server/src/".to_owned()];
    folders(root, "app/src/", &mut sources);
    folders(root, "server/src/", &mut sources);
    for folder in &sources {
        let Some(description) = entries.get(folder) else {
            wrong.push(format!("{folder} is not in the layout"));
            continue;
        };
        if DESCRIBED_AS_A_KIND.contains(&folder.as_str()) {
            continue;
        }
        for file in fs::read_dir(root.join(folder)).unwrap().flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            let Some(module) = name.strip_suffix(".rs") else { continue };
            if !ROOT_FILES.contains(&module) && !names_word(description, module) {
                wrong.push(format!("{folder}{name} is not named in its folder's entry"));
            }
        }
    }
    assert!(wrong.is_empty(), "README.md's layout differs from the tree:\n{}", wrong.join("\n"));
}
