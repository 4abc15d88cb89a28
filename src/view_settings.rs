//! A board view's own settings, which the person who owns the view sets in
//! monday (the app declares the fields in monday's Developer Center):
//! `groups`, ActivTrak group ids, and `period_days`, the last so many days.
//! monday sends them as a flat object whose values may be text or numbers.

use serde_json::Value;

use crate::model::InsightsQuery;

/// The query a board view's settings ask for. Unreadable values are
/// ignored, so a half-filled settings panel still shows the whole account
/// for the default period.
pub fn query_from_view_settings(settings: &Value) -> InsightsQuery {
    InsightsQuery {
        groups: group_ids(settings.get("groups")),
        days: settings.get("period_days").and_then(number).and_then(|days| u32::try_from(days).ok()),
        ..InsightsQuery::default()
    }
}

fn number(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        // A dropdown setting may arrive as {"value": …}.
        Value::Object(fields) => fields.get("value").and_then(number),
        _ => None,
    }
}

fn group_ids(value: Option<&Value>) -> Vec<i64> {
    let mut ids: Vec<i64> = match value {
        Some(Value::String(text)) => text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter_map(|part| part.trim().parse().ok())
            .collect(),
        Some(Value::Array(items)) => items.iter().filter_map(number).collect(),
        Some(other) => number(other).into_iter().collect(),
        None => Vec::new(),
    };
    ids.retain(|id| *id > 0);
    ids.sort_unstable();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_groups_and_days_are_read() {
        let query = query_from_view_settings(&json!({"groups": "104, 101 101", "period_days": "14"}));
        assert_eq!(query.groups, vec![101, 104]);
        assert_eq!(query.days, Some(14));
        assert_eq!(query.from, None);
    }

    #[test]
    fn arrays_numbers_and_dropdowns_are_read() {
        let query = query_from_view_settings(&json!({"groups": [102, "103"], "period_days": {"value": 30}}));
        assert_eq!(query.groups, vec![102, 103]);
        assert_eq!(query.days, Some(30));
    }

    #[test]
    fn unreadable_values_fall_back_to_defaults() {
        let query = query_from_view_settings(&json!({"groups": "sales, -4", "period_days": "soon", "other": 1}));
        assert_eq!(query, InsightsQuery::default());
        assert_eq!(query_from_view_settings(&json!({})), InsightsQuery::default());
    }
}
