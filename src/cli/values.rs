//! Command-line values of the core's enums: clap stays in `cli/`, the core enums only say
//! their names (`ALL` and `name()`).

use crate::output::{Format, Lang};
use crate::plan::Compare;
use crate::time::Grain;
use clap::builder::PossibleValue;
use clap::ValueEnum;

macro_rules! value_enum {
    ($($t:ty),*) => {$(
        impl ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                &<$t>::ALL
            }
            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(PossibleValue::new(self.name()))
            }
        }
    )*};
}

value_enum!(Grain, Compare, Format, Lang);
