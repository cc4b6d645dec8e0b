//! Pathways and the recording category, from the decision, the grade and the
//! safeguarding facts.

use super::safeguarding::Safeguarding;
use crate::grading::Grade;
use crate::result::{Classification, Pathway, RecordingCategory, RiskLevel};
use crate::set::Set;

pub(crate) fn pathways(
    classification: Classification,
    grade: &Grade,
    sg: &Safeguarding,
) -> Set<Pathway> {
    let mut p = Set::new();
    // MARAC never replaces child safeguarding: the notifications below stand beside it.
    if grade.marac() || grade.level == RiskLevel::High {
        p.insert(Pathway::Marac);
        p.insert(Pathway::Idva);
    }
    let children = sg.linked == Some(true);
    match classification {
        Classification::DomesticAbuse => match grade.level {
            RiskLevel::High => {}
            RiskLevel::Medium => {
                p.insert(Pathway::SpecialistDaService);
            }
            RiskLevel::Standard => {
                p.insert(Pathway::VictimSupport);
            }
        },
        Classification::Unclear => {
            if grade.level == RiskLevel::Medium {
                p.insert(Pathway::SpecialistDaService);
            }
            p.insert(Pathway::ManagementOversight);
            if children {
                p.insert(Pathway::EarlyHelp);
            }
        }
        Classification::ParentalConflict => {
            p.insert(Pathway::RpcSupport);
            if children {
                p.insert(Pathway::EarlyHelp);
            }
        }
    }
    if sg.csc {
        p.insert(Pathway::ChildrensSocialCare);
    }
    if sg.school {
        p.insert(Pathway::OperationEncompass);
    }
    p
}

pub(crate) fn recording_category(c: Classification) -> RecordingCategory {
    match c {
        Classification::DomesticAbuse => RecordingCategory::DomesticAbuse,
        Classification::ParentalConflict => RecordingCategory::ParentalConflict,
        Classification::Unclear => RecordingCategory::DomesticIncidentUnderReview,
    }
}
