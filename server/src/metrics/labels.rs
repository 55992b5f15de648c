//! Label values every device series shares (a leaf: the families import it, never the reverse).

use app::model::fleet::devices::Device;

pub(super) fn device_labels(d: &Device) -> [(&'static str, &str); 4] {
    [
        ("device", &d.id),
        ("kind", d.kind.as_str()),
        ("model", &d.model),
        ("site", &d.site),
    ]
}
