//! English words for the SLA ledger page.

use super::texts::SlaTexts;

pub(super) const SLA: SlaTexts = SlaTexts {
    title: "SLA ledger",
    note: "Availability is measured from telemetry: a GPU counts as unavailable while it is offline or held by a fatal error (an Xid that takes it out of service, a failed row remap). Time with no samples counts as available; the observed share says how much of the month was watched. The credit is the contract's step for the availability reached, as a share of the month's fee.",
    previous: "Previous month",
    next: "Next month",
    contract: "Contract",
    tenant: "Tenant",
    site: "Hall",
    fee: "Fee",
    promised: "SLA",
    availability: "Availability",
    observed: "Observed",
    credit: "Credit owed",
    net: "Net revenue",
    not_measured: "not measured",
    no_sla: "no SLA",
    empty: "No contract bills in this month.",
    through: |month, through| format!("{month}, counted through {through}"),
};
