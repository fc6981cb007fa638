//! Briefings: the model (`Briefing`, `Section`, `SectionKey`), the section catalogue that maps
//! headings to keys, the parser for `.md`/`.txt` files and the library that loads a folder.

mod catalog;
mod front_matter;
mod library;
mod model;
mod parse;

pub use catalog::{SectionCatalog, SectionDef};
pub use library::{Library, LoadReport};
pub use model::{Briefing, Section, SectionKey};
pub use parse::{parse_briefing, ParseError, ParseInput, SourceKind, MAX_SECTION_CHARS};
