//! `portcullis catalog check` and `show`: the binary, as an operator runs it.

use std::process::{Command, Output};

fn portcullis(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_shipped_catalog_checks_and_says_what_it_declares() {
    for (file, summary) in [
        (
            "../catalogs/neutree.toml",
            "25 permissions (10 of the platform's, 15 built in), 4 roles, 2 token scopes, 0 aliases",
        ),
        (
            "../catalogs/adaptive.toml",
            "29 permissions (14 of the platform's, 15 built in), 5 roles, 0 token scopes, 3 aliases",
        ),
        (
            "../catalogs/bentocloud.toml",
            "28 permissions (13 of the platform's, 15 built in), 2 roles, 2 token scopes, 0 aliases",
        ),
        (
            "../catalogs/neptune.toml",
            "24 permissions (9 of the platform's, 15 built in), 5 roles, 0 token scopes, 0 aliases",
        ),
    ] {
        let output = portcullis(&["catalog", "check", file]);
        assert!(output.status.success(), "{file}: {}", text(&output.stderr));
        assert!(text(&output.stdout).contains(summary), "{file}: {}", text(&output.stdout));
    }
}

#[test]
fn a_mistake_is_named_by_file_line_and_key_and_fails_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(
        &file,
        "name = \"mine\"\ntitle = \"Mine\"\n\n[[resource]]\nkey = \"job\"\nname = \"Jobs\"\nscope = \"workspace\"\n\
         actions = [{ key = \"run\", description = \"Run jobs\" }]\n\n[[role]]\nkey = \"runner\"\nname = \"Runner\"\n\
         permissions = [\"job:run\", \"job:fly\"]\n\n[[resource]]\nkey = \"audit\"\nname = \"Audit\"\nscope = \"global\"\n\
         actions = [{ key = \"erase\", description = \"Erase it\" }]\n",
    )
    .unwrap();
    let path = file.to_string_lossy().into_owned();
    let output = portcullis(&["catalog", "check", &path]);
    assert_eq!(output.status.code(), Some(1));
    let errors = text(&output.stderr);
    assert!(errors.contains(&format!("{path}:16: `audit`: is Portcullis's own resource")), "{errors}");
    assert!(errors.contains(&format!("{path}:13: `job:fly`: names no permission of this catalog")), "{errors}");
    assert!(output.stdout.is_empty());

    let missing = portcullis(&["catalog", "check", "no-such-file.toml"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("the presets are neutree, adaptive, bentocloud, neptune"));
}

#[test]
fn what_show_prints_is_a_catalog_that_checks_the_same() {
    let shown = portcullis(&["catalog", "show", "adaptive"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let printed = text(&shown.stdout);
    assert!(printed.contains("#   policy:manage (Workspace): Grant and revoke access"), "{printed}");
    assert!(printed.contains("key = \"admin:manage_roles\"\nof = \"role:manage\""), "{printed}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shown.toml");
    std::fs::write(&file, &printed).unwrap();
    let checked = portcullis(&["catalog", "check", &file.to_string_lossy()]);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert!(text(&checked.stdout).contains("29 permissions (14 of the platform's, 15 built in), 5 roles"));
    // Wildcards come out expanded (Neptune's owner has `run:*`).
    let neptune = text(&portcullis(&["catalog", "show", "neptune"]).stdout);
    assert!(neptune.contains("\"run:read\", \"run:write\", \"run:create\""), "{neptune}");
    assert!(!neptune.contains(":*"), "{neptune}");
    // Without a name: the default preset.
    assert!(text(&portcullis(&["catalog", "show"]).stdout).contains("name = \"neutree\""));
}
