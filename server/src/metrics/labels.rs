//! Label values every device series shares (a leaf: the families import it, never the reverse).

use app::model::fleet::devices::{Device, DeviceKind, DeviceStatus};

pub(super) fn kind_label(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Asic => "asic",
        DeviceKind::Gpu => "gpu",
    }
}

pub(super) fn status_label(s: DeviceStatus) -> &'static str {
    match s {
        DeviceStatus::Online => "online",
        DeviceStatus::Degraded => "degraded",
        DeviceStatus::Offline => "offline",
    }
}

pub(super) fn device_labels(d: &Device) -> [(&'static str, &str); 4] {
    [
        ("device", &d.id),
        ("kind", kind_label(d.kind)),
        ("model", &d.model),
        ("site", &d.site),
    ]
}
