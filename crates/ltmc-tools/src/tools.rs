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
        store_memory::StoreMemory => StoreMemoryOutput,
        retrieve_memory::RetrieveMemory => RetrieveMemoryOutput,
        log_chat::LogChat => LogChatOutput,
        ask_with_context::AskWithContext => AskWithContextOutput,
        route_query::RouteQuery => RouteQueryOutput,
        build_context::BuildContext => BuildContextOutput,
        retrieve_by_type::RetrieveByType => RetrieveByTypeOutput,
        add_todo::AddTodo => AddTodoOutput,
        list_todos::ListTodos => ListTodosOutput,
        complete_todo::CompleteTodo => CompleteTodoOutput,
        search_todos::SearchTodos => SearchTodosOutput,
        store_context_links::StoreContextLinks => StoreContextLinksOutput,
        get_context_links_for_message::GetContextLinksForMessage => GetContextLinksForMessageOutput,
        get_messages_for_chunk::GetMessagesForChunk => GetMessagesForChunkOutput,
        get_context_usage_statistics::GetContextUsageStatistics => GetContextUsageStatisticsOutput,
        link_resources::LinkResources => LinkResourcesOutput,
        query_graph::QueryGraph => QueryGraphOutput,
        auto_link_documents::AutoLinkDocuments => AutoLinkDocumentsOutput,
        get_document_relationships::GetDocumentRelationships => GetDocumentRelationshipsOutput,
        log_code_attempt::LogCodeAttempt => LogCodeAttemptOutput,
        get_code_patterns::GetCodePatterns => GetCodePatternsOutput,
        analyze_code_patterns::AnalyzeCodePatterns => AnalyzeCodePatternsOutput,
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
        list_pattern_drafts::ListPatternDrafts => ListPatternDraftsOutput,
        accept_pattern::AcceptPattern => AcceptPatternOutput,
        reject_pattern::RejectPattern => RejectPatternOutput,
        merge_patterns::MergePatterns => MergePatternsOutput,
    }
}
