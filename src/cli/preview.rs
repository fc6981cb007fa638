//! `briefbot preview`: prints what the bot would post for a briefing or one section, as text
//! for a person or as the exact Discord payloads (`--format json`).

use super::{load_config, load_library, ConfigArg, Outcome};
use crate::briefings::{Briefing, Library};
use crate::render;
use clap::ValueEnum;
use std::io::Write;

#[derive(Debug, clap::Args)]
pub struct PreviewArgs {
    /// Briefing id (as listed by `check`), or `latest`.
    pub briefing: String,
    /// Only this section: a key such as `whats_next`, or any heading alias.
    #[arg(long, value_name = "KEY")]
    pub section: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub config: ConfigArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn run(args: &PreviewArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let config = load_config(&args.config)?;
    let (library, report) = load_library(&config)?;
    for error in &report.errors {
        tracing::warn!(%error, "skipped briefing");
    }
    let Some(briefing) = find(&library, &args.briefing) else {
        writeln!(
            out,
            "no briefing `{}`; briefings: {}",
            args.briefing,
            list_ids(&library)
        )?;
        return Ok(Outcome::Problems);
    };
    let payloads = match &args.section {
        None => render::render_briefing(briefing),
        Some(wanted) => {
            let key = config.sections.key_for_name(wanted);
            let section = briefing
                .section(key.as_str())
                .or_else(|| briefing.section(wanted));
            match section {
                Some(section) => render::render_section(briefing, section),
                None => {
                    let keys: Vec<&str> =
                        briefing.sections.iter().map(|s| s.key.as_str()).collect();
                    writeln!(
                        out,
                        "briefing `{}` has no section `{wanted}`; its sections: {}",
                        briefing.id,
                        keys.join(", ")
                    )?;
                    return Ok(Outcome::Problems);
                }
            }
        }
    };
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&payloads)?)?,
        Format::Text => write!(out, "{}", render::to_text(&payloads))?,
    }
    Ok(Outcome::Ok)
}

fn find<'a>(library: &'a Library, wanted: &str) -> Option<&'a Briefing> {
    if wanted.eq_ignore_ascii_case("latest") {
        return library.latest().map(|b| &**b);
    }
    library.get(wanted).map(|b| &**b)
}

/// The first ids, so a typo can be corrected without another command.
fn list_ids(library: &Library) -> String {
    const SHOWN: usize = 10;
    if library.is_empty() {
        return "none (the briefings folder is empty)".into();
    }
    let ids: Vec<&str> = library
        .newest_first()
        .take(SHOWN)
        .map(|b| b.id.as_str())
        .collect();
    let more = library.len().saturating_sub(SHOWN);
    if more > 0 {
        format!("{} and {more} more", ids.join(", "))
    } else {
        ids.join(", ")
    }
}
