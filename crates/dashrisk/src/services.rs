//! A local services directory: for each referral pathway, the services an officer
//! can refer to, with who each is for and how to refer. Read from a JSON file
//! (`dashrisk-services/1`, documented in docs/guide-officer-trainer.md) and checked:
//! every problem names the entry, the field, the value and what is allowed.
//!
//! Children's and young people's support is its own kind of entry
//! ([`Audience::ChildrenAndYoungPeople`]): the seeds ask for whole-family support,
//! not only for the parents.

use crate::result::Pathway;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format of a services file.
pub const FORMAT: &str = "dashrisk-services/1";

/// Who a service is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Adult victims or survivors.
    Adults,
    /// Children and young people.
    ChildrenAndYoungPeople,
    /// Both parents together (e.g. Reducing Parental Conflict programmes).
    BothParents,
    /// The whole family.
    WholeFamily,
    /// People who harm, to change their behaviour.
    PeopleWhoHarm,
}

impl Audience {
    /// The allowed values, as written in the file.
    pub const VALUES: [&'static str; 5] = [
        "adults",
        "children_and_young_people",
        "both_parents",
        "whole_family",
        "people_who_harm",
    ];

    /// In words, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Audience::Adults => "Adults",
            Audience::ChildrenAndYoungPeople => "Children and young people",
            Audience::BothParents => "Both parents",
            Audience::WholeFamily => "The whole family",
            Audience::PeopleWhoHarm => "People who harm",
        }
    }
}

/// One service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The service's name.
    pub name: String,
    /// The pathway it serves.
    pub pathway: Pathway,
    /// Who it is for.
    pub audience: Audience,
    /// What it offers.
    pub offers: String,
    /// How to refer.
    pub how_to_refer: String,
    /// Telephone number, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Web address, if any (`https://` or `http://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The area it covers.
    pub area: String,
    /// Whether the entry is an example, not a real service.
    #[serde(default)]
    pub placeholder: bool,
}

/// A checked services directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Services {
    /// The area the directory is for.
    pub area: String,
    /// Whether every entry is a placeholder (the shipped example).
    pub placeholder: bool,
    /// The services, in file order.
    pub services: Vec<Service>,
}

/// A problem in a services file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {problem}")]
pub struct ServicesError {
    /// Where: `services[3].pathway`, or the file.
    pub location: String,
    /// What is wrong, and what is allowed.
    pub problem: String,
}

fn err(location: impl Into<String>, problem: impl Into<String>) -> ServicesError {
    ServicesError {
        location: location.into(),
        problem: problem.into(),
    }
}

const PATHWAYS: [&str; 9] = [
    "marac",
    "idva",
    "specialist_da_service",
    "victim_support",
    "rpc_support",
    "early_help",
    "childrens_social_care",
    "operation_encompass",
    "management_oversight",
];

const ENTRY_FIELDS: [&str; 9] = [
    "name",
    "pathway",
    "audience",
    "offers",
    "how_to_refer",
    "phone",
    "url",
    "area",
    "placeholder",
];

fn text<'a>(
    entry: &'a serde_json::Map<String, serde_json::Value>,
    at: &str,
    field: &str,
    required: bool,
) -> Result<Option<&'a str>, ServicesError> {
    match entry.get(field) {
        None | Some(serde_json::Value::Null) if !required => Ok(None),
        None | Some(serde_json::Value::Null) => {
            Err(err(format!("{at}.{field}"), "is missing; it is required"))
        }
        Some(serde_json::Value::String(s)) if s.trim().is_empty() && required => {
            Err(err(format!("{at}.{field}"), "is empty; it is required"))
        }
        Some(serde_json::Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(err(format!("{at}.{field}"), format!("{other} is not text"))),
    }
}

