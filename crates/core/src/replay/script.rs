//! The start script: Spring's TDF text (`[game] { key=value; [player0] { … } … }`), keys and section
//! names case-insensitive (stored lower-case), and what it says about the game: map, game, players,
//! AIs, teams and ally teams.

use std::collections::BTreeMap;

use super::error::ReplayError;

/// Sections nested deeper than this are skipped (the engine writes three levels).
const MAX_DEPTH: usize = 16;

/// One `[name] { … }` section of a TDF text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// Lower-case.
    pub name: String,
    /// Lower-case keys; values trimmed, as written.
    pub keys: BTreeMap<String, String>,
    pub sections: Vec<Section>,
}

impl Section {
    /// The value of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// The first sub-section called `name` (any case).
    pub fn section(&self, name: &str) -> Option<&Section> {
        let name = name.to_ascii_lowercase();
        self.sections.iter().find(|s| s.name == name)
    }

    /// Sub-sections `<prefix><number>` (e.g. `player3`), with their numbers, in number order.
    pub fn numbered(&self, prefix: &str) -> Vec<(u32, &Section)> {
        let mut out: Vec<(u32, &Section)> = self
            .sections
            .iter()
            .filter_map(|s| {
                let n = s.name.strip_prefix(prefix)?;
                (!n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| n.parse().ok())
                    .flatten()
                    .map(|n| (n, s))
            })
            .collect();
        out.sort_by_key(|(n, _)| *n);
        out.dedup_by_key(|(n, _)| *n);
        out
    }

    fn number(&self, key: &str) -> Option<u32> {
        self.get(key)?.trim().parse().ok()
    }

    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v.trim(), "1" | "true" | "True" | "TRUE"))
    }
}

/// Parses TDF text into a root section holding its top-level sections. Lenient like the engine: a
/// stray `}` is ignored, a section left open at the end is closed, a line without `=` is skipped.
pub fn parse_tdf(text: &str) -> Section {
    let b = text.as_bytes();
    let mut stack = vec![Section::default()];
    let mut skipped_depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() || c == b';' => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => i = line_end(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = find(b, i + 2, b"*/").map_or(b.len(), |at| at + 2);
            }
            b'[' => {
                let close = find(b, i + 1, b"]").unwrap_or(b.len());
                let name = text[i + 1..close].trim().to_ascii_lowercase();
                i = (close + 1).min(b.len());
                // The section's `{` follows (possibly after blanks and comments).
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if b.get(i) == Some(&b'{') {
                    i += 1;
                }
                if skipped_depth > 0 || stack.len() > MAX_DEPTH {
                    skipped_depth += 1;
                } else {
                    stack.push(Section {
                        name,
                        ..Section::default()
                    });
                }
            }
            b'}' => {
                i += 1;
                if skipped_depth > 0 {
                    skipped_depth -= 1;
                } else if stack.len() > 1 {
                    close_section(&mut stack);
                }
            }
            _ => {
                let end = key_end(b, i);
                let entry = &text[i..end];
                i = if b.get(end) == Some(&b';') {
                    end + 1
                } else {
                    end
                };
                if skipped_depth > 0 {
                    continue;
                }
                if let Some((k, v)) = entry.split_once('=')
                    && let Some(top) = stack.last_mut()
                {
                    let key = k.trim().to_ascii_lowercase();
                    if !key.is_empty() {
                        top.keys.insert(key, v.trim().to_owned());
                    }
                }
            }
        }
    }
    while stack.len() > 1 {
        close_section(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

fn close_section(stack: &mut Vec<Section>) {
    if let Some(done) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.sections.push(done);
    }
}

fn line_end(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

fn find(b: &[u8], from: usize, what: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(what.len())
        .position(|w| w == what)
        .map(|p| from + p)
}

/// Where a `key=value` entry ends: at `;`, a line break, `}` or `[` before any `=`… (the value itself
/// may hold anything but `;` and line breaks).
fn key_end(b: &[u8], from: usize) -> usize {
    let mut seen_eq = false;
    for (off, &c) in b[from..].iter().enumerate() {
        match c {
            b';' | b'\n' => return from + off,
            b'=' => seen_eq = true,
            b'}' | b'[' | b'{' if !seen_eq => return from + off.max(1),
            _ => {}
        }
    }
    b.len()
}

/// A `[playerN]` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScriptPlayer {
    pub player_id: u32,
    pub name: String,
    pub team_id: Option<u32>,
    pub spectator: bool,
    pub account_id: Option<String>,
    pub skill: Option<String>,
    pub country_code: Option<String>,
}

/// An `[aiN]` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScriptAi {
    pub ai_id: u32,
    pub name: String,
    pub team_id: Option<u32>,
    pub short_name: String,
}

/// A `[teamN]` section.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScriptTeam {
    pub team_id: u32,
    pub ally_team_id: u32,
    pub leader_player_id: Option<u32>,
    /// `rgbcolor` (0..1 per channel); BAR shows other colours (the `AutoColors` message).
    pub rgb_color: Option<[f32; 3]>,
    pub side: String,
}

/// What the start script says about the game.
#[derive(Debug, Clone, PartialEq)]
pub struct StartScript {
    pub map_name: Option<String>,
    /// `gametype`: the game's name and version, e.g. "Beyond All Reason test-27000-abc".
    pub game_type: Option<String>,
    /// The local player in the player's own replays of local games.
    pub my_player_name: Option<String>,
    pub players: Vec<ScriptPlayer>,
    pub ais: Vec<ScriptAi>,
    pub teams: Vec<ScriptTeam>,
    pub mod_options: BTreeMap<String, String>,
    /// The whole `[game]` section.
    pub game: Section,
}

