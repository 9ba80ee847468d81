//! Code that the first screen does not run or show (the settings form, the
//! inspector's details, a lesson, the lesson and scenario readers, the
//! panels below the drawing, what closed disclosures hold, the embedding),
//! loaded when first wanted.
//!
//! [`split!`] declares such code as an async function; a part of the page
//! is one that draws it, declared with [`part!`] and drawn by [`Lazy`] (at
//! once), [`OnSight`] (when it comes into view) or [`Disclosure`] (when
//! opened). The site's release build (`./lab build`, ARCHITECTURE.md,
//! "Size") compiles with `--cfg ha_lab_split`: each part's function is then
//! a split point of `wasm_split_helpers`, and `scripts/split-wasm.mjs` moves
//! the code that only it reaches into a file of its own under `dist/parts/`,
//! with the part's stylesheet, fetched the first time the part is drawn.
//! Every other build (`trunk serve`, the tests) keeps one module, and the
//! part is there at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Draws a loaded part, given [`LazyProps::arg`].
pub type Draw = fn(&AttrValue) -> Html;

/// The part's code could not be fetched (the browser console has why).
#[derive(Debug, Clone, Copy)]
pub struct Unavailable;

#[cfg(ha_lab_split)]
impl From<wasm_split_helpers::SplitLoaderError> for Unavailable {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Unavailable {
        Unavailable
    }
}

/// A part's code, being loaded.
pub type Loading = Pin<Box<dyn Future<Output = Result<Draw, Unavailable>>>>;

/// A part of the page: what [`part!`] declares.
pub struct Part {
    /// Its name, as [`part!`] was given it: the name of its file, and of
    /// its stylesheet's, if it has one (see [`stylesheet`]).
    pub name: &'static str,
    /// What it is, for "Loading the settings…".
    pub what: &'static str,
    pub load: fn() -> Loading,
    pub loaded: OnceLock<Draw>,
}

impl Part {
    /// The drawing function if the part's code is here: loaded before, or
    /// in the page from the start (every build but the split one, where
    /// [`split!`]'s future is ready at once).
    fn here(&self) -> Option<Draw> {
        if let Some(draw) = self.loaded.get() {
            return Some(*draw);
        }
        if cfg!(ha_lab_split) {
            return None;
        }
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match (self.load)().as_mut().poll(&mut context) {
            std::task::Poll::Ready(Ok(draw)) => Some(*self.loaded.get_or_init(|| draw)),
            _ => None,
        }
    }

    /// Starts loading the part's code, if it is not here, so that it is
    /// ready sooner when it is wanted: when the learner points at the
    /// button that opens it, say. A failure is left for [`Lazy`] to show.
    pub fn preload(&'static self) {
        if self.here().is_none() {
            spawn_local(async move {
                let _ = self.fetch().await;
            });
        }
    }

    /// Loads the part's code and its stylesheet, and keeps its drawing
    /// function once loaded.
    async fn fetch(&self) -> Result<Draw, Unavailable> {
        let draw = (self.load)().await?;
        stylesheet(self.name).await;
        Ok(*self.loaded.get_or_init(|| draw))
    }

    /// A handler that preloads the part (for `onpointerenter`).
    pub fn preload_on_pointer(&'static self) -> Callback<PointerEvent> {
        Callback::from(move |_| self.preload())
    }

    /// A handler that preloads the part (for `onfocus`, `onfocusin`).
    pub fn preload_on_focus(&'static self) -> Callback<FocusEvent> {
        Callback::from(move |_| self.preload())
    }
}

impl PartialEq for Part {
    fn eq(&self, other: &Part) -> bool {
        std::ptr::eq(self, other)
    }
}

/// `split! { module: fn name(arg: Type, …) -> Output { body } }` declares
/// `async fn name(arg: Type, …) -> Result<Output, Unavailable>`, which runs
/// `body`. The release build moves the code that only `body` reaches into
/// its own file named after `module`, fetched at the first call; elsewhere
/// the body is simply called.
#[macro_export]
macro_rules! split {
    ($module:ident: fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $output:ty $body:block) => {
        async fn $name($($arg: $ty),*) -> Result<$output, $crate::components::lazy::Unavailable> {
            // Named as the outer function: the split point's symbols are named after it.
            #[cfg_attr(ha_lab_split, wasm_split_helpers::wasm_split($module, fallible))]
            fn $name($($arg: $ty),*) -> Result<$output, $crate::components::lazy::Unavailable> {
                let output: $output = $body;
                Ok(output)
            }
            #[cfg(ha_lab_split)]
            return $name($($arg),*).await;
            #[cfg(not(ha_lab_split))]
            return $name($($arg),*);
        }
    };
}

