//! The registry: the only list of tools. One line per tool, in the order
//! clients see them (the LTMC contract's, then the fix-pattern tools'); the
//! directory of a tool's file is its group. Adding a tool is one new file
//! under `tools/<group>/` plus one line here.
//!
//! Not here: what a tool does (its own file) or how calls are dispatched
//! (`registry.rs`).

crate::registry::registry! {
    ltmc {
        store_memory::StoreMemory,
        retrieve_memory::RetrieveMemory,
        log_chat::LogChat,
        ask_with_context::AskWithContext,
        route_query::RouteQuery,
        build_context::BuildContext,
        retrieve_by_type::RetrieveByType,
        add_todo::AddTodo,
        list_todos::ListTodos,
        complete_todo::CompleteTodo,
        search_todos::SearchTodos,
        store_context_links::StoreContextLinks,
        get_context_links_for_message::GetContextLinksForMessage,
        get_messages_for_chunk::GetMessagesForChunk,
        get_context_usage_statistics::GetContextUsageStatistics,
        link_resources::LinkResources,
        query_graph::QueryGraph,
        auto_link_documents::AutoLinkDocuments,
        get_document_relationships::GetDocumentRelationships,
        log_code_attempt::LogCodeAttempt,
        get_code_patterns::GetCodePatterns,
        analyze_code_patterns::AnalyzeCodePatterns,
    }
    patterns {
        upsert_file_audit::UpsertFileAudit,
        list_file_audits::ListFileAudits,
        import_file_audits::ImportFileAudits,
        extract_pattern::ExtractPattern,
        review_pattern::ReviewPattern,
        get_pattern::GetPattern,
        list_patterns::ListPatterns,
        link_patterns::LinkPatterns,
        get_related_patterns::GetRelatedPatterns,
        find_similar_patterns::FindSimilarPatterns,
        recommend_fix::RecommendFix,
        record_pattern_outcome::RecordPatternOutcome,
        add_guardian_rule::AddGuardianRule,
        list_guardian_rules::ListGuardianRules,
        set_guardian_rule_active::SetGuardianRuleActive,
        check_guardian_rules::CheckGuardianRules,
        pattern_insights::PatternInsights,
    }
}
