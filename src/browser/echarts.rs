//! The one place that owns ECharts instances (from the `echarts` npm
//! package, loaded by the page as `window.echarts`).

use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::Theme;

#[wasm_bindgen]
extern "C" {
    #[derive(Clone)]
    type EchartsInstance;

    #[wasm_bindgen(catch, js_namespace = echarts, js_name = init)]
    fn init(element: &web_sys::Element, theme: &JsValue) -> Result<EchartsInstance, JsValue>;

    #[wasm_bindgen(method, js_name = setOption)]
    fn set_option(this: &EchartsInstance, option: &JsValue, options: &JsValue);

    #[wasm_bindgen(method)]
    fn resize(this: &EchartsInstance);

    #[wasm_bindgen(method)]
    fn dispose(this: &EchartsInstance);
}

/// Draws the chart that `build` returns into `node`, redraws it in place when
/// its inputs change, recreates it when the theme changes (ECharts fixes a
/// theme at init), follows the element's size, and disposes it on unmount.
pub fn drive_chart(node: NodeRef<Div>, theme: RwSignal<Theme>, build: impl Fn(Theme) -> String + 'static) {
    let instance: StoredValue<Option<(EchartsInstance, Theme)>, LocalStorage> = StoredValue::new_local(None);
    let observer: StoredValue<Option<(web_sys::ResizeObserver, Closure<dyn FnMut()>)>, LocalStorage> =
        StoredValue::new_local(None);

    Effect::new(move |_| {
        let theme = theme.get();
        let Some(element) = node.get() else {
            return;
        };
        let Ok(option) = js_sys::JSON::parse(&build(theme)) else {
            leptos::logging::error!("the chart option is not valid JSON");
            return;
        };
        let not_merge = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&not_merge, &"notMerge".into(), &JsValue::TRUE);

        instance.update_value(|slot| {
            if let Some((existing, existing_theme)) = slot.as_ref() {
                if *existing_theme == theme {
                    existing.set_option(&option, &not_merge);
                    return;
                }
                existing.dispose();
            }
            let echarts_theme = if theme.is_dark() { JsValue::from_str("dark") } else { JsValue::NULL };
            match init(&element, &echarts_theme) {
                Ok(created) => {
                    created.set_option(&option, &not_merge);
                    *slot = Some((created, theme));
                }
                Err(_) => {
                    leptos::logging::error!("ECharts is not loaded; the chart cannot be drawn");
                    *slot = None;
                }
            }
        });

        if observer.with_value(Option::is_none) {
            let on_resize = Closure::<dyn FnMut()>::new(move || {
                instance.with_value(|slot| {
                    if let Some((chart, _)) = slot {
                        chart.resize();
                    }
                });
            });
            if let Ok(resize_observer) = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()) {
                resize_observer.observe(&element);
                observer.set_value(Some((resize_observer, on_resize)));
            }
        }
    });

    on_cleanup(move || {
        observer.update_value(|slot| {
            if let Some((resize_observer, _)) = slot.take() {
                resize_observer.disconnect();
            }
        });
        instance.update_value(|slot| {
            if let Some((chart, _)) = slot.take() {
                chart.dispose();
            }
        });
    });
}
