//! Storing and finding documents: the core loop of ltmc.
//!
//! A store call hashes the content (identical content is not embedded or
//! stored twice), chunks it losslessly, embeds the chunks of every text in the
//! call together (batches cross file boundaries, so ingesting many small files
//! is embedding-bound), and hands each resource with its chunks and vectors to
//! the store as one transaction. A search embeds the query and asks the store
//! for the nearest chunks, the best keyword matches, or both fused (see
//! `search.rs`). Not here: protocols, how a store finds anything.

use crate::ServiceError;
use crate::search::{self, SearchHit, SearchMode};
use ltmc_core::embed::Embedder;
use ltmc_core::relevance::RelevanceModel;
use ltmc_core::terms::{QueryTerms, TermStats};
use ltmc_core::{
    CODE_ATTEMPT_TYPE, ChunkConfig, NewChunk, NewResource, Project, PutOutcome, ResourceId,
    chunk_text, content_hash, embedding_text,
};
use ltmc_store::{ChunkFilter, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

/// What to store.
#[derive(Debug, Clone)]
pub struct StoreRequest {
    pub project: Project,
    pub file_name: String,
    pub resource_type: String,
    pub content: String,
    pub metadata: serde_json::Value,
}

/// What a search asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub project: Project,
    pub query: String,
    pub top_k: usize,
    pub resource_type: Option<String>,
    pub mode: SearchMode,
}

/// The answer to a store call, as the CLI and the tools report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredResource {
    pub resource_id: ResourceId,
    pub chunk_count: usize,
    pub duplicate: bool,
}

impl From<PutOutcome> for StoredResource {
    fn from(value: PutOutcome) -> Self {
        Self {
            resource_id: value.resource_id,
            chunk_count: value.chunk_count,
            duplicate: value.duplicate,
        }
    }
}

/// The largest `top_k` a search accepts: beyond it a caller wants a dump, not a search.
pub const MAX_TOP_K: usize = 1000;

/// ltmc's memory of documents: a store and an embedder, shared by every caller.
#[derive(Clone)]
pub struct Memory {
    store: Arc<dyn Store>,
    embedder: Arc<dyn Embedder>,
    chunking: ChunkConfig,
    /// The model's relevance calibration; none for a model without one.
    relevance: Option<RelevanceModel>,
    /// Vectors of texts embedded again and again (`embed_repeated`).
    repeated: crate::query_cache::QueryCache,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memory")
            .field("model", &self.embedder.model_id())
            .field("chunking", &self.chunking)
            .finish_non_exhaustive()
    }
}

