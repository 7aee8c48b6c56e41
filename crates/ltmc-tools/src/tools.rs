//! The registry: the only list of tools. One line per tool, in the order
//! clients see them (the LTMC contract's, then the fix-pattern tools'); the
//! directory of a tool's file is its group. Adding a tool is one new file
//! under `tools/<group>/` plus one line here (`file::Tool => ToolOutput`: the
//! tool type and its output type, both re-exported from the crate root).
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
        upsert_file_audit::UpsertFileAudit => UpsertFileAuditOutput,
        list_file_audits::ListFileAudits => ListFileAuditsOutput,
        import_file_audits::ImportFileAudits => ImportFileAuditsOutput,
        extract_pattern::ExtractPattern => ExtractPatternOutput,
        review_pattern::ReviewPattern => ReviewPatternOutput,
        get_pattern::GetPattern => GetPatternOutput,
        list_patterns::ListPatterns => ListPatternsOutput,
        link_patterns::LinkPatterns => LinkPatternsOutput,
        get_related_patterns::GetRelatedPatterns => GetRelatedPatternsOutput,
        find_similar_patterns::FindSimilarPatterns => FindSimilarOutput,
        recommend_fix::RecommendFix => RecommendFixOutput,
        record_pattern_outcome::RecordPatternOutcome => RecordPatternOutcomeOutput,
        add_guardian_rule::AddGuardianRule => AddGuardianRuleOutput,
        list_guardian_rules::ListGuardianRules => ListGuardianRulesOutput,
        set_guardian_rule_active::SetGuardianRuleActive => SetGuardianRuleActiveOutput,
        check_guardian_rules::CheckGuardianRules => CheckGuardianRulesOutput,
        pattern_insights::PatternInsights => PatternInsightsOutput,
    }
}
