//! Briefings: the model (`Briefing`, `Section`, `SectionKey`), the section catalogue that maps
//! headings to keys, the parser for `.md`/`.txt` files, the library that loads a folder, the
//! search index over it, and what members' commands answer (`answers`).
//!
//! [`Content`] is what the bot serves at one moment: library, load report, search index and the
//! cache of rendered answers, built together and swapped whole on reload.

pub mod answers;
mod catalog;
mod content;
mod front_matter;
mod library;
mod model;
mod parse;
pub mod search;
mod title;

pub use catalog::{SectionCatalog, SectionDef};
pub use content::{AnswerCache, Content, ANSWER_CACHE_BYTES};
pub use library::{Library, LoadReport, OutsideLink, Symlinks};
pub use model::{Briefing, Section, SectionKey};
pub use parse::{parse_briefing, ParseError, ParseInput, SourceKind, MAX_SECTION_CHARS};
