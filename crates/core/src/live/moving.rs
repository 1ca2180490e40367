//! Moving the widget to another address, coordinated: the app listens on the new address as well, asks
//! the widget (on its current connection) to go there, and keeps the old listener until the widget says
//! hello on the new address, or gives up.
//!
//! ```text
//!  MoveWidget ──bind fails──▶ Failed (nothing changed)
//!      │ bound
//!      ├── no widget connected ──▶ Relistened (the new listener replaces the old one)
//!      └── widget connected: config {host, port} on the old connection ──▶ Moving
//!            Moving ── hello with the new host:port ─────────────▶ Moved  (adopt the new listener)
//!            Moving ── hello with another address (it went back) ─▶ Failed (drop the new listener)
//!            Moving ── ack refusing host/port, or a pre-1.1 widget ─▶ Failed
//!            Moving ── MOVE_TIMEOUT without a hello there ────────▶ Failed
//! ```
//! Pure state: the link thread ([`super::link`]) binds and drops the listeners as the returned
//! [`MoveStep`]s say, so every transition is tested without sockets.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::protocol::{ConfigAck, HelloConfig};

/// How long the app waits for the widget on the new address. The widget goes back to its old address
/// after 10 s without a connection there, and says hello on it.
pub const MOVE_TIMEOUT: Duration = Duration::from_secs(15);

/// Where a move stands, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MoveStatus {
    /// No move asked for since the app started (or since a plain relisten).
    #[default]
    Idle,
    /// Listening on `listen` as well; the widget was asked to connect to `host:port`.
    Moving {
        listen: String,
        bound: SocketAddr,
        host: String,
        port: u16,
        /// The address the app listened on before.
        from: String,
        started: Instant,
    },
    /// The widget connected on the new address; the app listens only there now.
    Moved {
        listen: String,
        host: String,
        port: u16,
    },
    /// The app listens on `listen` now; no widget was connected to follow it there.
    Relistened {
        listen: String,
        host: String,
        port: u16,
    },
    /// Nothing changed: the app still listens where it did. `reason` is for people.
    Failed {
        listen: String,
        reason: String,
        /// The new address could not be bound (its own `ListenFailed` event is expected).
        bind_failed: bool,
    },
}

/// What the link must do with the second listener after a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveStep {
    /// The widget arrived: the new listener replaces the old one.
    Adopt,
    /// The move failed: close the new listener, keep the old one.
    Drop,
}

/// A move of the widget, from the request to its outcome.
#[derive(Debug, Clone, Default)]
pub struct WidgetMove {
    pub status: MoveStatus,
    /// The listen address and widget host the app now uses, once, for its settings.
    landed: Option<(String, String)>,
}

/// Where to look when the widget cannot reach the new address.
fn allow_hint(host: &str, port: u16) -> String {
    format!(
        "If the game runs, the engine may refuse the address: springsettings.cfg's TCPAllowConnect must \
         allow {host}:{port} (Widget install tab, or `bar-live widget doctor --port {port}`); \
         the game must be restarted after changing it"
    )
}

impl WidgetMove {
    pub fn is_moving(&self) -> bool {
        matches!(self.status, MoveStatus::Moving { .. })
    }

    /// The new listener is up on `bound` and the widget was asked to connect to `host:port`.
    pub fn start(
        &mut self,
        listen: String,
        bound: SocketAddr,
        host: String,
        from: String,
        now: Instant,
    ) {
        self.status = MoveStatus::Moving {
            listen,
            bound,
            host,
            port: bound.port(),
            from,
            started: now,
        };
    }

    /// The new address could not be bound: nothing changes.
    pub fn bind_failed(&mut self, listen: String, error: &str, from: Option<&str>) {
        let still = from.map_or(String::new(), |f| format!("; the app still listens on {f}"));
        self.status = MoveStatus::Failed {
            reason: format!("cannot listen on {listen}: {error}. Nothing changed{still}"),
            listen,
            bind_failed: true,
        };
    }

    /// The widget could not be asked (it left just then): the new listener is dropped.
    pub fn not_asked(&mut self, listen: String, error: &str) {
        self.status = MoveStatus::Failed {
            reason: format!("the widget could not be asked to move ({error}). Nothing changed"),
            listen,
            bind_failed: false,
        };
    }

    /// No widget was connected: the new listener replaced the old one.
    pub fn relistened(&mut self, listen: String, host: String, port: u16) {
        self.landed = Some((listen.clone(), host.clone()));
        self.status = MoveStatus::Relistened { listen, host, port };
    }

