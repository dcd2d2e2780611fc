//! A cell that holds several e-mail addresses (`ann@x.com; ann.lee@y.org`),
//! mapped to a subcollection's instance (`Telcom[Email]`): the first address
//! is the mapping's, each other one a further instance of the same type,
//! numbered past those the file maps, so that none is lost or blended into
//! one invalid address. A plain e-mail field has room for one: such a cell
//! is kept as entered, with a warning, as before.

use super::value::{ValueConverter, show};
use super::{Compiled, Slot};
use crate::problem::{ProblemKind, Severity};
use crate::record::{Record, Value};

/// Gives each e-mail mapping to an instance without a `typeFrom` its spare
/// instance: one past the highest instance of its subcollection and type
/// that any mapping of the file fills.
pub(super) fn number_spares(mappings: &mut [Compiled]) {
    let key = |m: &Compiled| match &m.slot {
        Slot::Attribute { subcollection, type_name, instance, .. } => {
            Some((subcollection.clone(), type_name.clone(), *instance))
        }
        Slot::Field(_) => None,
    };
    let slots: Vec<_> = mappings.iter().map(key).collect();
    for (m, slot) in mappings.iter_mut().zip(&slots) {
        let Some((sub, type_name, _)) = slot else { continue };
        if !matches!(m.converter, ValueConverter::Email) || m.row_type.is_some() {
            continue;
        }
        let highest =
            slots.iter().flatten().filter(|(s, t, _)| s == sub && t == type_name).map(|k| k.2).max();
        m.spare = highest.map(|h| h + 1);
    }
}

/// The cell's first address when it holds several valid ones and `m` has a
/// spare instance for the others, which go to `more` (with a warning in
/// `found`); otherwise the cell as it is.
pub(super) fn first_address<'a>(
    m: &Compiled,
    cell: &'a str,
    more: &mut Vec<String>,
    found: &mut Vec<(Severity, ProblemKind, String)>,
) -> &'a str {
    let Some(spare) = m.spare else { return cell };
    let Some(parts) = crate::email::several(cell) else { return cell };
    let Slot::Attribute { subcollection, type_name, .. } = &m.slot else { return cell };
    let rest: Vec<String> = parts[1..].iter().map(|p| format!("`{}`", show(p))).collect();
    found.push((
        Severity::Warning,
        ProblemKind::InvalidEmail,
        format!(
            "`{}` holds {} e-mail addresses: the first is stored here, {} as further `{subcollection}[{type_name}]` instances (from instance {spare})",
            show(cell.trim()),
            parts.len(),
            rest.join(", ")
        ),
    ));
    more.extend(parts[1..].iter().map(|p| p.to_string()));
    parts[0]
}

/// Stores the other addresses of a cell in the spare instances of `m`'s
/// subcollection and type that the record does not fill yet.
pub(super) fn store(record: &mut Record, m: &Compiled, more: Vec<String>) {
    let (Some(spare), Slot::Attribute { subcollection, type_name, attribute, .. }) = (m.spare, &m.slot)
    else {
        return;
    };
    let mut instance = spare;
    for address in more {
        let Ok(address) = crate::email::parse(&address) else { continue };
        while record
            .instances
            .iter()
            .any(|i| i.subcollection == *subcollection && i.type_name == *type_name && i.instance == instance)
        {
            instance += 1;
        }
        record
            .instance_mut(subcollection, type_name, instance)
            .attributes
            .insert(attribute.clone(), Value::Text(address));
    }
}
