//! Changing a runtime digest in place (`/digest edit`): the store row is rewritten under the
//! same key, so its ledger, state and `only_new` history stay; the timer keeps its next fire
//! unless the schedule changed, which re-plans it. Config digests are refused: the file would
//! bring them back.

use super::changes;
use super::error::SchedulerError;
use super::handle::SchedulerHandle;
use crate::digests::DigestSpec;
use crate::store::{DigestRow, NewDigest};
use std::sync::Arc;

impl SchedulerHandle {
    /// The stored settings of a guild's runtime digest, to edit them.
    pub async fn stored(&self, guild_id: u64, name: &str) -> Result<DigestRow, SchedulerError> {
        let spec = self
            .find(guild_id, name)
            .ok_or_else(|| SchedulerError::NotFound(name.into()))?;
        if spec.is_config() {
            return Err(SchedulerError::ConfigDigest(spec.name.clone()));
        }
        let stored_name = spec.name.clone();
        let row = self
            .inner
            .deps
            .store
            .get_digest(guild_id, &stored_name)
            .await?;
        row.ok_or_else(|| SchedulerError::NotFound(name.into()))
    }

    /// Replaces the settings of the runtime digest with `digest`'s guild and name; its name as
    /// stored, creator and creation time stay. Schedule and zone are checked again here.
    pub async fn update(&self, digest: NewDigest) -> Result<Arc<DigestSpec>, SchedulerError> {
        let old = self.stored(digest.guild_id, &digest.name).await?;
        let digest = NewDigest {
            name: old.digest.name.clone(),
            created_by: old.digest.created_by,
            ..digest
        };
        let row = DigestRow { digest, ..old };
        let spec = DigestSpec::from_row(&row, &self.inner.settings().defaults)?;
        self.inner.deps.store.update_digest(&row.digest).await?;
        let spec = changes::upsert(&self.inner, spec).await?;
        changes::announce(&self.inner, &spec.key).await;
        Ok(spec)
    }
}
