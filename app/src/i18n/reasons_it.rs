//! Italian words for reasons, runbooks and GPU health.

use super::reasons_words::firmware_words;
use super::texts::ReasonTexts;
use crate::model::ai::gpu_health::ClockEvent;
use crate::model::fleet::devices::PowerSource;
use crate::model::fleet::reason::{Reason, ReasonCode};

/// What a fatal Xid means (NVIDIA's Xid catalogue).
fn xid_meaning(xid: u32) -> &'static str {
    match xid {
        48 => "errore ECC a doppio bit",
        62 => "arresto del microcontrollore interno",
        64 => "rimappatura di riga fallita",
        74 => "errore NVLink",
        79 => "caduta dal bus",
        95 => "errore ECC non contenuto",
        119 => "timeout RPC del GSP",
        120 => "errore del GSP",
        140 => "errore ECC non recuperato",
        _ => "la GPU va resettata",
    }
}

pub(super) const REASONS: ReasonTexts = ReasonTexts {
    column: "Motivo",
    any: "Qualsiasi motivo",
    none: "Nessun problema",
    label: |c| match c {
        ReasonCode::Offline => "Non raggiungibile",
        ReasonCode::PsuFault => "Guasto alimentatore",
        ReasonCode::ProtectionStop => "Fermo per protezione",
        ReasonCode::FirmwareFault => "Guasto segnalato dal firmware",
        ReasonCode::SensorFault => "Sensore guasto",
        ReasonCode::FatalXid => "Xid fatale",
        ReasonCode::RowRemapFailure => "Rimappatura fallita",
        ReasonCode::RowRemapPending => "Da resettare (rimappatura)",
        ReasonCode::EccUncorrectable => "ECC non correggibili",
        ReasonCode::HashboardDown => "Hashboard guasta",
        ReasonCode::FanFailure => "Ventola guasta",
        ReasonCode::OverTemperature => "Temperatura eccessiva",
        ReasonCode::ThermalThrottle => "Rallentamento termico",
        ReasonCode::HwSlowdown => "Rallentamento hardware",
        ReasonCode::PowerCap => "Limite di potenza",
        ReasonCode::Curtailed => "Fermo da programma",
        ReasonCode::OverReporting => "Firmware che sovrastima",
        ReasonCode::LowHashrate => "Hashrate basso",
        ReasonCode::Xid => "Xid applicativo",
        ReasonCode::ModelMismatch => "Modello diverso",
    },
    describe: |r| match r {
        Reason::Offline => "non raggiungibile: non risponde all'interrogazione".into(),
        Reason::PsuFault { report } => {
            format!("guasto dell'alimentatore — {}", firmware_words(report))
        }
        Reason::ProtectionStop { report } => {
            format!(
                "fermato dalla protezione del firmware — {}",
                firmware_words(report)
            )
        }
        Reason::FirmwareFault { report } => {
            format!("il firmware segnala — {}", firmware_words(report))
        }
        Reason::SensorFault { report } => format!("sensore guasto — {}", firmware_words(report)),
        Reason::FatalXid { xid } => format!("Xid fatale {xid}: {}", xid_meaning(*xid)),
        Reason::RowRemapFailure => {
            "rimappatura fallita: righe di memoria di riserva esaurite".into()
        }
        Reason::RowRemapPending => "da resettare: una rimappatura di riga è in attesa".into(),
        Reason::EccUncorrectable { errors } => {
            format!("{errors} errori ECC non correggibili dal caricamento del driver")
        }
        Reason::HashboardDown { board } => format!("hashboard {board} guasta"),
        Reason::FanFailure { fan } => format!("ventola {fan} ferma"),
        Reason::OverTemperature { celsius } => format!("temperatura eccessiva ({celsius:.0} °C)"),
        Reason::ThermalThrottle => "rallentamento termico: frequenze ridotte dal calore".into(),
        Reason::HwSlowdown => {
            "rallentamento hardware: la scheda o l'alimentatore rallenta la GPU".into()
        }
        Reason::PowerCap => "limite di potenza: frequenze ridotte dal limite di potenza".into(),
        Reason::Curtailed => "fermo per il programma elettrico del sito".into(),
        Reason::OverReporting {
            reported_ths,
            proven_ths,
        } => format!("dichiara {reported_ths:.0} TH/s, le share ne provano {proven_ths:.0}"),
        Reason::LowHashrate { percent } => format!("hashrate al {percent:.0} % della targa"),
        Reason::Xid { xid } => format!("Xid {xid}: errore dell'applicazione, la GPU continua"),
        Reason::ModelMismatch {
            registered,
            reported,
        } => format!("registrato come {registered}, il dispositivo dichiara {reported}"),
    },
    runbook: |c| {
        match c {
        ReasonCode::Offline => "Controllare alimentazione e rete della macchina (ping, porta dello switch, presa della PDU); se risponde al ping ma non alla porta dell'API, riavviare il software del miner o l'exporter.",
        ReasonCode::PsuFault => "Controllare la tensione d'ingresso dell'alimentatore, il cavo e l'interruttore; spegnere e riaccendere la macchina; se l'errore ritorna, sostituire l'alimentatore.",
        ReasonCode::ProtectionStop => "Il firmware ha fermato la macchina per proteggerla: leggere il codice del firmware (collegamento) prima di riavviare; per NOPIC, controllare i cavi di alimentazione e dati delle hashboard, poi riavviare.",
        ReasonCode::FirmwareFault => "Leggere il codice del firmware e la sua documentazione (collegamento); riavviare il miner e, se una scheda continua a fallire, ricollegarla o sostituirla.",
        ReasonCode::SensorFault => "Un sensore di temperatura non risponde: la macchina continua a lavorare ma il raffreddamento non vede quella scheda; ricollegare la scheda alla prossima visita.",
        ReasonCode::FatalXid => "Svuotare il nodo dai job, poi resettare la GPU (nvidia-smi -r) o riavviare il nodo; se lo Xid ritorna entro un giorno, aprire un RMA con il seriale della GPU.",
        ReasonCode::RowRemapFailure => "La memoria della GPU non ha più righe di riserva: svuotare il nodo e sostituire la GPU (RMA).",
        ReasonCode::RowRemapPending => "Svuotare il nodo e resettare la GPU alla prossima finestra di manutenzione, così la riga di riserva entra in uso.",
        ReasonCode::EccUncorrectable => "Svuotare il nodo, resettare la GPU ed eseguire la diagnostica DCGM (dcgmi diag -r 3); se gli errori si ripetono, RMA.",
        ReasonCode::HashboardDown => "Ricollegare il cavo dati e l'alimentazione della hashboard; se non legge ancora i chip, sostituire la scheda.",
        ReasonCode::FanFailure => "Sostituire la ventola; nel frattempo usare un profilo a bassa potenza.",
        ReasonCode::OverTemperature => "Controllare temperatura d'ingresso, flusso d'aria e filtri; abbassare il profilo di potenza finché non si raffredda.",
        ReasonCode::ThermalThrottle => "Controllare la temperatura d'ingresso del rack e le ventole o il flusso del liquido del nodo: la GPU rallenta per proteggersi.",
        ReasonCode::HwSlowdown => "La scheda o un alimentatore ha chiesto alla GPU di rallentare: controllare gli alimentatori e la linea del nodo.",
        ReasonCode::PowerCap => "Il limite di potenza frena le frequenze: confrontare nvidia-smi -q -d POWER con il budget della sala e alzare il limite se il contratto lo consente.",
        ReasonCode::Curtailed => "Fermo per il programma elettrico del sito: riparte da solo quando il prezzo scende sotto lo strike.",
        ReasonCode::OverReporting => "Il firmware dichiara più di quanto la pool accredita: controllare i dati del worker nella pool e installare il firmware del produttore.",
        ReasonCode::LowHashrate => "Controllare hashrate e numero di chip di ogni hashboard, poi il profilo di potenza e lo scarto di share della pool.",
        ReasonCode::Xid => "Errore dell'applicazione, non della GPU: avvisare il tenant; resettare solo se si ripete senza cambi di carico.",
        ReasonCode::ModelMismatch => "Correggere la registrazione (file della flotta o API), o verificare cosa è installato a questo indirizzo.",
    }
    },
    runbook_title: "Cosa fare",
    firmware_docs: "pagina del produttore",
    power_from: |s| match s {
        PowerSource::Miner => "dichiarata dal miner",
        PowerSource::Psu => "misurata dal suo alimentatore",
        PowerSource::Nameplate => "di targa: il firmware non riporta la potenza",
    },
    health_title: "Salute della GPU (DCGM)",
    last_xid: "Ultimo Xid",
    no_xid: "nessuno dal caricamento del driver",
    ecc: "Errori ECC",
    ecc_counts: |dbe, sbe| format!("{dbe} non correggibili, {sbe} corretti"),
    row_remap: "Rimappatura di riga",
    remap_failed: "fallita",
    remap_pending: "in attesa (serve un reset)",
    remap_ok: "nessuna in attesa",
    nvlink_crc: "Errori CRC NVLink",
    pcie_replays: "Ritrasmissioni PCIe",
    clock_events: "Eventi di frequenza",
    clocks_full: "nessuno: frequenze piene",
    clock_event: |e| match e {
        ClockEvent::GpuIdle => "inattiva",
        ClockEvent::ApplicationsClocks => "frequenze applicative",
        ClockEvent::SwPowerCap => "limite di potenza software",
        ClockEvent::HwSlowdown => "rallentamento hardware",
        ClockEvent::SyncBoost => "sync boost",
        ClockEvent::SwThermalSlowdown => "rallentamento termico software",
        ClockEvent::HwThermalSlowdown => "rallentamento termico hardware",
        ClockEvent::HwPowerBrakeSlowdown => "freno di potenza",
        ClockEvent::DisplayClocks => "frequenze del display",
    },
    tensor_active: "Tensor core attivi",
    energy: "Energia dal caricamento del driver",
    not_exported: "non esportato",
};
