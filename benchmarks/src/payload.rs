//! The event every benchmark sends: about 200 bytes of JSON.

use event_runtime::domain_event;

/// A registration event of realistic size.
#[domain_event(subject = "bench.{user_id}.registered", version = 1)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UserRegistered {
    pub(crate) user_id: String,
    pub(crate) email: String,
    pub(crate) display_name: String,
    pub(crate) plan: String,
    pub(crate) referrer: Option<String>,
    pub(crate) marketing_opt_in: bool,
    pub(crate) registered_at: u64,
}

/// Returns event number `index`.
pub(crate) fn event(index: u64) -> UserRegistered {
    UserRegistered {
        user_id: format!("u-{index:08}"),
        email: format!("learner-{index:08}@academy.example"),
        display_name: "Ada Augusta King, Countess of Lovelace".to_owned(),
        plan: "professional-annual".to_owned(),
        referrer: Some("newsletter-2026-11".to_owned()),
        marketing_opt_in: true,
        registered_at: 1_764_806_400_000 + index,
    }
}

/// The metadata a careful hand-written publisher adds to match the structured envelope.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Envelope<T> {
    pub(crate) specversion: String,
    pub(crate) id: String,
    pub(crate) source: String,
    #[serde(rename = "type")]
    pub(crate) event_type: String,
    pub(crate) time: String,
    pub(crate) datacontenttype: String,
    pub(crate) subject: String,
    pub(crate) data: T,
}

/// Wraps `event` the way a hand-written publisher would, with the same metadata as the
/// toolkit's structured mode.
pub(crate) fn envelope<'a>(
    event: &'a UserRegistered,
    subject: &str,
) -> Envelope<&'a UserRegistered> {
    Envelope {
        specversion: "1.0".to_owned(),
        id: uuid::Uuid::now_v7().hyphenated().to_string(),
        source: "bench".to_owned(),
        event_type: "UserRegistered.v1".to_owned(),
        time: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        datacontenttype: "application/json".to_owned(),
        subject: subject.to_owned(),
        data: event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_about_200_bytes() {
        let bytes = serde_json::to_vec(&event(1)).unwrap();
        assert!((180..=240).contains(&bytes.len()), "{} bytes", bytes.len());
    }
}
