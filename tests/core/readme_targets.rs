//! The README's "Delivery targets" table says what each target needs; the code decides it
//! (`Target::permissions`). They must not drift: an admin grants what the README says.

use briefbot::digests::{ForumPost, Identity, Target, ThreadTarget};
use std::path::Path;

/// The table's first cell for each target the README documents.
fn documented() -> Vec<(&'static str, Target)> {
    let forum = |identity| Target::Forum {
        post: ForumPost::Digest,
        tags: false,
        identity,
    };
    let named = Identity {
        username: Some("Sahel Brief".into()),
        avatar_url: None,
    };
    vec![
        ("`channel`", Target::Channel),
        ("`forum`", forum(None)),
        ("`forum` with `username`", forum(Some(named.clone()))),
        (
            "`thread` with `thread_id`",
            Target::Thread(ThreadTarget::Existing { thread_id: 1 }),
        ),
        (
            "`thread` with `open_thread`",
            Target::Thread(ThreadTarget::OpenUnderEach),
        ),
        ("`webhook`", Target::Webhook(named)),
    ]
}

/// The rows of the table whose header starts `| target | permissions |`: first cell, second.
fn table_rows(readme: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in readme.lines() {
        if line.starts_with("| target | permissions |") {
            in_table = true;
            continue;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        rows.push((cells[1].to_string(), cells[2].to_string()));
    }
    rows
}

#[test]
fn the_readme_names_what_each_target_needs_as_the_code_does() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let rows = table_rows(&std::fs::read_to_string(path).unwrap());
    let expected: Vec<(String, String)> = documented()
        .into_iter()
        .map(|(cell, target)| (cell.to_string(), target.permissions().to_string()))
        .collect();
    assert_eq!(rows, expected, "README.md, Delivery targets");
}
