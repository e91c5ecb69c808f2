//! Director build numbers such as `21.75.1908.0`, compared numerically part
//! by part (so `21.100` is newer than `21.75`, which a string compare gets wrong).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The first Connect build that supports HYBRID services.
pub const HYBRID_MINIMUM: BuildNumber = BuildNumber([21, 75, 1908, 0]);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BuildNumber(pub [u32; 4]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildParseError {
    #[error("the build number is empty")]
    Empty,
    #[error("\"{0}\" is not a build number like 21.75.1908.0 (four numbers separated by dots)")]
    Malformed(String),
}

impl FromStr for BuildNumber {
    type Err = BuildParseError;

    /// Accepts 1 to 4 dot-separated numbers; missing parts count as 0.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(BuildParseError::Empty);
        }
        let malformed = || BuildParseError::Malformed(text.to_string());
        let mut parts = [0u32; 4];
        for (index, piece) in text.split('.').enumerate() {
            if index == 4 || piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed());
            }
            parts[index] = piece.parse().map_err(|_| malformed())?;
        }
        Ok(BuildNumber(parts))
    }
}

impl TryFrom<String> for BuildNumber {
    type Error = BuildParseError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<BuildNumber> for String {
    fn from(value: BuildNumber) -> Self {
        value.to_string()
    }
}

impl fmt::Display for BuildNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        write!(f, "{a}.{b}.{c}.{d}")
    }
}

impl Ord for BuildNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl PartialOrd for BuildNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// ShoreTel 14.2 GA8: the first build of that older product line with
/// "HYBRID for ST14.2" (Mitel's knowledge base).
pub const ST14_2_HYBRID_MINIMUM: BuildNumber = BuildNumber([19, 43, 7902, 0]);

/// What a build offers of HYBRID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HybridSupport {
    /// The Connect line (21.75.1908.0 or later): Administration > System >
    /// Hybrid > Synchronization.
    Connect,
    /// ShoreTel 14.2 GA8 or a later 14.2 build: "HYBRID for ST14.2", set up
    /// on Administration > Connect Services ("HYBRID account"); every user
    /// needs a DID too.
    ShoreTel142,
    /// Too old: upgrade to this build or later.
    TooOld { upgrade_to: BuildNumber },
}

/// Where a product line sets HYBRID up in Director, in its own words: the
/// guided steps name these (a ShoreTel 14.2 admin would not find "Hybrid >
/// Synchronization").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HybridScreens {
    /// What the product is called ("Connect Director 21.90.9743.0").
    pub director: &'static str,
    /// The page with the account link, the Account ID and the Token.
    pub page: &'static str,
    /// The link on that page that opens the Portal's registration.
    pub account_link: &'static str,
    /// Every user needs a DID as well as a unique email.
    pub needs_did: bool,
}

impl HybridScreens {
    /// The Connect line's, also when the build is not known.
    pub const CONNECT: HybridScreens = HybridScreens {
        director: "Connect Director",
        page: "Administration > System > Hybrid > Synchronization",
        account_link: "Connect account link",
        needs_did: false,
    };
    /// "HYBRID for ST14.2".
    pub const SHORETEL_14_2: HybridScreens = HybridScreens {
        director: "ShoreTel Director",
        page: "Administration > Connect Services",
        account_link: "HYBRID account",
        needs_did: true,
    };

    /// The screens of the line `build` (as Director shows it) is on; the
    /// Connect line's when it cannot be read.
    pub fn of_build(build: &str) -> HybridScreens {
        match build
            .parse::<BuildNumber>()
            .map(BuildNumber::hybrid_support)
        {
            Ok(HybridSupport::ShoreTel142) => Self::SHORETEL_14_2,
            _ => Self::CONNECT,
        }
    }
}

impl BuildNumber {
    pub fn supports_hybrid(self) -> bool {
        !matches!(self.hybrid_support(), HybridSupport::TooOld { .. })
    }

