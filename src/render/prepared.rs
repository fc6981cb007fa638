//! Messages serialized once, to be sent as they are as often as they are asked for: a
//! briefing's answers do not change while its library snapshot lives.

use super::payload::MessagePayload;
use std::sync::Arc;

/// Messages as Discord's JSON, in order. Cloning shares them.
#[derive(Debug, Clone)]
pub struct Prepared(Arc<[Box<str>]>);

impl Prepared {
    pub fn new(payloads: &[MessagePayload]) -> Prepared {
        let json = payloads.iter().map(|p| {
            serde_json::to_string(p)
                .expect("a message payload always serializes")
                .into_boxed_str()
        });
        Prepared(json.collect())
    }

    /// Each message's JSON, in order.
    pub fn messages(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|m| &**m)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The payloads back, as Discord reads them.
    pub fn payloads(&self) -> Vec<MessagePayload> {
        self.messages()
            .map(|m| serde_json::from_str(m).expect("prepared from a payload"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::Embed;

    #[test]
    fn payloads_come_back_as_they_went_in() {
        let payloads = vec![
            MessagePayload::with_content("one @everyone"),
            MessagePayload::with_embeds(vec![Embed {
                title: Some("Ce qui se passe « ici »".into()),
                ..Embed::default()
            }]),
        ];
        let prepared = Prepared::new(&payloads);
        assert_eq!(prepared.len(), 2);
        assert_eq!(prepared.payloads(), payloads);
        let first = prepared.messages().next().unwrap();
        assert_eq!(
            first,
            r#"{"content":"one @everyone","allowed_mentions":{"parse":[]}}"#
        );
    }
}
