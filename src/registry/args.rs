//! How a function reads its arguments: evaluated on demand, so that `if` and `coalesce`
//! evaluate only what they need.

use crate::value::{OpError, Value};

pub type Res<'a> = Result<Value<'a>, OpError>;

/// The arguments of one call.
#[allow(clippy::len_without_is_empty)]
pub trait Args<'a> {
    fn len(&self) -> usize;
    /// Evaluate argument `i` (`i < len()`).
    fn get(&mut self, i: usize) -> Res<'a>;
}

/// The value of argument `i`, or `None` when it is null (most functions give null then).
pub fn non_null<'a>(args: &mut dyn Args<'a>, i: usize) -> Result<Option<Value<'a>>, OpError> {
    let v = args.get(i)?;
    Ok((!v.is_null()).then_some(v))
}
