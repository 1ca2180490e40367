//! Validation against the JSON Schema files in `resources/protocol/` (embedded at build time).

use super::error::ProtocolError;

const WIDGET_TO_APP: &str = include_str!("../../../resources/protocol/widget-to-app.schema.json");
const APP_TO_WIDGET: &str = include_str!("../../../resources/protocol/app-to-widget.schema.json");

/// Which direction's schema to validate against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    WidgetToApp,
    AppToWidget,
}

/// A compiled validator for one direction. Build once, reuse.
pub struct SchemaValidator {
    validator: jsonschema::Validator,
}

impl SchemaValidator {
    pub fn new(direction: Direction) -> Self {
        let text = match direction {
            Direction::WidgetToApp => WIDGET_TO_APP,
            Direction::AppToWidget => APP_TO_WIDGET,
        };
        // The schemas are part of the binary and covered by tests; failing here is a build defect.
        let schema: serde_json::Value =
            serde_json::from_str(text).expect("embedded schema is valid JSON");
        let validator = jsonschema::validator_for(&schema).expect("embedded schema compiles");
        SchemaValidator { validator }
    }

    /// Validates a parsed message. Reports at most the first three violations, with their JSON paths.
    pub fn validate(&self, value: &serde_json::Value) -> Result<(), ProtocolError> {
        let mut errors = self.validator.iter_errors(value).peekable();
        if errors.peek().is_none() {
            return Ok(());
        }
        let detail: Vec<String> = errors
            .take(3)
            .map(|e| {
                let path = e.instance_path().to_string();
                if path.is_empty() {
                    e.to_string()
                } else {
                    format!("{path}: {e}")
                }
            })
            .collect();
        Err(ProtocolError::Schema(detail.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rejects_wrong_shapes() {
        let v = SchemaValidator::new(Direction::WidgetToApp);
        let bad = json!({"type":"pong","schema_version":1,"seq":1,"id":"seven"});
        let err = v.validate(&bad).unwrap_err().to_string();
        assert!(err.contains("/id"), "{err}");
        assert!(
            v.validate(&json!({"type":"pong","schema_version":1,"seq":1,"id":7}))
                .is_ok()
        );
        assert!(
            v.validate(&json!({"type":"pong","schema_version":1,"id":7}))
                .is_err(),
            "seq required"
        );
        // Unknown types pass with a valid envelope (forward compatibility).
        assert!(
            v.validate(&json!({"type":"new_kind","schema_version":1,"seq":4}))
                .is_ok()
        );
        let color = json!({"type":"hello","schema_version":1,"seq":1,
            "widget":{"name":"w","version":"1"},
            "game":{"game_name":"g","game_version":"1","engine_version":"e","map_name":"m","is_replay":false,
                    "spectating":true,"full_view":true,"my_player_id":0,"my_team_id":0,"game_frame":0},
            "teams":[{"team_id":0,"ally_team_id":0,"name":"a","color":"red","is_ai":false,"side":"","is_gaia":false}],
            "config":{"interval_frames":15,"level":"standard"}});
        assert!(
            v.validate(&color)
                .unwrap_err()
                .to_string()
                .contains("/teams/0/color")
        );
    }

    #[test]
    fn app_direction() {
        let v = SchemaValidator::new(Direction::AppToWidget);
        assert!(
            v.validate(&json!({"type":"ping","schema_version":1,"id":1}))
                .is_ok()
        );
        assert!(
            v.validate(&json!({"type":"config","schema_version":1,"interval_frames":0}))
                .is_err()
        );
    }
}
