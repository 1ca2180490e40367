//! Settings and the live link, both ways: what saving new settings asks of the link for the widget
//! ([`link_commands`]), and what the link did on its own that the settings take in ([`follow_link`]).

use bar_live_core::live::{LinkCommand, Session};

use super::settings::Settings;
use super::widget_settings::listen_port;

/// What saving `new` over `old` asks of the link for the widget. A new address becomes a move: `new`
/// keeps the old address until the widget lands there ([`follow_link`] adopts it); only the listen
/// interface changing (same port, same host) is a plain relisten.
pub fn link_commands(old: &Settings, new: &mut Settings) -> Vec<LinkCommand> {
    let mut out = Vec::new();
    let address_changed = new.listen != old.listen || new.widget.host != old.widget.host;
    if address_changed {
        let same_port = listen_port(&new.listen) == listen_port(&old.listen);
        if same_port && new.widget.host == old.widget.host {
            out.push(LinkCommand::Listen(new.listen.clone()));
        } else {
            out.push(LinkCommand::MoveWidget {
                listen: std::mem::replace(&mut new.listen, old.listen.clone()),
                host: std::mem::replace(&mut new.widget.host, old.widget.host.clone()),
            });
        }
    }
    let config = new.widget.config();
    if config != old.widget.config() {
        out.push(LinkCommand::SetWidgetConfig(config));
    }
    out
}

/// Takes into the settings what the link did on its own: a move that landed (the new listen address
/// and host), and the player switching the widget on again in the game. Returns a line for the
/// status bar when something changed (then the settings need saving).
pub fn follow_link(settings: &mut Settings, session: &mut Session) -> Option<String> {
    let mut said = Vec::new();
    if let Some((listen, host)) = session.widget.moving.take_landed() {
        let followed = session.connected();
        settings.listen = listen;
        settings.widget.host = host;
        said.push(if followed {
            format!("the widget moved with the app to {}", settings.listen)
        } else {
            format!("listening on {}", settings.listen)
        });
    }
    if session.take_switched_on_in_game() && !settings.widget.enabled {
        settings.widget.enabled = true;
        said.push("the widget was switched on again in the game".into());
    }
    (!said.is_empty()).then(|| said.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bar_live_core::protocol::Level;

    #[test]
    fn saving_a_new_port_asks_for_a_move_and_keeps_the_old_address_until_it_lands() {
        let old = Settings::default();
        let mut new = Settings {
            listen: "127.0.0.1:9877".into(),
            ..Settings::default()
        };
        new.widget.level = Level::Minimal;
        let commands = link_commands(&old, &mut new);
        assert!(matches!(
            &commands[..],
            [LinkCommand::MoveWidget { listen, host }, LinkCommand::SetWidgetConfig(c)]
                if listen == "127.0.0.1:9877" && host == "127.0.0.1" && c.level == Some(Level::Minimal)
        ));
        assert_eq!(new.listen, old.listen, "adopted when the widget lands");
        let mut iface = Settings {
            listen: "0.0.0.0:9876".into(),
            ..Settings::default()
        };
        assert!(matches!(
            &link_commands(&old, &mut iface)[..],
            [LinkCommand::Listen(l)] if l == "0.0.0.0:9876"
        ));
        assert_eq!(iface.listen, "0.0.0.0:9876");
        assert!(link_commands(&old, &mut Settings::default()).is_empty());
    }

    #[test]
    fn the_settings_follow_a_move_that_landed() {
        let mut session = Session::new(bar_live_core::live::RecordPolicy {
            enabled: false,
            dir: "/nonexistent".into(),
            keep_last: 0,
        });
        let mut settings = Settings::default();
        assert_eq!(follow_link(&mut settings, &mut session), None);
        session
            .widget
            .moving
            .relistened("127.0.0.1:9900".into(), "127.0.0.1".into(), 9900);
        let said = follow_link(&mut settings, &mut session).unwrap();
        assert_eq!(settings.listen, "127.0.0.1:9900");
        assert!(said.contains("listening on 127.0.0.1:9900"), "{said}");
        assert_eq!(follow_link(&mut settings, &mut session), None, "once");
    }
}
