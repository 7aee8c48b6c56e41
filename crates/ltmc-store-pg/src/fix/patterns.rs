//! STUB (being written): the PostgreSQL PatternStore.
#![allow(unused_variables, clippy::unused_async)]
use crate::PgStore;
use async_trait::async_trait;
use ltmc_core::fix::*;
use ltmc_core::*;
use ltmc_store::*;

#[async_trait]
impl PatternStore for PgStore {
    async fn put_pattern(
        &self,
        project: &Project,
        pattern: NewFixPattern,
        embeddings: PatternEmbeddings,
        relationships: Vec<NewRelationship>,
        rules: Vec<NewGuardianRule>,
    ) -> Result<StoredPattern, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL put_pattern: not written yet".into(),
        ))
    }

    async fn get_pattern(
        &self,
        project: &Project,
        id: PatternId,
    ) -> Result<FixPattern, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL get_pattern: not written yet".into(),
        ))
    }

    async fn list_patterns(
        &self,
        project: &Project,
        filter: &PatternFilter,
    ) -> Result<Vec<FixPattern>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_patterns: not written yet".into(),
        ))
    }

    async fn review_pattern(
        &self,
        project: &Project,
        id: PatternId,
        reviewed: bool,
        notes: Option<String>,
    ) -> Result<FixPattern, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL review_pattern: not written yet".into(),
        ))
    }

    async fn search_patterns(
        &self,
        project: &Project,
        query: &PatternQuery,
    ) -> Result<Vec<PatternMatch>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL search_patterns: not written yet".into(),
        ))
    }

    async fn link_patterns(
        &self,
        project: &Project,
        relationship: NewRelationship,
    ) -> Result<PatternRelationship, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL link_patterns: not written yet".into(),
        ))
    }

    async fn related_patterns(
        &self,
        project: &Project,
        id: PatternId,
        types: &[RelationshipType],
    ) -> Result<Vec<RelatedPattern>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL related_patterns: not written yet".into(),
        ))
    }

    async fn record_application(
        &self,
        project: &Project,
        application: NewApplication,
    ) -> Result<RecordedApplication, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL record_application: not written yet".into(),
        ))
    }

    async fn list_applications(
        &self,
        project: &Project,
        pattern: Option<PatternId>,
    ) -> Result<Vec<PatternApplication>, StoreError> {
        Err(StoreError::Unavailable(
            "PostgreSQL list_applications: not written yet".into(),
        ))
    }
}
