//! Italian words for the SLA ledger page.

use super::texts::SlaTexts;

pub(super) const SLA: SlaTexts = SlaTexts {
    title: "Registro SLA",
    note: "La disponibilità è misurata dalla telemetria: una GPU è indisponibile quando non risponde o è bloccata da un errore fatale (uno Xid che la mette fuori servizio, una rimappatura di riga fallita). Il tempo senza campioni conta come disponibile; la quota osservata dice quanta parte del mese è stata sorvegliata. Il credito è lo scaglione del contratto per la disponibilità raggiunta, in quota del canone del mese.",
    previous: "Mese precedente",
    next: "Mese successivo",
    contract: "Contratto",
    tenant: "Tenant",
    site: "Sala",
    fee: "Canone",
    promised: "SLA",
    availability: "Disponibilità",
    observed: "Osservato",
    credit: "Credito dovuto",
    net: "Ricavo netto",
    not_measured: "non misurata",
    no_sla: "senza SLA",
    empty: "Nessun contratto fattura in questo mese.",
    through: |month, through| format!("{month}, contato fino al {through}"),
};
