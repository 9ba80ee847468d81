//! Rendering a component inside a lab, and finding things in it the way a
//! learner (or a screen reader) does: by role and accessible name.

use std::cell::RefCell;
use std::rc::Rc;

use ha_lab::components::lab_provider::{LabProvider, LabProviderProps};
use ha_lab::lab::Lab;
use ha_lab::state::LabState;
use ha_lab::url::parse_query;
use ha_sim::lesson::Lesson;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlSelectElement};
use yew::Html;

/// A lab as a link would open it (`"scenario=single-master&t=30s"`),
/// paused; the `Rc` is shared with the rendered page, so a test can read the
/// simulation after a click.
pub fn lab(query: &str) -> (LabState, Rc<RefCell<Lab>>) {
    let request = parse_query(query).unwrap_or_else(|e| panic!("{query}: {e:?}"));
    let mut state = LabState::from_request(&request, Vec::new(), true);
    state.playing = false;
    let shared = state.lab.clone();
    (state, shared)
}

/// Every lesson, in course order, loaded as the site loads a fetched file
/// (the test runner does not serve the site's `lessons/` folder).
pub fn lessons() -> Vec<Rc<Lesson>> {
    const FILES: &[(&str, &str)] = &[
        (
            "why-a-second-master",
            include_str!("../../lessons/why-a-second-master.toml"),
        ),
        (
            "apiservers-active-active",
            include_str!("../../lessons/apiservers-active-active.toml"),
        ),
        (
            "no-parallel-controllers",
            include_str!("../../lessons/no-parallel-controllers.toml"),
        ),
        (
            "leader-election-timings",
            include_str!("../../lessons/leader-election-timings.toml"),
        ),
        (
            "graceful-stop-versus-crash",
            include_str!("../../lessons/graceful-stop-versus-crash.toml"),
        ),
        (
            "stacked-etcd-quorum",
            include_str!("../../lessons/stacked-etcd-quorum.toml"),
        ),
        (
            "external-etcd",
            include_str!("../../lessons/external-etcd.toml"),
        ),
        (
            "quorum-arithmetic",
            include_str!("../../lessons/quorum-arithmetic.toml"),
        ),
        (
            "five-node-design",
            include_str!("../../lessons/five-node-design.toml"),
        ),
    ];
    let ids: Vec<&str> = FILES.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, ha_lab::lessons::IDS, "list every lesson here too");
    FILES
        .iter()
        .map(|(id, text)| ha_lab::lessons::add(id, text).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// Renders `content` inside a [`LabProvider`] holding `state`, into a new
/// element of the page, and returns the element once Yew has drawn it.
pub async fn render(state: LabState, content: Html) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<LabProvider>::with_root_and_props(
        root.clone(),
        LabProviderProps {
            initial: state,
            children: content,
        },
    )
    .render();
    yew::scheduler::flush().await;
    root
}

