//! monday identifiers. They are numbers in tokens and strings in the SDK's
//! `context`, and some exceed 2^32, so one 64-bit type accepts both forms.

use serde::{de, Deserialize, Deserializer, Serialize};

/// A monday account, user or install id. Signed because `install_id` can be
/// negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MondayId(pub i64);

impl std::fmt::Display for MondayId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for MondayId {
    type Err = std::num::ParseIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().parse().map(MondayId)
    }
}

impl<'de> Deserialize<'de> for MondayId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl de::Visitor<'_> for IdVisitor {
            type Value = MondayId;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a monday id as an integer or a string of digits")
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<MondayId, E> {
                Ok(MondayId(value))
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<MondayId, E> {
                i64::try_from(value).map(MondayId).map_err(|_| E::custom("monday id out of range"))
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<MondayId, E> {
                value.parse().map_err(|_| E::custom(format!("`{value}` is not a monday id")))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_and_string_parse_equal() {
        let from_number: MondayId = serde_json::from_str("9876543210").unwrap();
        let from_string: MondayId = serde_json::from_str("\"9876543210\"").unwrap();
        assert_eq!(from_number, from_string);
        assert_eq!(from_number, MondayId(9_876_543_210));
    }

    #[test]
    fn negative_install_id_parses() {
        let id: MondayId = serde_json::from_str("-42").unwrap();
        assert_eq!(id, MondayId(-42));
    }

    #[test]
    fn non_numeric_is_rejected() {
        assert!(serde_json::from_str::<MondayId>("\"12a\"").is_err());
        assert!(serde_json::from_str::<MondayId>("1.5").is_err());
        assert!(serde_json::from_str::<MondayId>("true").is_err());
    }
}
