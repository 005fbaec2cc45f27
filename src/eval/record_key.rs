//! Keys (of a `per`, or of a group) encoded from a record as [`encode_key`] encodes their
//! values: a bare field, or the `date` of one, straight from the record's slot, without
//! building a value; any other expression evaluated.

use super::expr::DivByZero;
use super::row::{Row, Slot};
use crate::ir::{Col, Node, RExpr};
use crate::keytable::{encode_date, encode_datetime, encode_int, encode_key, encode_str};
use crate::value::{OpError, Value};

/// How a key (of a `per`, or a group) is encoded from a record: a bare field, or the date of
/// one, straight from the record's slot (as [`encode_key`] encodes its value); any other
/// expression evaluated.
#[derive(Clone, Copy)]
pub enum KeyPart {
    Field(Col),
    DateOf(Col),
    Expr,
}

impl KeyPart {
    pub fn of(e: &RExpr) -> KeyPart {
        match e {
            Node::Leaf(c) => KeyPart::Field(*c),
            Node::Func(f, args) if f.name == "date" => match args.as_slice() {
                [Node::Leaf(c)] => KeyPart::DateOf(*c),
                _ => KeyPart::Expr,
            },
            _ => KeyPart::Expr,
        }
    }

    /// Append the encoded key `e` (planned as `self`) of a record; `false` for null. On an
    /// error nothing was appended.
    #[inline]
    pub fn encode(
        self,
        e: &RExpr,
        row: &Row,
        buf: &mut Vec<u8>,
        dz: &DivByZero,
    ) -> Result<bool, OpError> {
        let c = match self {
            KeyPart::Field(c) => c,
            KeyPart::DateOf(c) => {
                // `date(t)`: the day a date or datetime falls on (`on_day` in the registry).
                match row.slots[c.0 as usize] {
                    Slot::Date(d) => encode_date(d, buf),
                    Slot::DateTime(t) => {
                        encode_date(t.div_euclid(crate::time::MICROS_PER_DAY), buf)
                    }
                    Slot::Null => return Ok(encode_key(&Value::Null, buf)),
                    _ => return Ok(encode_key(&row.eval(e, dz)?, buf)),
                }
                return Ok(true);
            }
            KeyPart::Expr => return Ok(encode_key(&row.eval(e, dz)?, buf)),
        };
        match row.slots[c.0 as usize] {
            Slot::Null => return Ok(encode_key(&Value::Null, buf)),
            Slot::Int(i) => encode_int(i, buf),
            Slot::Str(s, e) => encode_str(&row.text.as_bytes()[s as usize..e as usize], buf),
            Slot::Printed(s, e) => encode_str(&row.printed.as_bytes()[s as usize..e as usize], buf),
            Slot::Date(d) => encode_date(d, buf),
            Slot::DateTime(t) => encode_datetime(t, buf),
            Slot::Bool(_) | Slot::Num(_) | Slot::Dur(_) => return Ok(encode_key(&row.get(c), buf)),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    /// A key encoded from the slot is the encoding of the key's value, for every slot.
    #[test]
    fn keys_from_slots_are_encoded_as_their_values() {
        let date = crate::registry::function("date").expect("date is a function");
        let field = Node::Leaf(Col(0));
        let day_of = Node::Func(date, vec![Node::Leaf(Col(0))]);
        let sum = Node::Binary(
            crate::op::BinOp::Add,
            Box::new(Node::Leaf(Col(0))),
            Box::new(Node::Leaf(Col(0))),
        );
        let long = "x".repeat(300);
        let text = format!("T37331é{long}");
        let day = crate::time::MICROS_PER_DAY;
        let slots = [
            Slot::Null,
            Slot::Bool(true),
            Slot::Num(Decimal::new(4200, 2)),
            Slot::Num(Decimal::new(12345, 3)),
            Slot::Int(42),
            Slot::Dur(Decimal::new(90, 0)),
            Slot::Str(0, 6),
            Slot::Str(0, 8),
            Slot::Str(8, 308),
            Slot::Printed(1, 3),
            Slot::Date(-1),
            Slot::Date(i64::from(i32::MAX) + 1),
            Slot::DateTime(-1),
            Slot::DateTime(20_000 * day + 5),
            Slot::DateTime(-3 * day),
        ];
        let dz = DivByZero::default();
        for slot in slots {
            for e in [&field, &day_of, &sum] {
                let one = [slot];
                let row = Row {
                    slots: &one,
                    text: &text,
                    printed: "a1b",
                };
                let (mut got, mut want) = (Vec::new(), Vec::new());
                let part = KeyPart::of(e);
                match (part.encode(e, &row, &mut got, &dz), row.eval(e, &dz)) {
                    (Ok(kept), Ok(v)) => {
                        assert_eq!(kept, encode_key(&v, &mut want), "{slot:?}");
                        assert_eq!(got, want, "{slot:?}");
                    }
                    (Err(_), Err(_)) => assert!(got.is_empty(), "{slot:?}"),
                    (g, w) => panic!("{slot:?}: {g:?} against {w:?}"),
                }
            }
        }
    }
}
