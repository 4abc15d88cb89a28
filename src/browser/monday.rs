//! Bindings to monday's SDK (`monday-sdk-js`, loaded by the page as
//! `window.mondaySdk`). The SDK talks to the monday window around the iframe
//! with `postMessage`; its replies are `{method, type, data, requestId}`.

use std::cell::OnceCell;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::errors::AppError;
use crate::model::Theme;

/// How long the view waits for monday to hand over a sessionToken. Outside
/// monday no answer ever comes, so the view stops waiting and says so.
const SESSION_TOKEN_TIMEOUT_MS: i32 = 10_000;

#[wasm_bindgen]
extern "C" {
    type MondayClient;

    #[wasm_bindgen(catch, js_name = mondaySdk)]
    fn monday_sdk(options: &JsValue) -> Result<MondayClient, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn get(this: &MondayClient, kind: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn execute(this: &MondayClient, kind: &str, params: &JsValue) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn listen(this: &MondayClient, kind: &str, callback: &Function) -> Result<JsValue, JsValue>;
}

thread_local! {
    static CLIENT: OnceCell<Option<MondayClient>> = const { OnceCell::new() };
}

fn with_client<T>(action: impl FnOnce(&MondayClient) -> Result<T, JsValue>) -> Result<T, AppError> {
    CLIENT.with(|cell| {
        let client = cell.get_or_init(|| {
            // Without this option the SDK lays a full-page `body::before`
            // overlay over the view.
            let options = js_sys::Object::new();
            let _ = Reflect::set(&options, &JsValue::from_str("withoutScrollHelper"), &JsValue::TRUE);
            monday_sdk(&options).ok()
        });
        match client {
            Some(client) => action(client).map_err(|_| AppError::Transport {
                message: "monday's SDK rejected the request".to_owned(),
            }),
            None => Err(AppError::Transport {
                message: "monday's SDK did not load; open this view from a monday board".to_owned(),
            }),
        }
    })
}

fn timeout(millis: i32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, millis);
        }
    })
}

/// Asks monday for a fresh sessionToken.
pub async fn session_token() -> Result<String, AppError> {
    let request = with_client(|client| client.get("sessionToken"))?;
    let race = Promise::race(&js_sys::Array::of2(&request, &timeout(SESSION_TOKEN_TIMEOUT_MS)));
    let reply = JsFuture::from(race).await.map_err(|_| AppError::Transport {
        message: "monday did not provide a session token".to_owned(),
    })?;
    if reply.is_undefined() {
        return Err(AppError::Transport {
            message: "monday did not respond in time; open this view from a monday board".to_owned(),
        });
    }
    Reflect::get(&reply, &JsValue::from_str("data"))
        .ok()
        .and_then(|data| data.as_string())
        .filter(|token| !token.is_empty())
        .ok_or(AppError::SessionInvalid)
}

/// Calls `on_theme` with monday's theme now and whenever it changes.
pub fn listen_theme(on_theme: impl Fn(Theme) + 'static) {
    let callback = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        let theme = Reflect::get(&message, &JsValue::from_str("data"))
            .and_then(|data| Reflect::get(&data, &JsValue::from_str("theme")))
            .ok()
            .and_then(|theme| theme.as_string());
        if let Some(theme) = theme {
            on_theme(Theme::from_monday(&theme));
        }
    });
    let subscribed = with_client(|client| client.listen("context", callback.as_ref().unchecked_ref()));
    if subscribed.is_ok() {
        // The SDK keeps calling it for the page's lifetime.
        callback.forget();
    }
}

/// Asks monday to open `url` in a new browser tab (pages such as sign-in
/// refuse to run inside monday's iframe).
pub fn open_link_in_tab(url: &str) -> Result<(), AppError> {
    let params = js_sys::Object::new();
    let _ = Reflect::set(&params, &JsValue::from_str("url"), &JsValue::from_str(url));
    with_client(|client| client.execute("openLinkInTab", &params)).map(|_| ())
}

/// Calls `on_settings` with the board view's settings object now and
/// whenever the view's owner changes them in monday.
pub fn listen_settings(on_settings: impl Fn(serde_json::Value) + 'static) {
    let callback = Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
        let Ok(data) = Reflect::get(&message, &JsValue::from_str("data")) else { return };
        if !data.is_object() {
            return;
        }
        let text = js_sys::JSON::stringify(&data).ok().and_then(|text| text.as_string());
        if let Some(settings) = text.and_then(|text| serde_json::from_str(&text).ok()) {
            on_settings(settings);
        }
    });
    let subscribed = with_client(|client| client.listen("settings", callback.as_ref().unchecked_ref()));
    if subscribed.is_ok() {
        callback.forget();
    }
}
