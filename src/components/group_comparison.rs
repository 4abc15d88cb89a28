//! Productive Hrs/Day side by side for the chosen groups.

use leptos::prelude::*;

use crate::model::GroupFigures;

#[component]
pub fn GroupComparison(groups: Vec<GroupFigures>) -> impl IntoView {
    if groups.is_empty() {
        return None;
    }
    let rows = groups
        .into_iter()
        .map(|group| {
            let name = group.name.clone().unwrap_or_else(|| format!("Group {}", group.group_id));
            let value = match (group.withheld, group.productive_hours_per_day) {
                (true, _) => "too few people to show".to_owned(),
                (false, Some(hours)) => format!("{hours:.1} h"),
                (false, None) => "no active days".to_owned(),
            };
            view! {
                <tr data-group=group.group_id>
                    <th scope="row">{name}</th>
                    <td>{value}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <table class="group-comparison">
            <caption>"Productive Hrs/Day by group"</caption>
            <tbody>{rows}</tbody>
        </table>
    })
}
