//! A stemming token filter that also copes with missing accents. Snowball's French rules read
//! accents ("inondées" ends in "-ées"), but members often type none ("inondees"): stemming the
//! folded word and folding the stemmed word can differ. Both are emitted, at the same position,
//! so a word typed with or without accents meets the briefing's word in one of them. The folded
//! word's stem comes first: a phrase uses that one.
//!
//! Stemming is most of the cost of indexing, and a language has far fewer distinct words than a
//! library has words: each analyzer remembers the stems it computed.

use frostem::{Algorithm, Stemmer};
use std::collections::HashMap;
use tantivy::tokenizer::{
    AsciiFoldingFilter, RawTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Stems lower-cased tokens in `algorithm`; the output is accent-folded.
#[derive(Clone)]
pub(super) struct FoldedStems(pub Algorithm);

/// Distinct words whose stems an analyzer remembers (each field of each indexing thread has its
/// own analyzer); past that it starts again, so memory stays bounded (about 2 MB each) whatever
/// the text. The commonest words, most of any text, are back in it at once.
const MAX_REMEMBERED: usize = 20_000;

/// A word's stems: the folded word's, and the stemmed word's folded when it differs.
type Stems = (String, Option<String>);

impl TokenFilter for FoldedStems {
    type Tokenizer<T: Tokenizer> = FoldedStemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FoldedStemsFilter<T> {
        FoldedStemsFilter {
            stemmer: Stemmer::new(self.0),
            folder: TextAnalyzer::builder(RawTokenizer::default())
                .filter(AsciiFoldingFilter)
                .build(),
            remembered: HashMap::new(),
            inner,
        }
    }
}

#[derive(Clone)]
pub(super) struct FoldedStemsFilter<T> {
    stemmer: Stemmer,
    folder: TextAnalyzer,
    remembered: HashMap<String, Stems>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for FoldedStemsFilter<T> {
    type TokenStream<'a> = FoldedStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldedStemsStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            folder: &mut self.folder,
            remembered: &mut self.remembered,
            second: None,
        }
    }
}

pub(super) struct FoldedStemsStream<'a, T> {
    tail: T,
    stemmer: Stemmer,
    folder: &'a mut TextAnalyzer,
    remembered: &'a mut HashMap<String, Stems>,
    /// The other stem of the current token, still to emit.
    second: Option<String>,
}

impl<T: TokenStream> FoldedStemsStream<'_, T> {
    fn fold(&mut self, text: &str) -> String {
        let mut stream = self.folder.token_stream(text);
        if stream.advance() {
            stream.token().text.clone()
        } else {
            text.to_string()
        }
    }

    fn stems(&mut self, word: &str) -> Stems {
        if word.is_ascii() {
            return (self.stemmer.stem(word).into_owned(), None);
        }
        let folded = self.fold(word);
        let first = self.stemmer.stem(&folded).into_owned();
        let stemmed = self.stemmer.stem(word).into_owned();
        let second = self.fold(&stemmed);
        let second = (second != first).then_some(second);
        (first, second)
    }
}

impl<T: TokenStream> TokenStream for FoldedStemsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(second) = self.second.take() {
            // Same token, same position and offsets: only the text changes.
            self.tail.token_mut().text = second;
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let word = std::mem::take(&mut self.tail.token_mut().text);
        let (first, second) = match self.remembered.get(&word) {
            Some(stems) => stems.clone(),
            None => {
                let stems = self.stems(&word);
                if self.remembered.len() == MAX_REMEMBERED {
                    self.remembered.clear();
                }
                self.remembered.insert(word, stems.clone());
                stems
            }
        };
        self.tail.token_mut().text = first;
        self.second = second;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
