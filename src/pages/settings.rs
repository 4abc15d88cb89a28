//! The admin settings page at `/settings`: a top-level page in its own tab
//! (it refuses to be framed), signed in through a handoff link from the view
//! or monday OAuth.

use leptos::html::{Input, Select};
use leptos::prelude::*;

use crate::errors::AppError;
use crate::model::{AccountSettingsForm, ConnectionInfo, SettingsPage, SettingsView};
use crate::server_fns::settings::{
    connect_activtrak, disconnect_activtrak, load_settings_page, save_account_settings, test_connection,
};

fn date_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|moment| moment.format("%b %-d, %Y %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The outcome of the latest action. It lives above the part of the page
/// that reloads after a change, so the message stays visible.
#[derive(Clone, Copy)]
struct Notice(RwSignal<Option<Result<String, AppError>>>);

/// Shows an action's result in the page's notice and, after a success,
/// reloads the page's data.
fn report_outcome<I: 'static, O: Clone + Send + Sync + 'static>(
    action: Action<I, Result<O, AppError>>,
    reload: RwSignal<u32>,
    message: impl Fn(O) -> String + Send + Sync + 'static,
) where
    I: Send + Sync,
{
    let notice = expect_context::<Notice>();
    Effect::new(move |_| {
        let Some(result) = action.value().get() else { return };
        let succeeded = result.is_ok();
        notice.0.set(Some(result.map(&message)));
        if succeeded {
            reload.update(|count| *count += 1);
        }
    });
}

/// Renders an outcome message.
fn outcome(result: Option<Result<String, AppError>>) -> impl IntoView {
    result.map(|result| match result {
        Ok(message) => view! { <p class="outcome ok" role="status">{message}</p> }.into_any(),
        Err(error) => {
            // A form field's own message reads better without the parameter name.
            let text = match error {
                AppError::InvalidParameter { message, .. } => message,
                other => other.to_string(),
            };
            view! { <p class="outcome error" role="alert">{text}</p> }.into_any()
        }
    })
}

#[component]
pub fn SettingsPageView() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let page = Resource::new(move || reload.get(), |_| load_settings_page());
    let notice = Notice(RwSignal::new(None));
    provide_context(notice);
    view! {
        <main class="settings-page">
            <h1>"ActivTrak insights settings"</h1>
            <div class="notice">{move || outcome(notice.0.get())}</div>
            <Transition fallback=|| view! { <p class="state loading">"Loading settings…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(SettingsPage { signed_in: None }) => view! { <SignIn/> }.into_any(),
                        Ok(SettingsPage { signed_in: Some(settings) }) => {
                            view! { <SignedIn settings reload/> }.into_any()
                        }
                        Err(error) => view! {
                            <p class="state error" role="alert">{error.to_string()}</p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn SignIn() -> impl IntoView {
    view! {
        <section class="card" data-state="signed-out">
            <h2>"Sign in"</h2>
            <p>
                "Open this page from the board view (Connect ActivTrak or Settings), or sign in with your monday "
                "account. Only monday account admins, and the person who connected ActivTrak, can change settings."
            </p>
            // rel="external": a full page load, so the server starts OAuth
            // instead of the client-side router looking for a page.
            <a class="button primary" href="/oauth/start" rel="external">"Sign in with monday"</a>
        </section>
    }
}

#[component]
fn SignedIn(settings: SettingsView, reload: RwSignal<u32>) -> impl IntoView {
    let who = settings.user_name.clone().unwrap_or_else(|| format!("monday user {}", settings.user_id));
    let account = settings.account_name.clone().unwrap_or_else(|| format!("monday account {}", settings.account_id));
    let role = if settings.is_admin { "admin" } else { "member" };
    let manage = settings.can_manage;
    view! {
        <header class="signed-in">
            <p>{format!("Signed in as {who} ({role}) for {account}.")}</p>
            <form method="post" action="/settings/sign-out">
                <button type="submit" class="button">"Sign out"</button>
            </form>
        </header>
        {if manage {
            view! {
                <Connection connection=settings.connection.clone() reload/>
                <AccountSettingsSection form=settings.settings.clone() reload/>
                <AuditLog settings=settings.clone()/>
            }
            .into_any()
        } else {
            view! {
                <section class="card" data-state="read-only">
                    <p>
                        "Only an admin of this monday account, or the person who connected ActivTrak, can change "
                        "these settings. Ask an admin."
                    </p>
                </section>
            }
            .into_any()
        }}
    }
}

#[derive(Clone)]
struct ConnectInput {
    api_key: String,
    region: String,
    auth_header: String,
}

#[component]
fn Connection(connection: Option<ConnectionInfo>, reload: RwSignal<u32>) -> impl IntoView {
    let key = NodeRef::<Input>::new();
    let region = NodeRef::<Select>::new();
    let header = NodeRef::<Select>::new();
    let confirm = NodeRef::<Input>::new();

    let connect = Action::new(|input: &ConnectInput| {
        let input = input.clone();
        async move { connect_activtrak(input.api_key, input.region, input.auth_header).await }
    });
    let test = Action::new(|_: &()| test_connection());
    let disconnect = Action::new(|confirmed: &bool| disconnect_activtrak(*confirmed));
    report_outcome(connect, reload, |message| message);
    report_outcome(test, reload, |message| message);
    report_outcome(disconnect, reload, |message| message);

    let on_connect = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let value = |node: Option<String>| node.unwrap_or_default();
        let input = ConnectInput {
            api_key: value(key.get().map(|element| element.value())),
            region: value(region.get().map(|element| element.value())),
            auth_header: value(header.get().map(|element| element.value())),
        };
        connect.dispatch(input);
    };
    let on_disconnect = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let confirmed = confirm.get().map(|element| element.checked()).unwrap_or(false);
        disconnect.dispatch(confirmed);
    };

    let status = match &connection {
        Some(info) => {
            let by = info.connected_by.map(|id| format!("monday user {id}")).unwrap_or_else(|| "the operator".to_owned());
            let problem = info.problem.clone().map(|text| view! { <p class="outcome error" data-state="needs-attention">{text}</p> });
            view! {
                <p data-state="connected">
                    {format!(
                        "Connected by {by} on {}. Region {}, header {}.",
                        date_time(info.connected_at),
                        info.region.to_uppercase(),
                        info.auth_header
                    )}
                </p>
                {problem}
                <button type="button" class="button" on:click=move |_| { test.dispatch(()); }>"Test connection"</button>
                <form class="disconnect" on:submit=on_disconnect>
                    <label>
                        <input type="checkbox" node_ref=confirm name="confirmed"/>
                        " Delete the stored key and this account's cached ActivTrak data"
                    </label>
                    <button type="submit" class="button danger">"Disconnect"</button>
                </form>
            }
            .into_any()
        }
        None => view! { <p data-state="not-connected">"ActivTrak is not connected."</p> }.into_any(),
    };
    let submit_label = if connection.is_some() { "Replace key" } else { "Connect ActivTrak" };

    view! {
        <section class="card">
            <h2>"ActivTrak connection"</h2>
            {status}
            <form class="connect" on:submit=on_connect>
                <label>
                    "ActivTrak API key "
                    <input type="password" name="api_key" node_ref=key autocomplete="off" required/>
                </label>
                <span class="hint">"Created by an ActivTrak admin under API & Integrations → API Keys."</span>
                <label>
                    "Region "
                    <select name="region" node_ref=region>
                        <option value="us">"US"</option>
                        <option value="eu">"EU"</option>
                        <option value="uk">"UK"</option>
                        <option value="ca">"CA"</option>
                        <option value="au">"AU"</option>
                    </select>
                </label>
                <details>
                    <summary>"Advanced"</summary>
                    <label>
                        "Send the key as "
                        <select name="auth_header" node_ref=header>
                            <option value="bearer">"Authorization: Bearer (default)"</option>
                            <option value="x-api-key">"x-api-key"</option>
                        </select>
                    </label>
                </details>
                <button type="submit" class="button primary" disabled=move || connect.pending().get()>
                    {submit_label}
                </button>
            </form>
        </section>
    }
}

#[component]
fn AccountSettingsSection(form: AccountSettingsForm, reload: RwSignal<u32>) -> impl IntoView {
    let goal = NodeRef::<Input>::new();
    let minimum = NodeRef::<Input>::new();
    let threshold = NodeRef::<Input>::new();
    let zone = NodeRef::<Input>::new();
    let guests = NodeRef::<Input>::new();
    let view_only = NodeRef::<Input>::new();
    let period = NodeRef::<Input>::new();
    let refresh = NodeRef::<Input>::new();
    let save = Action::new(|form: &AccountSettingsForm| save_account_settings(form.clone()));
    report_outcome(save, reload, |message| message);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let text = |node: NodeRef<Input>| node.get().map(|element| element.value()).unwrap_or_default();
        let checked = |node: NodeRef<Input>| {
            node.get().filter(|element| element.checked()).map(|_| "on".to_owned())
        };
        save.dispatch(AccountSettingsForm {
            productive_hours_goal: text(goal),
            minimum_group_size: text(minimum),
            active_day_threshold_hours: text(threshold),
            time_zone: text(zone),
            guests_may_view: checked(guests),
            view_only_may_view: checked(view_only),
            default_period_days: text(period),
            refresh_interval_minutes: text(refresh),
        });
    };
    view! {
        <section class="card">
            <h2>"Account settings"</h2>
            <form class="account-settings" on:submit=on_submit>
                <label>"Productive Hrs/Day goal " <input node_ref=goal name="productive_hours_goal" value=form.productive_hours_goal/></label>
                <label>"Minimum group size (at least 3) " <input node_ref=minimum name="minimum_group_size" value=form.minimum_group_size/></label>
                <label>"Active-day threshold, hours " <input node_ref=threshold name="active_day_threshold_hours" value=form.active_day_threshold_hours/></label>
                <label>"ActivTrak account time zone (IANA name) " <input node_ref=zone name="time_zone" value=form.time_zone/></label>
                <label><input type="checkbox" node_ref=guests name="guests_may_view" checked=form.guests_may_view.is_some()/>" Guests may see the view"</label>
                <label><input type="checkbox" node_ref=view_only name="view_only_may_view" checked=form.view_only_may_view.is_some()/>" View-only users may see the view"</label>
                <label>"Default period, days " <input node_ref=period name="default_period_days" value=form.default_period_days/></label>
                <label>"Refresh interval, minutes " <input node_ref=refresh name="refresh_interval_minutes" value=form.refresh_interval_minutes/></label>
                <button type="submit" class="button primary">"Save settings"</button>
            </form>
        </section>
    }
}

#[component]
fn AuditLog(settings: SettingsView) -> impl IntoView {
    let rows = settings
        .audit
        .into_iter()
        .map(|line| {
            let actor = line
                .actor_user_id
                .map(|id| format!("monday user {id}"))
                .unwrap_or_else(|| "operator or monday".to_owned());
            view! {
                <tr>
                    <td>{date_time(line.at)}</td>
                    <td>{actor}</td>
                    <td>{line.action}</td>
                    <td>{line.details}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Audit log"</h2>
            <table class="audit-log">
                <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Details"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
