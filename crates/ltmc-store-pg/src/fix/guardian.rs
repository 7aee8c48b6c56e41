//! STUB (being written): the PostgreSQL GuardianStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::fix::*;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl GuardianStore for PgStore {
    async fn add_rule(
        &self,
        project: &Project,
        rule: NewGuardianRule,
    ) -> Result<GuardianRule, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL add_rule: not written yet".into(),
        ))
    }

    async fn get_rule(&self, project: &Project, id: RuleId) -> Result<GuardianRule, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_rule: not written yet".into(),
        ))
    }

    async fn list_rules(
        &self,
        project: &Project,
        filter: &RuleFilter,
    ) -> Result<Vec<GuardianRule>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_rules: not written yet".into(),
        ))
    }

    async fn set_rule_active(
        &self,
        project: &Project,
        id: RuleId,
        active: bool,
        reason: Option<String>,
    ) -> Result<GuardianRule, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL set_rule_active: not written yet".into(),
        ))
    }

    async fn record_rule_hits(
        &self,
        project: &Project,
        hits: Vec<RuleHit>,
    ) -> Result<(), StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL record_rule_hits: not written yet".into(),
        ))
    }

    async fn rule_file_hits(&self, project: &Project) -> Result<Vec<RuleFileHits>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL rule_file_hits: not written yet".into(),
        ))
    }
}
