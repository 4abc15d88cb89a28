//! Lenient parsing of Working Hours rows. ActivTrak documents the fields but
//! not their exact types, so unknown fields are ignored, numbers may come as
//! integers, floats or strings, and a missing part counts as zero.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One person on one day.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkingHoursRow {
    #[serde(deserialize_with = "date_of_day")]
    pub date: Option<NaiveDate>,
    #[serde(deserialize_with = "lenient_i64")]
    pub user_id: Option<i64>,
    #[serde(deserialize_with = "lenient_groups")]
    pub groups: Vec<GroupRef>,
    #[serde(deserialize_with = "local_time_of_day")]
    pub first_activity: Option<NaiveTime>,
    #[serde(deserialize_with = "local_time_of_day")]
    pub last_activity: Option<NaiveTime>,
    pub active_time: TimeBlock,
    pub passive_time: TimeBlock,
    #[serde(deserialize_with = "lenient_seconds_opt")]
    pub total_time: Option<u64>,
}

impl WorkingHoursRow {
    /// All time on the row: `totalTime`, or active plus passive totals when
    /// ActivTrak left it out.
    pub fn total_seconds(&self) -> u64 {
        self.total_time
            .unwrap_or_else(|| self.active_time.total_seconds() + self.passive_time.total_seconds())
    }
}

/// `activeTime` or `passiveTime`: seconds by productivity class.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct TimeBlock {
    #[serde(deserialize_with = "lenient_seconds")]
    pub productive: u64,
    #[serde(deserialize_with = "lenient_seconds")]
    pub unproductive: u64,
    #[serde(deserialize_with = "lenient_seconds")]
    pub undefined: u64,
    #[serde(deserialize_with = "lenient_seconds_opt")]
    pub total: Option<u64>,
}

impl TimeBlock {
    pub fn total_seconds(&self) -> u64 {
        self.total
            .unwrap_or(self.productive + self.unproductive + self.undefined)
    }
}

/// An item of the undocumented `groups` field: an object with `id`/`name`,
/// a bare id, or a bare name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRef {
    pub id: Option<i64>,
    pub name: Option<String>,
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn lenient_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(lenient_seconds_opt(deserializer)?.unwrap_or(0))
}

fn lenient_seconds_opt<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(number_of(&value)
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(|seconds| seconds.round() as u64))
}

fn lenient_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(match &value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

fn parse_local_date_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    // ActivTrak sends local times without an offset; drop any fraction or
    // `Z` it may add, since the value is read as local time regardless.
    let main = text.get(..19).unwrap_or(text);
    NaiveDateTime::parse_from_str(main, "%Y-%m-%dT%H:%M:%S").ok()
}

fn date_of_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Some(text) = value.as_str() else {
        return Ok(None);
    };
    Ok(text
        .get(..10)
        .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()))
}

fn local_time_of_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveTime>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    Ok(value.as_str().and_then(parse_local_date_time).map(|moment| moment.time()))
}

fn lenient_groups<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<GroupRef>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    let Value::Array(items) = value else {
        return Ok(Vec::new());
    };
    Ok(items
        .iter()
        .filter_map(|item| match item {
            Value::Object(fields) => {
                let id = fields
                    .get("id")
                    .or_else(|| fields.get("groupId"))
                    .and_then(number_of)
                    .map(|id| id as i64);
                let name = fields
                    .get("name")
                    .or_else(|| fields.get("groupName"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                (id.is_some() || name.is_some()).then_some(GroupRef { id, name })
            }
            Value::Number(_) => number_of(item).map(|id| GroupRef { id: Some(id as i64), name: None }),
            Value::String(text) => Some(match text.trim().parse::<i64>() {
                Ok(id) => GroupRef { id: Some(id), name: None },
                Err(_) => GroupRef { id: None, name: Some(text.clone()) },
            }),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_row_parses() {
        let row: WorkingHoursRow = serde_json::from_value(json!({
            "date": "2026-03-02T00:00:00", "userId": 12, "computerId": 7,
            "user": "jdoe", "computer": "LT-7", "groups": [{"id": 3, "name": "Sales"}],
            "firstActivity": "2026-03-02T08:01:10", "lastActivity": "2026-03-02T17:45:00",
            "lastActivityLog": "...",
            "activeTime":  {"productive": 14400, "unproductive": 1200, "undefined": 600, "total": 16200},
            "passiveTime": {"productive": 1800, "unproductive": 0, "undefined": 300, "total": 2100},
            "totalTime": 18300, "TotalOfflineMeetings": 0, "location": "Remote"
        }))
        .unwrap();
        assert_eq!(row.date, NaiveDate::from_ymd_opt(2026, 3, 2));
        assert_eq!(row.user_id, Some(12));
        assert_eq!(row.first_activity, NaiveTime::from_hms_opt(8, 1, 10));
        assert_eq!(row.last_activity, NaiveTime::from_hms_opt(17, 45, 0));
        assert_eq!(row.active_time.productive, 14400);
        assert_eq!(row.passive_time.undefined, 300);
        assert_eq!(row.total_seconds(), 18300);
        assert_eq!(row.groups, vec![GroupRef { id: Some(3), name: Some("Sales".into()) }]);
    }

    #[test]
    fn missing_parts_count_as_zero() {
        let row: WorkingHoursRow = serde_json::from_value(json!({
            "date": "2026-03-02T00:00:00", "userId": "12",
            "activeTime": {"productive": 3600.4}
        }))
        .unwrap();
        assert_eq!(row.user_id, Some(12));
        assert_eq!(row.active_time.productive, 3600);
        assert_eq!(row.active_time.unproductive, 0);
        assert_eq!(row.passive_time, TimeBlock::default());
        assert_eq!(row.total_seconds(), 3600);
        assert_eq!(row.first_activity, None);
    }

    #[test]
    fn null_and_garbage_values_are_skipped() {
        let row: WorkingHoursRow = serde_json::from_value(json!({
            "date": "2026-03-02T00:00:00", "userId": 4,
            "firstActivity": null, "lastActivity": "not a time",
            "activeTime": {"productive": "n/a", "unproductive": -5, "undefined": null},
            "groups": "Sales"
        }))
        .unwrap();
        assert_eq!(row.first_activity, None);
        assert_eq!(row.last_activity, None);
        assert_eq!(row.active_time.total_seconds(), 0);
        assert!(row.groups.is_empty());
    }

    #[test]
    fn groups_accept_ids_names_and_objects() {
        let row: WorkingHoursRow = serde_json::from_value(json!({
            "groups": [101, "102", "Support", {"groupId": 104, "groupName": "Marketing"}, true]
        }))
        .unwrap();
        assert_eq!(
            row.groups,
            vec![
                GroupRef { id: Some(101), name: None },
                GroupRef { id: Some(102), name: None },
                GroupRef { id: None, name: Some("Support".into()) },
                GroupRef { id: Some(104), name: Some("Marketing".into()) },
            ]
        );
    }
}