impl Services {
    /// Reads and checks a services file.
    ///
    /// ```
    /// let s = dashrisk::services::Services::from_json(dashrisk::services::EXAMPLE).unwrap();
    /// assert!(s.placeholder);
    /// let rpc = s.for_pathway(dashrisk::Pathway::RpcSupport);
    /// assert!(!rpc.is_empty());
    /// ```
    pub fn from_json(json: &str) -> Result<Services, ServicesError> {
        let v: serde_json::Value =
            serde_json::from_str(json).map_err(|e| err("the file", format!("is not JSON: {e}")))?;
        let obj = v
            .as_object()
            .ok_or_else(|| err("the file", "is not a JSON object"))?;
        for k in obj.keys() {
            if !["format", "area", "placeholder", "services"].contains(&k.as_str()) {
                return Err(err(
                    k.as_str(),
                    "is not a field of a services file; expected format, area, placeholder, services",
                ));
            }
        }
        match obj.get("format").and_then(|f| f.as_str()) {
            Some(FORMAT) => {}
            other => return Err(err("format", format!("is {other:?}; expected {FORMAT:?}"))),
        }
        let area = text(obj, "the file", "area", true)?
            .unwrap_or_default()
            .to_string();
        let placeholder = match obj.get("placeholder") {
            None => false,
            Some(serde_json::Value::Bool(b)) => *b,
            Some(other) => return Err(err("placeholder", format!("{other} is not true or false"))),
        };
        let list = obj
            .get("services")
            .and_then(|s| s.as_array())
            .ok_or_else(|| err("services", "is missing or not a list"))?;
        let mut services = Vec::with_capacity(list.len());
        for (i, e) in list.iter().enumerate() {
            let at = format!("services[{i}]");
            let entry = e.as_object().ok_or_else(|| err(&at, "is not an object"))?;
            for k in entry.keys() {
                if !ENTRY_FIELDS.contains(&k.as_str()) {
                    return Err(err(
                        format!("{at}.{k}"),
                        format!(
                            "is not a field of a service; expected one of {}",
                            ENTRY_FIELDS.join(", ")
                        ),
                    ));
                }
            }
            let name = text(entry, &at, "name", true)?.unwrap_or_default();
            let at = format!("services[{i}] ({name:?})");
            let pathway_text = text(entry, &at, "pathway", true)?.unwrap_or_default();
            let pathway: Pathway =
                serde_json::from_value(serde_json::Value::String(pathway_text.to_string()))
                    .map_err(|_| {
                        err(
                            format!("{at}.pathway"),
                            format!(
                                "{pathway_text:?} is not a pathway; expected one of {}",
                                PATHWAYS.join(", ")
                            ),
                        )
                    })?;
            let audience_text = text(entry, &at, "audience", true)?.unwrap_or_default();
            let audience: Audience =
                serde_json::from_value(serde_json::Value::String(audience_text.to_string()))
                    .map_err(|_| {
                        err(
                            format!("{at}.audience"),
                            format!(
                                "{audience_text:?} is not an audience; expected one of {}",
                                Audience::VALUES.join(", ")
                            ),
                        )
                    })?;
            let offers = text(entry, &at, "offers", true)?.unwrap_or_default();
            let how_to_refer = text(entry, &at, "how_to_refer", true)?.unwrap_or_default();
            let phone = text(entry, &at, "phone", false)?.map(str::to_string);
            let url = text(entry, &at, "url", false)?.map(str::to_string);
            if let Some(u) = &url {
                if !(u.starts_with("https://") || u.starts_with("http://"))
                    || u.contains(char::is_whitespace)
                {
                    return Err(err(
                        format!("{at}.url"),
                        format!("{u:?} is not a web address; expected one starting https:// (or http://)"),
                    ));
                }
            }
            if let Some(p) = &phone {
                if !p.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c))
                    || !p.chars().any(|c| c.is_ascii_digit())
                {
                    return Err(err(
                        format!("{at}.phone"),
                        format!("{p:?} is not a telephone number; expected digits, spaces, +, ( ) and -"),
                    ));
                }
            }
            let area = text(entry, &at, "area", true)?.unwrap_or_default();
            let entry_placeholder = match entry.get("placeholder") {
                None => placeholder,
                Some(serde_json::Value::Bool(b)) => *b,
                Some(other) => {
                    return Err(err(
                        format!("{at}.placeholder"),
                        format!("{other} is not true or false"),
                    ))
                }
            };
            services.push(Service {
                name: name.to_string(),
                pathway,
                audience,
                offers: offers.to_string(),
                how_to_refer: how_to_refer.to_string(),
                phone,
                url,
                area: area.to_string(),
                placeholder: entry_placeholder,
            });
        }
        Ok(Services {
            area,
            placeholder,
            services,
        })
    }

    /// The services for one pathway, in file order.
    pub fn for_pathway(&self, p: Pathway) -> Vec<&Service> {
        self.services.iter().filter(|s| s.pathway == p).collect()
    }

    /// The services for each of `pathways` that has any, keyed by pathway.
    pub fn for_pathways(
        &self,
        pathways: impl IntoIterator<Item = Pathway>,
    ) -> BTreeMap<Pathway, Vec<&Service>> {
        pathways
            .into_iter()
            .map(|p| (p, self.for_pathway(p)))
            .filter(|(_, v)| !v.is_empty())
            .collect()
    }
}

