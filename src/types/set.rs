//! Placeholder: the set type is being written (see the type's issue).

/// A set value.
#[derive(Clone, Debug, Default)]
pub struct Set {}

impl Set {
    pub fn encoding_name(&self) -> &'static str {
        "placeholder"
    }

    pub fn len(&self) -> usize {
        0
    }

    pub fn is_empty(&self) -> bool {
        true
    }

    /// Mixes the logical content into a DEBUG DIGEST accumulator.
    pub fn digest(&self, _d: &mut [u8; 20]) {}

    /// Heap bytes used by the value (for MEMORY USAGE).
    pub fn alloc_size(&self) -> usize {
        0
    }
}

/// DEBUG subcommands owned by this type (e.g. DEBUG LISTPACK): return
/// None when `ctx.argv[1]` is not one of them.
pub fn debug_hook(_ctx: &mut crate::server::Ctx) -> Option<crate::server::CmdResult> {
    None
}
