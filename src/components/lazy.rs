//! Code that the first screen does not run (the settings form, the
//! inspector's details, a lesson, the lesson and scenario readers), loaded
//! when first wanted.
//!
//! [`split!`] declares such code as an async function; a part of the page
//! is one that draws it, declared with [`part!`] and drawn by [`Lazy`]. The
//! site's release build (`./lab build`, ARCHITECTURE.md, "Size") compiles with
//! `--cfg ha_lab_split`: each part's function is then a split point of
//! `wasm_split_helpers`, and `scripts/split-wasm.mjs` moves the code that
//! only it reaches into a file of its own under `dist/parts/`, fetched the
//! first time [`Lazy`] draws the part. Every other build (`trunk serve`, the
//! tests) keeps one module, and the part is there at once.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// Draws a loaded part, given [`LazyProps::arg`].
pub type Draw = fn(&AttrValue) -> Html;

/// The part's code could not be fetched (the browser console has why).
#[derive(Debug)]
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

    /// Loads the part's code, and keeps its drawing function once loaded.
    async fn fetch(&self) -> Result<Draw, Unavailable> {
        let draw = (self.load)().await?;
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

/// `part!(NAME = module, "what it is", |arg| html)` declares `static NAME:
/// Part`, drawn by the closure, and split (see [`split!`]) into its own
/// file named after `module`.
#[macro_export]
macro_rules! part {
    ($(#[$doc:meta])* $vis:vis $name:ident = $module:ident, $what:literal, $draw:expr) => {
        $(#[$doc])*
        $vis static $name: $crate::components::lazy::Part = $crate::components::lazy::Part {
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
}

/// Draws `part`: at once if its code is here, else a "Loading…" line until
/// it is, or a message and a "Try again" button if it cannot be fetched.
#[function_component(Lazy)]
pub fn lazy(props: &LazyProps) -> Html {
    let part = props.part;
    // Bumped by "Try again", to load again.
    let attempt = use_state(|| 0u32);
    // None while loading.
    let outcome = use_state(|| part.here().map(Ok));
    {
        let outcome = outcome.clone();
        use_effect_with(*attempt, move |_| {
            if outcome.is_none() {
                spawn_local(async move { outcome.set(Some(part.fetch().await)) });
            }
        });
    }
    match &*outcome {
        Some(Ok(draw)) => draw(&props.arg),
        Some(Err(Unavailable)) => {
            let retry = Callback::from(move |_: MouseEvent| {
                outcome.set(None);
                attempt.set(*attempt + 1);
            });
            html! {
                <p class="part-failed" role="alert">
                    { format!("Could not load {}: check the connection, then try again. ", part.what) }
                    <button type="button" onclick={retry}>{ "Try again" }</button>
                </p>
            }
        }
        None => {
            html! { <p class="part-loading" role="status">{ format!("Loading {}…", part.what) }</p> }
        }
    }
}