    /// The listen address and widget host the app uses after a move that landed (or a relisten);
    /// `Some` once per outcome, for the app to keep in its settings.
    pub fn take_landed(&mut self) -> Option<(String, String)> {
        self.landed.take()
    }

    /// Forgets the last move (a plain relisten happened).
    pub fn reset(&mut self) {
        self.status = MoveStatus::Idle;
        self.landed = None;
    }

    /// True for the `Listening`/`ListenFailed` events of the move's own listener, which say nothing
    /// about the listener the app serves the widget on.
    pub fn owns_listener_event(&self, addr: &str) -> bool {
        match &self.status {
            MoveStatus::Moving { bound, listen, .. } => {
                addr == bound.to_string() || addr == listen.as_str()
            }
            MoveStatus::Failed {
                listen,
                bind_failed: true,
                ..
            } => addr == listen.as_str(),
            _ => false,
        }
    }

    /// A widget said hello (on either listener).
    pub fn on_hello(&mut self, config: &HelloConfig) -> Option<MoveStep> {
        let MoveStatus::Moving {
            listen, host, port, ..
        } = &self.status
        else {
            return None;
        };
        let (listen, host, port) = (listen.clone(), host.clone(), *port);
        let reason = match (&config.host, config.port) {
            (Some(h), Some(p)) if *h == host && p == port => {
                self.landed = Some((listen.clone(), host.clone()));
                self.status = MoveStatus::Moved { listen, host, port };
                return Some(MoveStep::Adopt);
            }
            (h, Some(p)) => format!(
                "the widget could not connect to {host}:{port} and went back to {}:{p}. {}",
                h.as_deref().unwrap_or("?"),
                allow_hint(&host, port)
            ),
            (_, None) => old_widget(port),
        };
        self.status = MoveStatus::Failed {
            listen,
            reason,
            bind_failed: false,
        };
        Some(MoveStep::Drop)
    }

    /// The widget answered a `config` (the move's, or another sent meanwhile).
    pub fn on_ack(&mut self, ack: &ConfigAck) -> Option<MoveStep> {
        let MoveStatus::Moving { listen, port, .. } = &self.status else {
            return None;
        };
        let refused: Vec<&str> = ack
            .errors
            .iter()
            .map(String::as_str)
            .filter(|e| e.starts_with("host") || e.starts_with("port"))
            .collect();
        let reason = if !refused.is_empty() {
            format!("the widget refused the address: {}", refused.join("; "))
        } else if ack.config.port.is_none() {
            old_widget(*port)
        } else {
            return None;
        };
        self.status = MoveStatus::Failed {
            listen: listen.clone(),
            reason,
            bind_failed: false,
        };
        Some(MoveStep::Drop)
    }

    /// Gives up once [`MOVE_TIMEOUT`] has passed without the widget on the new address.
    pub fn tick(&mut self, now: Instant) -> Option<MoveStep> {
        let MoveStatus::Moving {
            listen,
            host,
            port,
            from,
            started,
            ..
        } = &self.status
        else {
            return None;
        };
        if now.saturating_duration_since(*started) < MOVE_TIMEOUT {
            return None;
        }
        let reason = format!(
            "the widget did not connect to {host}:{port} within {} s; the app still listens on {from} \
             (the widget goes back there by itself). {}",
            MOVE_TIMEOUT.as_secs(),
            allow_hint(host, *port)
        );
        self.status = MoveStatus::Failed {
            listen: listen.clone(),
            reason,
            bind_failed: false,
        };
        Some(MoveStep::Drop)
    }
}

