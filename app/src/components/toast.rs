//! Short notices after an action ("Saved", "Moved to Proposal", errors), announced to screen readers.

use leptos::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct Toast {
    pub id: u64,
    pub text: String,
    pub error: bool,
}

#[derive(Clone, Copy)]
pub struct Toasts(pub RwSignal<Vec<Toast>>);

impl Toasts {
    pub fn push(&self, text: impl Into<String>, error: bool) {
        let list = self.0;
        let id = list.with_untracked(|l| l.iter().map(|t| t.id).max().unwrap_or(0) + 1);
        list.update(|l| l.push(Toast { id, text: text.into(), error }));
        set_timeout(move || list.update(|l| l.retain(|t| t.id != id)), std::time::Duration::from_secs(if error { 8 } else { 4 }));
    }
}

pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(|| Toasts(RwSignal::new(Vec::new())))
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.0.get() key=|t| t.id let:toast>
                <div class="toast" class:toast-error=toast.error>{toast.text.clone()}</div>
            </For>
        </div>
    }
}
