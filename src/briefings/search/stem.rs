//! A stemming token filter that also copes with missing accents. Snowball's French rules read
//! accents ("inondées" ends in "-ées"), but members often type none ("inondees"): stemming the
//! folded word and folding the stemmed word can differ. Both are emitted, at the same position,
//! so a word typed with or without accents meets the briefing's word in one of them. The folded
//! word's stem comes first: a phrase uses that one.

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{
    AsciiFoldingFilter, RawTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Stems lower-cased tokens in `algorithm`; the output is accent-folded.
#[derive(Clone)]
pub(super) struct FoldedStems(pub Algorithm);

impl TokenFilter for FoldedStems {
    type Tokenizer<T: Tokenizer> = FoldedStemsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> FoldedStemsFilter<T> {
        FoldedStemsFilter {
            stemmer: Stemmer::new(self.0),
            folder: TextAnalyzer::builder(RawTokenizer::default())
                .filter(AsciiFoldingFilter)
                .build(),
            inner,
        }
    }
}

#[derive(Clone)]
pub(super) struct FoldedStemsFilter<T> {
    stemmer: Stemmer,
    folder: TextAnalyzer,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for FoldedStemsFilter<T> {
    type TokenStream<'a> = FoldedStemsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FoldedStemsStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
            folder: &mut self.folder,
            second: None,
        }
    }
}

pub(super) struct FoldedStemsStream<'a, T> {
    tail: T,
    stemmer: Stemmer,
    folder: &'a mut TextAnalyzer,
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
        let (first, second) = if word.is_ascii() {
            (self.stemmer.stem(&word).into_owned(), None)
        } else {
            let folded = self.fold(&word);
            let first = self.stemmer.stem(&folded).into_owned();
            let stemmed = self.stemmer.stem(&word).into_owned();
            let second = self.fold(&stemmed);
            let second = (second != first).then_some(second);
            (first, second)
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
