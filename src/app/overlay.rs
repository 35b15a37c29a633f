//! What stands over the screen: help, the filter prompt, a picker, a form, a question, the
//! kiosk's unlock prompt. They stack: the top one takes the keys, and they are drawn from the
//! bottom up, so the order that decides both is this one stack.

use crate::app::commands::Context;
use crate::app::filter_prompt::FilterPrompt;
use crate::app::form::Form;
use crate::app::picker::Picker;
use crate::data_task::Request;

#[derive(Debug, Clone)]
pub enum Overlay {
    Help(HelpView),
    Prompt(FilterPrompt),
    Picker(Picker),
    Form(Form),
    Confirm(Confirm),
    Unlock(UnlockPrompt),
}

/// The help overlay: every key, in one column that scrolls.
#[derive(Debug, Clone, Default)]
pub struct HelpView {
    /// The first line shown.
    pub scroll: usize,
}

/// A change waiting for the user's yes.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub question: String,
    pub request: Request,
}

/// The password prompt that stands between a kiosk and quitting.
#[derive(Debug, Clone, Default)]
pub struct UnlockPrompt {
    pub input: tui_input::Input,
    pub error: Option<String>,
}

impl Overlay {
    /// Where the overlay's keys are looked up.
    pub fn context(&self) -> Context {
        match self {
            Overlay::Help(_) => Context::Help,
            Overlay::Prompt(_) => Context::Prompt,
            Overlay::Picker(_) => Context::Picker,
            Overlay::Form(_) => Context::Form,
            Overlay::Confirm(_) => Context::Confirm,
            Overlay::Unlock(_) => Context::Unlock,
        }
    }
}

/// The stack of overlays, bottom first.
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    stack: Vec<Overlay>,
}

macro_rules! accessors {
    ($($get:ident, $get_mut:ident, $close:ident: $variant:ident($type:ty);)*) => {
        $(
            pub fn $get(&self) -> Option<&$type> {
                self.stack.iter().rev().find_map(|overlay| match overlay {
                    Overlay::$variant(inner) => Some(inner),
                    _ => None,
                })
            }

            pub fn $get_mut(&mut self) -> Option<&mut $type> {
                self.stack.iter_mut().rev().find_map(|overlay| match overlay {
                    Overlay::$variant(inner) => Some(inner),
                    _ => None,
                })
            }

            /// Closes it, giving back what it held.
            pub fn $close(&mut self) -> Option<$type> {
                let at = self
                    .stack
                    .iter()
                    .rposition(|overlay| matches!(overlay, Overlay::$variant(_)))?;
                match self.stack.remove(at) {
                    Overlay::$variant(inner) => Some(inner),
                    _ => None,
                }
            }
        )*
    };
}

impl Overlays {
    accessors! {
        help, help_mut, close_help: Help(HelpView);
        prompt, prompt_mut, close_prompt: Prompt(FilterPrompt);
        picker, picker_mut, close_picker: Picker(Picker);
        form, form_mut, close_form: Form(Form);
        confirm, confirm_mut, close_confirm: Confirm(Confirm);
        unlock, unlock_mut, close_unlock: Unlock(UnlockPrompt);
    }

    /// Puts `overlay` on top. One of a kind: an older one of the same kind is replaced.
    pub fn open(&mut self, overlay: Overlay) {
        let kind = std::mem::discriminant(&overlay);
        self.stack
            .retain(|open| std::mem::discriminant(open) != kind);
        self.stack.push(overlay);
    }

    pub fn top(&self) -> Option<&Overlay> {
        self.stack.last()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// Bottom first: the order they are drawn in.
    pub fn iter(&self) -> impl Iterator<Item = &Overlay> {
        self.stack.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_overlay_is_on_top_and_one_of_each_kind() {
        let mut overlays = Overlays::default();
        overlays.open(Overlay::Help(HelpView::default()));
        overlays.open(Overlay::Unlock(UnlockPrompt::default()));
        assert_eq!(overlays.top().map(Overlay::context), Some(Context::Unlock));
        overlays.open(Overlay::Help(HelpView { scroll: 3 }));
        assert_eq!(overlays.top().map(Overlay::context), Some(Context::Help));
        assert_eq!(overlays.iter().count(), 2, "the older help is replaced");
        assert_eq!(overlays.close_help().map(|help| help.scroll), Some(3));
        assert!(overlays.help().is_none());
        assert!(overlays.unlock().is_some());
    }
}