impl StartScript {
    pub fn parse(bytes: &[u8]) -> Result<StartScript, ReplayError> {
        let text = String::from_utf8_lossy(bytes);
        let mut root = parse_tdf(&text);
        let at = root
            .sections
            .iter()
            .position(|s| s.name == "game")
            .ok_or(ReplayError::ScriptWithoutGame)?;
        let game = root.sections.swap_remove(at);
        let text_of = |key: &str| game.get(key).map(str::to_owned);
        let players = game
            .numbered("player")
            .into_iter()
            .map(|(id, s)| ScriptPlayer {
                player_id: id,
                name: s.get("name").unwrap_or_default().to_owned(),
                team_id: s.number("team"),
                spectator: s.flag("spectator"),
                account_id: s.get("accountid").map(str::to_owned),
                skill: s.get("skill").map(str::to_owned),
                country_code: s.get("countrycode").map(str::to_owned),
            })
            .collect();
        let ais = game
            .numbered("ai")
            .into_iter()
            .map(|(id, s)| ScriptAi {
                ai_id: id,
                name: s.get("name").unwrap_or_default().to_owned(),
                team_id: s.number("team"),
                short_name: s.get("shortname").unwrap_or_default().to_owned(),
            })
            .collect();
        let teams = game
            .numbered("team")
            .into_iter()
            .map(|(id, s)| ScriptTeam {
                team_id: id,
                ally_team_id: s.number("allyteam").unwrap_or(id),
                leader_player_id: s.number("teamleader"),
                rgb_color: s.get("rgbcolor").and_then(parse_rgb),
                side: s.get("side").unwrap_or_default().to_owned(),
            })
            .collect();
        Ok(StartScript {
            map_name: text_of("mapname"),
            game_type: text_of("gametype"),
            my_player_name: text_of("myplayername"),
            players,
            ais,
            teams,
            mod_options: game
                .section("modoptions")
                .map(|s| s.keys.clone())
                .unwrap_or_default(),
            game,
        })
    }
}

/// `"0.9 0.2 0.1"` → [0.9, 0.2, 0.1] (each clamped to 0..1).
fn parse_rgb(v: &str) -> Option<[f32; 3]> {
    let parts: Vec<f32> = v
        .split_whitespace()
        .map(str::parse::<f32>)
        .collect::<Result<_, _>>()
        .ok()?;
    match parts.as_slice() {
        [r, g, b] if parts.iter().all(|x| x.is_finite()) => {
            Some([r.clamp(0.0, 1.0), g.clamp(0.0, 1.0), b.clamp(0.0, 1.0)])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "[GAME]\r\n{\r\n\tMapName=Supreme Isthmus v2.1;\n\tGameType=Beyond All Reason test-1;\n\
        // a comment\n\tMyPlayerName=Alice;\n\t[PLAYER1]\n\t{\n\t\tName=Bob;\n\t\tTeam=1;\n\t\tSpectator=0;\n\t}\n\
        \t[player0]{name=Alice;team=0;spectator=0;accountid=42;countrycode=DE;skill=[25.1];}\n\
        \t[player2]{name=Carol;spectator=1;team=0;}\n\
        \t[AI0]{Name=BARb(1);ShortName=BARb;Team=2;}\n\
        /* block\n comment */\n\
        \t[team0]{allyteam=0;teamleader=0;rgbcolor=0.1 0.2 0.3;side=Armada;}\n\
        \t[TEAM1]{AllyTeam=1;TeamLeader=1;RgbColor=1 0 0;}\n\
        \t[team2]{allyteam=1;teamleader=0;}\n\
        \t[allyteam0]{numallies=0;}\n\
        \t[modoptions]{MaxSpeed=3;deathmode=com;}\n}\n";

    #[test]
    fn reads_sections_keys_any_case() {
        let s = StartScript::parse(SCRIPT.as_bytes()).unwrap();
        assert_eq!(s.map_name.as_deref(), Some("Supreme Isthmus v2.1"));
        assert_eq!(s.game_type.as_deref(), Some("Beyond All Reason test-1"));
        assert_eq!(s.my_player_name.as_deref(), Some("Alice"));
        let names: Vec<&str> = s.players.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Alice", "Bob", "Carol"]);
        assert!(s.players[2].spectator && !s.players[0].spectator);
        assert_eq!(s.players[0].account_id.as_deref(), Some("42"));
        assert_eq!(s.players[0].skill.as_deref(), Some("[25.1]"));
        assert_eq!(s.ais[0].name, "BARb(1)");
        assert_eq!(s.ais[0].team_id, Some(2));
        assert_eq!(s.teams.len(), 3);
        assert_eq!(s.teams[1].ally_team_id, 1);
        assert_eq!(s.teams[0].rgb_color, Some([0.1, 0.2, 0.3]));
        assert_eq!(s.teams[0].side, "Armada");
        assert_eq!(s.mod_options.get("maxspeed").map(String::as_str), Some("3"));
    }

    #[test]
    fn no_game_section_is_named() {
        assert!(matches!(
            StartScript::parse(b"[other]{a=1;}"),
            Err(ReplayError::ScriptWithoutGame)
        ));
        assert!(matches!(
            StartScript::parse(b""),
            Err(ReplayError::ScriptWithoutGame)
        ));
    }

    #[test]
    fn lenient_on_broken_text() {
        let root = parse_tdf("}}[game]{a=1;b;[x]{c=2;");
        let game = root.section("game").unwrap();
        assert_eq!(game.get("A"), Some("1"));
        assert_eq!(game.section("x").unwrap().get("c"), Some("2"));
        // Deep nesting is skipped, not recursed into.
        let deep = format!("[game]{{{}k=v;", "[a]{".repeat(10_000));
        let root = parse_tdf(&deep);
        assert!(root.section("game").is_some());
    }
}
