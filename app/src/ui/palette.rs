//! The command palette (Ctrl-K or ⌘-K): type to jump to any page, user,
//! team, workspace or role the viewer may read. A combobox over a listbox:
//! arrows move, Enter goes, Escape closes.

use leptos::{html, prelude::*};
use leptos_router::hooks::use_navigate;

use crate::{api::palette_search, domain::Jump, ui::components::open_modal};

/// How long typing must pause before the palette asks the server.
const SEARCH_PAUSE: std::time::Duration = std::time::Duration::from_millis(150);

/// The pages of the console, as the palette offers them.
pub type Pages = Vec<(&'static str, &'static str)>;

/// The palette's dialog, and the button that opens it (beside the
/// navigation, so it can be found without knowing the shortcut).
#[component]
pub fn CommandPalette(pages: Pages) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let input = NodeRef::<html::Input>::new();
    let typed = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    // Fetched by hand, not as a Resource: a Resource read here would put the
    // whole console (inside the layout's Suspense) back to "Loading…" on
    // every keystroke.
    let found = RwSignal::new(Vec::<Jump>::new());
    // Whether the server's answer to what is typed is still to come, and
    // why it did not come: said under the list, never a silent empty list.
    let searching = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    // Asks the server once typing pauses, not on every keystroke.
    let search = move |text: String| {
        failed.set(None);
        searching.set(!text.trim().is_empty());
        set_timeout(
            move || {
                if typed.get_untracked() != text || text.trim().is_empty() {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = palette_search(text.clone()).await;
                    // Only the answer to what is typed now.
                    if typed.get_untracked() != text {
                        return;
                    }
                    searching.set(false);
                    match answer {
                        Ok(answer) => found.set(answer),
                        Err(error) => {
                            found.set(Vec::new());
                            failed.set(Some(format!(
                                "Users, teams, workspaces and roles could not be searched: {error}"
                            )));
                        }
                    }
                });
            },
            SEARCH_PAUSE,
        );
    };
    let pages = StoredValue::new(pages);
    let open = move || {
        typed.set(String::new());
        found.set(Vec::new());
        searching.set(false);
        failed.set(None);
        active.set(0);
        open_modal(dialog);
        if let Some(input) = input.get_untracked() {
            let _ = input.focus();
        }
    };
    listen_for_shortcut(open);
    // Pages match by name at once; the rest comes from the server.
    let results = move || {
        let text = typed.get().trim().to_lowercase();
        let mut all: Vec<Jump> = pages
            .get_value()
            .into_iter()
            .filter(|(label, _)| text.is_empty() || label.to_lowercase().contains(&text))
            .map(|(label, href)| Jump { kind: "page".to_owned(), label: label.to_owned(), href: href.to_owned() })
            .collect();
        all.extend(found.get());
        all
    };
    let note = move || {
        let text = typed.get();
        let text = text.trim();
        if let Some(failed) = failed.get() {
            failed
        } else if text.is_empty() {
            String::new()
        } else if searching.get() {
            "Searching…".to_owned()
        } else if results().is_empty() {
            format!("Nothing you may open matches “{text}”.")
        } else {
            String::new()
        }
    };
    let navigate = use_navigate();
    let go = move |jump: Option<Jump>| {
        if let Some(jump) = jump {
            if let Some(dialog) = dialog.get_untracked() {
                dialog.close();
            }
            navigate(&jump.href, Default::default());
        }
    };
    let go_active = go.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let count = results().len();
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + 1) % count);
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + count - 1) % count);
            }
            "Enter" => {
                ev.prevent_default();
                go_active(results().get(active.get_untracked()).cloned());
            }
            _ => {}
        }
    };
    let option_id = |i: usize| format!("palette-option-{i}");
    view! {
        <button type="button" class="button button-quiet palette-button" on:click=move |_| open()
            aria-keyshortcuts="Control+K Meta+K">
            "Search" <kbd>"Ctrl K"</kbd>
        </button>
        <dialog node_ref=dialog class="dialog palette" aria-label="Jump to">
            <input node_ref=input type="text" class="palette-input" role="combobox" aria-label="Jump to"
                aria-expanded="true" aria-controls="palette-results" aria-autocomplete="list"
                aria-activedescendant=move || (!results().is_empty()).then(|| option_id(active.get()))
                placeholder="A page, user, team, workspace or role…"
                prop:value=move || typed.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    typed.set(text.clone());
                    active.set(0);
                    search(text);
                }
                on:keydown=on_key/>
            <ul id="palette-results" role="listbox" aria-label="Places" class="palette-results">
                {move || {
                    let go = go.clone();
                    results().into_iter().enumerate().map(|(i, jump)| {
                        let go = go.clone();
                        let target = jump.clone();
                        view! {
                            <li id=option_id(i) role="option" aria-selected=move || (active.get() == i).to_string()
                                class="palette-option" on:click=move |_| go(Some(target.clone()))>
                                <span class="badge">{jump.kind.clone()}</span> " " {jump.label.clone()}
                            </li>
                        }
                    }).collect::<Vec<_>>()
                }}
            </ul>
            <p class="palette-note" role="status">{note}</p>
        </dialog>
    }
}

/// Ctrl-K / ⌘-K anywhere opens the palette.
#[cfg(feature = "hydrate")]
fn listen_for_shortcut(open: impl Fn() + Clone + 'static) {
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            open();
        }
    });
    on_cleanup(move || handle.remove());
}

#[cfg(not(feature = "hydrate"))]
fn listen_for_shortcut(_open: impl Fn() + Clone + 'static) {}
