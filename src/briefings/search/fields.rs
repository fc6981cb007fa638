//! The index's schema. Each briefing's text goes into the fields of its own language's analysis
//! only, so a query term reads one posting list per language and a French stem can never match
//! an English word that happens to spell the same.

use super::lang::Analysis;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STRING,
};

/// Where in a section a word was found; a title weighs more than a heading, a heading more
/// than the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Zone {
    Title,
    Heading,
    Body,
}

impl Zone {
    pub const ALL: [Zone; 3] = [Zone::Title, Zone::Heading, Zone::Body];

    pub fn boost(self) -> f32 {
        match self {
            Zone::Title => 3.0,
            Zone::Heading => 1.5,
            Zone::Body => 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Fields {
    /// The document's place in `SearchIndex::sections`: newest briefing first.
    pub ord: Field,
    /// Title, heading and body, one field per (zone, analysis).
    text: [[Field; 3]; 3],
    /// Every word of the document as typed (folded, not stemmed): what an exact match adds to
    /// a stemmed one, and the vocabulary typos are corrected against.
    pub words: Field,
    pub tag_words: Field,
    /// The tag in its normal form, whole: what the tag filter matches.
    pub tag: Field,
    /// Indexed so a language filter costs no rebuild; `/search` does not use it yet.
    pub lang: Field,
}

impl Fields {
    pub fn schema() -> (Schema, Fields) {
        let text = |analysis: Analysis, record: IndexRecordOption| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analysis.name())
                    .set_index_option(record),
            )
        };
        let mut b = Schema::builder();
        let positions = IndexRecordOption::WithFreqsAndPositions;
        let mut zone_fields = |zone: &str| {
            Analysis::ALL
                .map(|a| b.add_text_field(&format!("{zone}_{}", a.name()), text(a, positions)))
        };
        let text_fields = [
            zone_fields("title"),
            zone_fields("heading"),
            zone_fields("body"),
        ];
        let folded = Analysis::Folded;
        let fields = Fields {
            ord: b.add_u64_field("ord", FAST),
            text: text_fields,
            words: b.add_text_field("words", text(folded, IndexRecordOption::WithFreqs)),
            tag_words: b.add_text_field("tag_words", text(folded, IndexRecordOption::WithFreqs)),
            tag: b.add_text_field("tag", STRING),
            lang: b.add_text_field("lang", STRING),
        };
        (b.build(), fields)
    }

    pub fn text(&self, zone: Zone, analysis: Analysis) -> Field {
        let z = Zone::ALL.iter().position(|z| *z == zone).unwrap_or(0);
        let a = Analysis::ALL
            .iter()
            .position(|a| *a == analysis)
            .unwrap_or(0);
        self.text[z][a]
    }
}