/// Every element under `root` matching a CSS selector.
pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// An element's accessible name as the tests rely on it: `aria-label` if
/// set, else its text without `aria-hidden` parts, whitespace collapsed.
pub fn accessible_name(element: &Element) -> String {
    let name = element
        .get_attribute("aria-label")
        .unwrap_or_else(|| visible_text(element));
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of `node` and its descendants, skipping `aria-hidden` subtrees.
fn visible_text(node: &web_sys::Node) -> String {
    if let Some(element) = node.dyn_ref::<Element>()
        && element.get_attribute("aria-hidden").as_deref() == Some("true")
    {
        return String::new();
    }
    if node.node_type() == web_sys::Node::TEXT_NODE {
        return node.text_content().unwrap_or_default();
    }
    let children = node.child_nodes();
    (0..children.length())
        .filter_map(|i| children.item(i))
        .map(|child| visible_text(&child))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The one button named `name` (panics listing the buttons there are).
pub fn button(root: &Element, name: &str) -> HtmlElement {
    let buttons = all(root, "button");
    let found: Vec<&Element> = buttons
        .iter()
        .filter(|b| accessible_name(b) == name)
        .collect();
    match found.as_slice() {
        [one] => (*one).clone().dyn_into().unwrap(),
        _ => panic!(
            "expected one button named {name:?}, found {}; buttons: {:?}",
            found.len(),
            buttons.iter().map(accessible_name).collect::<Vec<_>>()
        ),
    }
}

/// Clicks the button named `name` and lets Yew re-render.
pub async fn click(root: &Element, name: &str) {
    button(root, name).click();
    yew::scheduler::flush().await;
}

/// Opens the disclosure whose summary reads `summary`, as a click does, and
/// lets Yew draw what opening it draws (its `toggle` event comes in a task
/// of its own).
pub async fn open(root: &Element, summary: &str) {
    let found = all(root, "summary")
        .into_iter()
        .find(|s| s.text_content().is_some_and(|t| t.trim() == summary))
        .unwrap_or_else(|| panic!("no summary reads {summary:?}"));
    found.dyn_into::<HtmlElement>().unwrap().click();
    let next_task = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(next_task)
        .await
        .unwrap();
    yew::scheduler::flush().await;
}

/// The text of the first element matching `selector`, whitespace collapsed.
pub fn text(root: &Element, selector: &str) -> String {
    let element = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"));
    element
        .text_content()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Shows the parts of the page's state that live outside the `Lab` (the
/// selection, play, speed, notices) as data attributes, for tests to read.
#[yew::function_component(StateProbe)]
pub fn state_probe() -> Html {
    let lab = ha_lab::state::use_lab();
    let selected = match lab.selected {
        Some(ha_lab::state::Selection::Node(n)) => format!("node:{n}"),
        Some(ha_lab::state::Selection::Process(p)) => format!("process:{p}"),
        None => String::new(),
    };
    yew::html! {
        <div class="state-probe" hidden=true
            data-selected={selected}
            data-playing={lab.playing.to_string()}
            data-speed={lab.speed.to_string()}
            data-notices={lab.notices.join("\n")} />
    }
}

/// A data attribute of the [`StateProbe`] rendered under `root`.
pub fn probe(root: &Element, attribute: &str) -> String {
    root.query_selector(".state-probe")
        .unwrap()
        .expect("render a StateProbe next to the component")
        .get_attribute(attribute)
        .unwrap_or_default()
}

/// The selection, as the [`StateProbe`] shows it.
pub fn selected(root: &Element) -> Option<ha_lab::state::Selection> {
    let text = probe(root, "data-selected");
    let (kind, index) = text.split_once(':')?;
    let index = index.parse().ok()?;
    match kind {
        "node" => Some(ha_lab::state::Selection::Node(index)),
        "process" => Some(ha_lab::state::Selection::Process(index)),
        _ => None,
    }
}

/// The control labelled `label` (through `<label for>`).
pub fn labelled(root: &Element, label: &str) -> Element {
    let found = all(root, "label")
        .into_iter()
        .find(|l| l.text_content().unwrap_or_default().trim() == label)
        .unwrap_or_else(|| panic!("no label {label:?}"));
    let id = found
        .get_attribute("for")
        .expect("the label names its control");
    root.query_selector(&format!("#{id}")).unwrap().unwrap()
}

/// Chooses the option `option` of the select labelled `label`, as a learner
/// would, and lets Yew re-render.
pub async fn choose(root: &Element, label: &str, option: &str) {
    let select: HtmlSelectElement = labelled(root, label).dyn_into().unwrap();
    let value = all(&select, "option")
        .into_iter()
        .find(|o| o.text_content().unwrap_or_default().trim() == option)
        .unwrap_or_else(|| panic!("{label} offers no {option:?}"))
        .get_attribute("value")
        .unwrap_or_default();
    select.set_value(&value);
    let document = web_sys::window().unwrap().document().unwrap();
    let change = document.create_event("Event").unwrap();
    change.init_event_with_bubbles("change", true);
    select.dispatch_event(&change).unwrap();
    yew::scheduler::flush().await;
}