thread_local! {
    /// Each part's stylesheet, loading or loaded: see [`stylesheet`].
    static STYLESHEETS: std::cell::RefCell<Vec<(&'static str, js_sys::Promise)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Loads the stylesheet of the part named `name`, if the page has one
/// waiting for it: `<link rel=stylesheet disabled data-part=NAME>`, which
/// the browser fetches only once enabled (scripts/split-wasm.mjs writes it
/// for `static/NAME.css`). Returns once it has loaded, so that the part is
/// never drawn unstyled; or failed, and then the part works unstyled.
async fn stylesheet(name: &'static str) {
    let loading = STYLESHEETS.with_borrow_mut(|sheets| {
        if let Some((_, promise)) = sheets.iter().find(|(n, _)| *n == name) {
            return Some(promise.clone());
        }
        let link = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("link[data-part=\"{name}\"]"))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlLinkElement>().ok())?;
        let promise = js_sys::Promise::new(&mut |done, _| {
            for event in ["load", "error"] {
                let _ = link.add_event_listener_with_callback(event, &done);
            }
        });
        link.set_disabled(false);
        sheets.push((name, promise.clone()));
        Some(promise)
    });
    if let Some(promise) = loading {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// `part!(NAME = module, "what it is", |arg| html)` declares `static NAME:
/// Part`, drawn by the closure, and split (see [`split!`]) into its own
/// file named after `module`.
#[macro_export]
macro_rules! part {
    ($(#[$doc:meta])* $vis:vis $name:ident = $module:ident, $what:literal, $draw:expr) => {
        $(#[$doc])*
        $vis static $name: $crate::components::lazy::Part = $crate::components::lazy::Part {
            name: stringify!($module),
            what: $what,
            load: || {
                $crate::split! { $module: fn $module() -> $crate::components::lazy::Draw { $draw } }
                Box::pin($module())
            },
            loaded: std::sync::OnceLock::new(),
        };
    };
}

#[derive(Properties, PartialEq)]
pub struct LazyProps {
    pub part: &'static Part,
    /// What the part is drawn for (a lesson's id), if anything.
    #[prop_or_default]
    pub arg: AttrValue,
    /// No "Loading…" line: for a part that draws nothing to see.
    #[prop_or_default]
    pub quiet: bool,
}

/// Draws `part`: at once if its code is here, else a "Loading…" line until
/// it is (unless `quiet`), or a message and a "Try again" button if it
/// cannot be fetched.
#[function_component(Lazy)]
pub fn lazy(props: &LazyProps) -> Html {
    match use_part(props.part, true) {
        (Some(Ok(draw)), _) => draw(&props.arg),
        (None, _) if props.quiet => Html::default(),
        (outcome, retry) => status(props.part, outcome, retry),
    }
}

#[derive(Properties, PartialEq)]
pub struct DisclosureProps {
    pub part: &'static Part,
    /// What the part is drawn for (a node's name), if anything.
    #[prop_or_default]
    pub arg: AttrValue,
    /// The summary's words: what opening it shows.
    pub summary: AttrValue,
    pub class: &'static str,
}

/// A disclosure (`<details>`) whose content is `part`, drawn once it is
/// first opened; pointing at its summary or focusing it starts loading the
/// part's code.
#[function_component(Disclosure)]
pub fn disclosure(props: &DisclosureProps) -> Html {
    let opened = use_state(|| false);
    let ontoggle = {
        let opened = opened.clone();
        Callback::from(move |e: Event| {
            if e.target_dyn_into::<web_sys::Element>()
                .is_some_and(|details| details.has_attribute("open"))
            {
                opened.set(true);
            }
        })
    };
    let part = props.part;
    html! {
        <details class={props.class} {ontoggle}>
            <summary onpointerenter={part.preload_on_pointer()} onfocus={part.preload_on_focus()}>
                { props.summary.clone() }
            </summary>
            if *opened { <Lazy {part} arg={props.arg.clone()} /> }
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct OnSightProps {
    pub part: &'static Part,
    /// The slot's class, which places it in the page's grid.
    pub class: &'static str,
    /// The name of the region that the part draws, which the slot has
    /// until the part is drawn.
    pub label: &'static str,
}

/// Draws `part` in a slot of the page that loads its code only when it
/// comes into view: scrolled to, or reached with Tab. Until then the slot
/// is an empty region named `label`, which Tab can reach and which keeps
/// the focus while the part loads, so that the next Tab goes into the part.
/// The learner's first scroll also starts loading it. The slot is drawn
/// whether or not the code was here at first, so that the page's layout is
/// the same in every build.
#[function_component(OnSight)]
pub fn on_sight(props: &OnSightProps) -> Html {
    let part = props.part;
    let slot = use_node_ref();
    // Whether the slot had to wait for the part: it then stays focusable
    // (tabindex -1), so that a focus it had while waiting is kept.
    let waited = *use_state(|| part.here().is_none());
    let seen = use_state(|| !waited);
    {
        let (slot, seen) = (slot.clone(), seen.clone());
        use_effect_with(*seen, move |&already| {
            let watching = (!already).then(|| watch(&slot, move || seen.set(true), part));
            move || drop(watching)
        });
    }
    let (outcome, retry) = use_part(part, *seen);
    let drawn = matches!(outcome, Some(Ok(_)));
    let onfocus = (!*seen).then(|| {
        let seen = seen.clone();
        Callback::from(move |_: FocusEvent| seen.set(true))
    });
    html! {
        <div ref={slot} class={classes!("slot", props.class)}
            role={(!drawn).then_some("region")}
            aria-label={(!drawn).then_some(props.label)}
            tabindex={waited.then_some(if drawn { "-1" } else { "0" })}
            {onfocus}>
            {
                match outcome {
                    Some(Ok(draw)) => draw(&AttrValue::default()),
                    _ if *seen => status(part, outcome, retry),
                    _ => Html::default(),
                }
            }
        </div>
    }
}

/// What keeps an [`OnSight`] slot watched: dropped, it stops.
struct Watching {
    observer: Option<web_sys::IntersectionObserver>,
    _on_sight: Closure<dyn FnMut(js_sys::Array)>,
    _first_scroll: Option<gloo_events::EventListener>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        if let Some(observer) = &self.observer {
            observer.disconnect();
        }
    }
}

/// Calls `on_sight` when `slot` comes into view, and preloads `part` at
/// the page's first scroll. A browser without IntersectionObserver calls
/// it at once.
fn watch(slot: &NodeRef, on_sight: impl Fn() + 'static, part: &'static Part) -> Watching {
    let on_sight = std::rc::Rc::new(on_sight);
    let callback = {
        let on_sight = on_sight.clone();
        Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|entry| {
                entry
                    .dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|entry| entry.is_intersecting())
            });
            if visible {
                on_sight();
            }
        })
    };
    let observer = slot.cast::<web_sys::Element>().and_then(|element| {
        let observer =
            web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        observer.observe(&element);
        Some(observer)
    });
    if observer.is_none() {
        on_sight();
    }
    let first_scroll = web_sys::window()
        .map(|window| gloo_events::EventListener::once(&window, "scroll", move |_| part.preload()));
    Watching {
        observer,
        _on_sight: callback,
        _first_scroll: first_scroll,
    }
}

/// A part's code for the component that draws it, once `wanted`: `None`
/// while it loads, and a callback that loads it again after a failure.
#[hook]
fn use_part(
    part: &'static Part,
    wanted: bool,
) -> (Option<Result<Draw, Unavailable>>, Callback<MouseEvent>) {
    // Bumped by "Try again", to load again.
    let attempt = use_state(|| 0u32);
    // None until loaded, or until it failed.
    let outcome = use_state(|| part.here().map(Ok));
    {
        let outcome = outcome.clone();
        use_effect_with((wanted, *attempt), move |&(wanted, _)| {
            if wanted && outcome.is_none() {
                spawn_local(async move { outcome.set(Some(part.fetch().await)) });
            }
        });
    }
    let retry = {
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| {
            outcome.set(None);
            attempt.set(*attempt + 1);
        })
    };
    (*outcome, retry)
}

/// The line that a part shows instead of itself: "Loading the settings…"
/// while `outcome` is `None`, or the failure with a "Try again" button.
fn status(
    part: &Part,
    outcome: Option<Result<Draw, Unavailable>>,
    retry: Callback<MouseEvent>,
) -> Html {
    if outcome.is_none() {
        return html! { <p class="part-loading" role="status">{ format!("Loading {}…", part.what) }</p> };
    }
    html! {
        <p class="part-failed" role="alert">
            { format!("Could not load {}: check the connection, then try again. ", part.what) }
            <button type="button" onclick={retry}>{ "Try again" }</button>
        </p>
    }
}