impl Memory {
    pub fn new(
        store: Arc<dyn Store>,
        embedder: Arc<dyn Embedder>,
        chunking: ChunkConfig,
    ) -> Result<Self, ServiceError> {
        chunking.validate()?;
        let relevance = RelevanceModel::default_for(embedder.model_id());
        Ok(Self {
            store,
            embedder,
            chunking,
            relevance,
            repeated: crate::query_cache::QueryCache::default(),
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn embedder(&self) -> &Arc<dyn Embedder> {
        &self.embedder
    }

    /// Stores one text. Identical content already in the project is returned
    /// as `duplicate: true` without embedding or writing anything.
    pub async fn store_text(&self, request: StoreRequest) -> Result<StoredResource, ServiceError> {
        self.store_batch(vec![request])
            .await
            .pop()
            .unwrap_or_else(|| Err(ServiceError::Internal("store_batch lost a request".into())))
    }

    /// Stores several texts: one answer per request, in order. The chunks of
    /// all new texts are embedded together, then each text is written in its
    /// own transaction, so one bad text never blocks or half-writes another.
    pub async fn store_batch(
        &self,
        requests: Vec<StoreRequest>,
    ) -> Vec<Result<StoredResource, ServiceError>> {
        let mut answers: Vec<Option<Result<StoredResource, ServiceError>>> =
            (0..requests.len()).map(|_| None).collect();
        // New texts to embed, with their spans; the same content twice in one
        // batch is embedded and stored once, the later copy answered as its duplicate.
        let mut pending: Vec<(usize, Vec<ltmc_core::ChunkSpan>)> = Vec::new();
        let mut copies: Vec<(usize, usize)> = Vec::new();
        let mut first_with_hash: HashMap<(String, String), usize> = HashMap::new();
        for (i, request) in requests.iter().enumerate() {
            if let Err(e) = validate_store(request) {
                answers[i] = Some(Err(e));
                continue;
            }
            let hash = content_hash(&request.content);
            match self.store.find_by_hash(&request.project, &hash).await {
                Ok(Some(existing)) => {
                    answers[i] = Some(Ok(StoredResource {
                        resource_id: existing.id,
                        chunk_count: existing.chunk_count,
                        duplicate: true,
                    }));
                }
                Ok(None) => match first_with_hash.entry((request.project.to_string(), hash)) {
                    Entry::Occupied(first) => copies.push((i, *first.get())),
                    Entry::Vacant(slot) => {
                        slot.insert(i);
                        pending.push((i, chunk_text(&request.content, &self.chunking)));
                    }
                },
                Err(e) => answers[i] = Some(Err(e.into())),
            }
        }
        let texts: Vec<String> = pending
            .iter()
            .flat_map(|(i, spans)| {
                let request = &requests[*i];
                spans.iter().map(move |s| {
                    embedding_text(&request.file_name, &request.content[s.start..s.end])
                })
            })
            .collect();
        let expected = texts.len();
        let vectors = match self.embed_owned(texts).await {
            Ok(vectors) if vectors.len() == expected => vectors,
            outcome => {
                // The embedder failed for the whole batch: every new text fails with it.
                let e = outcome.err().unwrap_or_else(|| {
                    ServiceError::Internal(format!(
                        "embedder returned the wrong number of vectors for {expected} chunks"
                    ))
                });
                let message = e.to_string();
                let mut first = Some(e);
                for (i, _) in &pending {
                    answers[*i] = Some(Err(first
                        .take()
                        .unwrap_or_else(|| ServiceError::Internal(message.clone()))));
                }
                return finish(answers, &copies);
            }
        };
        let mut vectors = vectors.into_iter();
        let mut requests: Vec<Option<StoreRequest>> = requests.into_iter().map(Some).collect();
        for (i, spans) in pending {
            let Some(request) = requests[i].take() else {
                continue;
            };
            // Chunk texts are sliced again from the content rather than kept
            // from before embedding: one copy of each text, not two.
            let chunks = spans
                .iter()
                .enumerate()
                .zip(vectors.by_ref())
                .map(|((ordinal, span), vector)| NewChunk {
                    ordinal,
                    start: span.start,
                    end: span.end,
                    text: request.content[span.start..span.end].to_owned(),
                    vector,
                })
                .collect();
            let resource = NewResource {
                project: request.project,
                file_name: request.file_name,
                resource_type: request.resource_type,
                content: request.content,
                metadata: request.metadata,
            };
            answers[i] = Some(
                self.store
                    .put_resource(resource, chunks)
                    .await
                    .map(StoredResource::from)
                    .map_err(ServiceError::from),
            );
        }
        finish(answers, &copies)
    }

    /// The chunks that best answer the query, best first, ranked as `mode` says.
    pub async fn search(&self, request: SearchRequest) -> Result<Vec<SearchHit>, ServiceError> {
        if request.query.trim().is_empty() {
            return Err(ServiceError::invalid(
                "query",
                "is empty; give the words to search for",
            ));
        }
        if request.top_k == 0 || request.top_k > MAX_TOP_K {
            return Err(ServiceError::invalid(
                "top_k",
                format!("must be between 1 and {MAX_TOP_K}, got {}", request.top_k),
            ));
        }
        // Code attempts are searched by their own tools, with their own
        // filters; a document search asking for no type leaves them out.
        let exclude_types = if request.resource_type.is_none() {
            vec![CODE_ATTEMPT_TYPE.to_owned()]
        } else {
            Vec::new()
        };
        let filter = ChunkFilter {
            resource_type: request.resource_type,
            exclude_types,
        };
        let (project, k) = (&request.project, request.top_k);
        let mut ranking = search::Ranking::default();
        // Every mode walks the same tiers whatever k is (see `search::Ranking`),
        // and stops at the first that lists k hits or finds the store exhausted.
        // The query's embedding and its terms' counts are independent: the
        // store counts while the model runs.
        let embedding = async {
            match request.mode {
                SearchMode::Keyword => Ok(None),
                SearchMode::Vector | SearchMode::Hybrid => {
                    self.embed_one(&request.query).await.map(Some)
                }
            }
        };
        let counts = async {
            match request.mode {
                SearchMode::Vector => Ok(TermStats::default()),
                SearchMode::Keyword | SearchMode::Hybrid => {
                    self.store.term_stats(project, &request.query).await
                }
            }
        };
        let (query, counts) = tokio::join!(embedding, counts);
        let (query, counts) = (query?, counts?);
        let terms = QueryTerms::weighted(&request.query, &counts);
        for depth in search::depths() {
            let vector = match &query {
                Some(query) => {
                    self.store
                        .nearest_chunks(project, query, depth, &filter)
                        .await?
                }
                None => Vec::new(),
            };
            let keyword = match request.mode {
                SearchMode::Vector => Vec::new(),
                SearchMode::Keyword | SearchMode::Hybrid => {
                    self.store
                        .keyword_chunks(project, &request.query, depth, &filter)
                        .await?
                }
            };
            // A side that came back short has nothing more to give.
            let exhausted = vector.len() < depth && keyword.len() < depth;
            ranking.extend(match request.mode {
                SearchMode::Vector => search::from_vector(vector),
                SearchMode::Keyword => search::from_keyword(keyword, &terms),
                SearchMode::Hybrid => search::fuse(vector, keyword, &terms),
            });
            if exhausted || ranking.len() >= k {
                break;
            }
        }
        let mut hits = ranking.top(k);
        if let Some(model) = &self.relevance {
            for hit in &mut hits {
                hit.relevance = Some(search::relevance(model, request.mode, hit));
            }
        }
        Ok(hits)
    }

    /// Whether this model's hits carry a calibrated relevance.
    pub fn has_relevance(&self) -> bool {
        self.relevance.is_some()
    }

    /// The relevance calibration of this model's hits, when it has one.
    pub fn relevance_model(&self) -> Option<&RelevanceModel> {
        self.relevance.as_ref()
    }

    /// Deletes a resource with its chunks and vectors; returns how many chunks went.
    pub async fn delete(&self, project: &Project, id: ResourceId) -> Result<usize, ServiceError> {
        Ok(self.store.delete_resource(project, id).await?)
    }

    /// Embeds texts on a blocking thread: the model is CPU-bound and must not
    /// stall the async runtime that serves other callers.
    pub async fn embed_owned(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, ServiceError> {
        let embedder = Arc::clone(&self.embedder);
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            embedder.embed(&refs)
        })
        .await
        .map_err(|e| ServiceError::Internal(format!("embedding task failed: {e}")))?
        .map_err(ServiceError::from)
    }

    /// [`Memory::embed_owned`] for texts the same caller embeds on every
    /// call (e.g. the debt of each open audit in `pattern_insights`): the
    /// vectors of texts seen before come from a bounded cache, and only the
    /// others are embedded.
    pub async fn embed_repeated(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, ServiceError> {
        let cached = self.repeated.get(&texts);
        let missing: Vec<String> = texts
            .iter()
            .zip(&cached)
            .filter(|(_, c)| c.is_none())
            .map(|(t, _)| t.clone())
            .collect();
        let embedded = if missing.is_empty() {
            Vec::new()
        } else {
            self.embed_owned(missing.clone()).await?
        };
        self.repeated.put(&missing, &embedded);
        let mut fresh = embedded.into_iter();
        cached
            .into_iter()
            .map(|c| match c {
                Some(vector) => Ok(vector.to_vec()),
                None => fresh.next().ok_or_else(|| {
                    ServiceError::Internal("embedder returned too few vectors".into())
                }),
            })
            .collect()
    }

    pub async fn embed_one(&self, text: &str) -> Result<Vec<f32>, ServiceError> {
        self.embed_owned(vec![text.to_owned()])
            .await?
            .pop()
            .ok_or_else(|| ServiceError::Internal("embedder returned no vector".into()))
    }
}

/// Answers the in-batch copies from their originals and unwraps the answers.
fn finish(
    mut answers: Vec<Option<Result<StoredResource, ServiceError>>>,
    copies: &[(usize, usize)],
) -> Vec<Result<StoredResource, ServiceError>> {
    for &(copy, original) in copies {
        answers[copy] = Some(match &answers[original] {
            Some(Ok(stored)) => Ok(StoredResource {
                duplicate: true,
                ..stored.clone()
            }),
            _ => Err(ServiceError::invalid(
                "content",
                "is identical to an earlier input of this call, which could not be stored",
            )),
        });
    }
    answers
        .into_iter()
        .map(|a| {
            a.unwrap_or_else(|| Err(ServiceError::Internal("request was not answered".into())))
        })
        .collect()
}

fn validate_store(request: &StoreRequest) -> Result<(), ServiceError> {
    if request.content.trim().is_empty() {
        return Err(ServiceError::invalid(
            "content",
            "is empty; there is nothing to remember",
        ));
    }
    if request.content.contains('\0') {
        return Err(ServiceError::invalid(
            "content",
            "contains NUL bytes (binary data?); store text only",
        ));
    }
    if request.file_name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "file_name",
            "is empty; give the resource a name",
        ));
    }
    if request.resource_type.trim().is_empty() {
        return Err(ServiceError::invalid(
            "resource_type",
            "is empty; use e.g. \"document\" or \"code\"",
        ));
    }
    Ok(())
}