fn old_widget(port: u16) -> String {
    format!(
        "this widget is older than 1.1.0 and cannot move: install the current one with port {port} \
         (Widget install tab), then restart the game"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Level, WidgetConfig};

    const NEW: &str = "127.0.0.1:9877";

    fn moving() -> (WidgetMove, Instant) {
        let mut m = WidgetMove::default();
        let now = Instant::now();
        m.start(
            NEW.into(),
            NEW.parse().unwrap(),
            "127.0.0.1".into(),
            "127.0.0.1:9876".into(),
            now,
        );
        (m, now)
    }

    fn hello(host: Option<&str>, port: Option<u16>) -> HelloConfig {
        HelloConfig {
            interval_frames: 15,
            level: Level::Standard,
            host: host.map(str::to_owned),
            port,
            ..HelloConfig::default()
        }
    }

    fn reason(m: &WidgetMove) -> &str {
        match &m.status {
            MoveStatus::Failed { reason, .. } => reason,
            other => panic!("not failed: {other:?}"),
        }
    }

    #[test]
    fn a_hello_on_the_new_address_completes_the_move() {
        let (mut m, _) = moving();
        assert!(m.is_moving());
        assert!(
            m.owns_listener_event(NEW),
            "the second listener's own events"
        );
        assert!(!m.owns_listener_event("127.0.0.1:9876"));
        assert_eq!(
            m.on_hello(&hello(Some("127.0.0.1"), Some(9877))),
            Some(MoveStep::Adopt)
        );
        assert_eq!(
            m.status,
            MoveStatus::Moved {
                listen: NEW.into(),
                host: "127.0.0.1".into(),
                port: 9877
            }
        );
        assert!(!m.owns_listener_event(NEW));
        assert_eq!(m.on_hello(&hello(Some("127.0.0.1"), Some(9877))), None);
        assert_eq!(m.take_landed(), Some((NEW.into(), "127.0.0.1".into())));
        assert_eq!(m.take_landed(), None, "once");
    }

    #[test]
    fn a_hello_from_the_old_address_means_the_widget_went_back() {
        let (mut m, _) = moving();
        assert_eq!(
            m.on_hello(&hello(Some("127.0.0.1"), Some(9876))),
            Some(MoveStep::Drop)
        );
        let r = reason(&m);
        assert!(r.contains("went back to 127.0.0.1:9876"), "{r}");
        assert!(
            r.contains("TCPAllowConnect") && r.contains("127.0.0.1:9877"),
            "{r}"
        );
        assert!(
            !m.owns_listener_event(NEW),
            "a failed move's listener is gone"
        );
        assert_eq!(m.take_landed(), None);
    }

    #[test]
    fn an_old_widget_cannot_move() {
        let (mut m, _) = moving();
        let ack = ConfigAck {
            config: WidgetConfig {
                interval_frames: Some(15),
                level: Some(Level::Standard),
                ..WidgetConfig::default()
            },
            errors: vec![],
        };
        assert_eq!(m.on_ack(&ack), Some(MoveStep::Drop));
        assert!(reason(&m).contains("older than 1.1.0"));
        let (mut m, _) = moving();
        assert_eq!(m.on_hello(&hello(None, None)), Some(MoveStep::Drop));
        assert!(reason(&m).contains("older than 1.1.0"));
    }

    #[test]
    fn an_ack_refusing_the_address_fails_and_other_acks_change_nothing() {
        let (mut m, _) = moving();
        let fine = ConfigAck {
            config: WidgetConfig {
                port: Some(9877),
                ..WidgetConfig::default()
            },
            errors: vec!["interval_frames must be an integer 1-300".into()],
        };
        assert_eq!(m.on_ack(&fine), None);
        assert!(m.is_moving());
        let refused = ConfigAck {
            errors: vec!["port must be an integer 1-65535".into()],
            ..fine
        };
        assert_eq!(m.on_ack(&refused), Some(MoveStep::Drop));
        assert!(reason(&m).contains("refused the address: port must be"));
    }

    #[test]
    fn no_hello_within_the_timeout_fails() {
        let (mut m, t0) = moving();
        assert_eq!(m.tick(t0 + MOVE_TIMEOUT - Duration::from_millis(1)), None);
        assert_eq!(m.tick(t0 + MOVE_TIMEOUT), Some(MoveStep::Drop));
        let r = reason(&m);
        assert!(
            r.contains("within 15 s") && r.contains("still listens on 127.0.0.1:9876"),
            "{r}"
        );
        assert_eq!(m.tick(t0 + MOVE_TIMEOUT * 2), None, "once");
    }

    #[test]
    fn bind_failures_and_relistens() {
        let mut m = WidgetMove::default();
        assert_eq!(m.tick(Instant::now()), None);
        assert_eq!(m.on_hello(&hello(Some("127.0.0.1"), Some(1))), None);
        m.bind_failed(NEW.into(), "address in use", Some("127.0.0.1:9876"));
        assert!(
            m.owns_listener_event(NEW),
            "its ListenFailed event is the move's"
        );
        assert!(reason(&m).contains("cannot listen on 127.0.0.1:9877: address in use"));
        assert!(reason(&m).contains("still listens on 127.0.0.1:9876"));
        m.relistened(NEW.into(), "127.0.0.1".into(), 9877);
        assert!(!m.owns_listener_event(NEW));
        assert_eq!(m.take_landed(), Some((NEW.into(), "127.0.0.1".into())));
        m.not_asked(NEW.into(), "no widget is connected");
        assert!(!m.owns_listener_event(NEW));
        m.reset();
        assert_eq!(m.status, MoveStatus::Idle);
    }
}