/// The shipped example directory: every entry a placeholder.
pub const EXAMPLE: &str = include_str!("../assets/services-example.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_is_valid_and_every_entry_is_a_placeholder() {
        let s = Services::from_json(EXAMPLE).unwrap();
        assert!(s.placeholder);
        assert!(s.services.iter().all(|e| e.placeholder));
        assert!(s.services.iter().all(|e| e.name.contains("PLACEHOLDER")));
        // Every pathway has at least one entry, and children have their own.
        for p in PATHWAYS {
            let p: Pathway = serde_json::from_value(p.into()).unwrap();
            assert!(!s.for_pathway(p).is_empty(), "{p:?}");
        }
        assert!(s
            .services
            .iter()
            .any(|e| e.audience == Audience::ChildrenAndYoungPeople));
    }

    #[test]
    fn for_pathways_keys_each_pathway_that_has_services() {
        let s = Services::from_json(EXAMPLE).unwrap();
        let picked: crate::set::Set<Pathway> =
            [Pathway::Marac, Pathway::EarlyHelp].into_iter().collect();
        let by = s.for_pathways(picked);
        assert_eq!(
            by.keys().copied().collect::<Vec<_>>(),
            vec![Pathway::Marac, Pathway::EarlyHelp]
        );
        assert_eq!(by[&Pathway::Marac], s.for_pathway(Pathway::Marac));
        assert!(s.for_pathways([]).is_empty());
    }

    #[test]
    fn problems_name_the_entry_the_field_the_value_and_what_is_allowed() {
        let base = serde_json::json!({"format": FORMAT, "area": "A", "services": [
            {"name": "N", "pathway": "idva", "audience": "adults", "offers": "o",
             "how_to_refer": "h", "area": "A"}]});
        assert!(Services::from_json(&base.to_string()).is_ok());
        let bad = |path: &str, v: serde_json::Value| {
            let mut j = base.clone();
            j["services"][0][path] = v;
            Services::from_json(&j.to_string()).unwrap_err().to_string()
        };
        let e = bad("pathway", "idvaa".into());
        assert!(
            e.contains("services[0] (\"N\").pathway")
                && e.contains("idvaa")
                && e.contains("rpc_support"),
            "{e}"
        );
        let e = bad("audience", "kids".into());
        assert!(
            e.contains("audience") && e.contains("kids") && e.contains("children_and_young_people"),
            "{e}"
        );
        let e = bad("url", "www.example".into());
        assert!(e.contains("url") && e.contains("https://"), "{e}");
        let e = bad("phone", "call us".into());
        assert!(e.contains("phone") && e.contains("call us"), "{e}");
        let e = bad("offers", "".into());
        assert!(e.contains("offers") && e.contains("required"), "{e}");
        let e = bad("ofers", "x".into());
        assert!(e.contains("ofers") && e.contains("not a field"), "{e}");
        let mut j = base.clone();
        j["format"] = "v0".into();
        assert!(Services::from_json(&j.to_string())
            .unwrap_err()
            .to_string()
            .contains("dashrisk-services/1"));
        assert!(Services::from_json("[")
            .unwrap_err()
            .to_string()
            .contains("not JSON"));
    }
}