    /// Which line this build is on, and whether it has HYBRID: 14.2 builds
    /// are 19.x; builds from 20 below 21.75.1908.0 are an early Connect
    /// without it.
    pub fn hybrid_support(self) -> HybridSupport {
        if self >= HYBRID_MINIMUM {
            HybridSupport::Connect
        } else if self.0[0] == 19 && self >= ST14_2_HYBRID_MINIMUM {
            HybridSupport::ShoreTel142
        } else if self.0[0] <= 19 {
            // A 14.2 build before GA8 (or older): GA8 is the smaller step.
            HybridSupport::TooOld {
                upgrade_to: ST14_2_HYBRID_MINIMUM,
            }
        } else {
            HybridSupport::TooOld {
                upgrade_to: HYBRID_MINIMUM,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> BuildNumber {
        s.parse().expect("valid build in test")
    }

    #[test]
    fn each_line_names_its_own_screens() {
        assert_eq!(
            HybridScreens::of_build("19.43.7902.0"),
            HybridScreens::SHORETEL_14_2
        );
        assert_eq!(
            HybridScreens::of_build("19.49.1000.0"),
            HybridScreens::SHORETEL_14_2
        );
        for connect in ["21.90.9743.0", "20.10.0.0", "19.40.0.0", "", "unknown"] {
            assert_eq!(
                HybridScreens::of_build(connect),
                HybridScreens::CONNECT,
                "{connect}"
            );
        }
    }

    #[test]
    fn compares_numerically_part_by_part() {
        assert!(b("21.75.1908.0").supports_hybrid());
        assert!(b("21.75.1908.1").supports_hybrid());
        assert!(b("21.100.0.0").supports_hybrid());
        assert!(b("22").supports_hybrid());
        assert!(!b("21.75.1907.999").supports_hybrid());
        assert!(!b("21.9.9999.0").supports_hybrid());
        assert!(
            b("19.49.1000.0").supports_hybrid(),
            "a 14.2 build after GA8: HYBRID for ST14.2"
        );
        assert_eq!(b("21.75"), BuildNumber([21, 75, 0, 0]));
    }

    #[test]
    fn rejects_what_is_not_a_build() {
        assert_eq!("".parse::<BuildNumber>(), Err(BuildParseError::Empty));
        for bad in [
            "21..1",
            "21.75.a.0",
            "1.2.3.4.5",
            "-1.0",
            "21.75.",
            "99999999999",
        ] {
            assert!(bad.parse::<BuildNumber>().is_err(), "{bad}");
        }
    }

    #[test]
    fn serde_round_trip() {
        let json = serde_json::to_string(&HYBRID_MINIMUM).expect("serialize");
        assert_eq!(json, "\"21.75.1908.0\"");
        assert_eq!(
            serde_json::from_str::<BuildNumber>(&json).ok(),
            Some(HYBRID_MINIMUM)
        );
    }

    #[test]
    fn two_product_lines() {
        assert_eq!(b("21.75.1908.0").hybrid_support(), HybridSupport::Connect);
        assert_eq!(
            b("19.43.7902.0").hybrid_support(),
            HybridSupport::ShoreTel142
        );
        assert_eq!(
            b("19.49.1000.0").hybrid_support(),
            HybridSupport::ShoreTel142
        );
        assert_eq!(
            b("19.43.7901.9").hybrid_support(),
            HybridSupport::TooOld {
                upgrade_to: ST14_2_HYBRID_MINIMUM
            }
        );
        assert_eq!(
            b("20.10.0.0").hybrid_support(),
            HybridSupport::TooOld {
                upgrade_to: HYBRID_MINIMUM
            }
        );
        assert_eq!(
            b("21.75.1907.999").hybrid_support(),
            HybridSupport::TooOld {
                upgrade_to: HYBRID_MINIMUM
            }
        );
    }
}
