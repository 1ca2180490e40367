//! Test-only: writes BAR replay files from the documented layout (../shared/BAR-FACTS.md, docs/REPLAYS.md),
//! so the reader's quirks can be tested without the engine. Not shipped.
#![allow(dead_code)]

use std::io::Write;

pub mod sim;

use flate2::Compression;
use flate2::write::GzEncoder;

/// One team statistics record: frame, 12 floats, 7 integers (the file's order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rec {
    pub frame: i32,
    pub floats: [f32; 12],
    pub ints: [i32; 7],
}

impl Rec {
    /// Running totals that grow with the record index and the team.
    pub fn growing(team: usize, i: usize, period_s: i32) -> Rec {
        let k = (i + 1) as f32;
        let t = team as f32 + 1.0;
        let mut floats = [0.0; 12];
        for (j, f) in floats.iter_mut().enumerate() {
            *f = k * t * (j as f32 + 1.0) * 1.25;
        }
        let mut ints = [0; 7];
        for (j, n) in ints.iter_mut().enumerate() {
            *n = (i as i32 + 1) * (team as i32 + 1) + j as i32;
        }
        Rec {
            frame: i as i32 * period_s * 30,
            floats,
            ints,
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut b = self.frame.to_le_bytes().to_vec();
        for f in self.floats {
            b.extend_from_slice(&f.to_le_bytes());
        }
        for n in self.ints {
            b.extend_from_slice(&n.to_le_bytes());
        }
        b
    }
}

/// Demo stream packets.
pub fn packet(mod_time: f32, body: &[u8]) -> Vec<u8> {
    let mut v = mod_time.to_le_bytes().to_vec();
    v.extend_from_slice(&(body.len() as u32).to_le_bytes());
    v.extend_from_slice(body);
    v
}

/// A stream simulating `frames` frames (a keyframe every 16), then a game over packet at the end
/// when `winners` is given, and BAR's AutoColors message first when `colors` is given.
pub fn stream(frames: u32, winners: Option<&[u8]>, colors: Option<&str>) -> Vec<u8> {
    let mut s = Vec::new();
    if let Some(json) = colors {
        let mut body = vec![50u8];
        let msg = format!("AutoColors{json}");
        body.extend_from_slice(&((7 + msg.len()) as u16).to_le_bytes());
        body.push(0);
        body.extend_from_slice(&0u16.to_le_bytes());
        body.push(0);
        body.extend_from_slice(msg.as_bytes());
        s.extend(packet(0.0, &body));
    }
    for f in 1..=frames {
        if f % 16 == 0 {
            let mut body = vec![1u8];
            body.extend_from_slice(&(f as i32).to_le_bytes());
            s.extend(packet(f as f32 / 30.0, &body));
        } else {
            s.extend(packet(f as f32 / 30.0, &[2u8]));
        }
    }
    if let Some(w) = winners {
        let mut body = vec![30u8, (3 + w.len()) as u8, 0];
        body.extend_from_slice(w);
        s.extend(packet(frames as f32 / 30.0, &body));
    }
    s
}

/// The start script of a game: `teams` teams (ally team = team % 2), one player each (the last team
/// an AI when `ai`), plus a spectator "Spec"; `myplayername` = the first player.
pub fn script(teams: usize, ai: bool) -> String {
    let mut s = String::from(
        "[game]\n{\n\tmapname=Test Map v1;\n\tgametype=Beyond All Reason test-1;\n\tmyplayername=Player0;\n",
    );
    let humans = if ai { teams - 1 } else { teams };
    for p in 0..humans {
        s += &format!(
            "\t[player{p}]\n\t{{\n\t\tname=Player{p};\n\t\tteam={p};\n\t\tspectator=0;\n\t\taccountid={};\n\t}}\n",
            1000 + p
        );
    }
    s +=
        &format!("\t[player{humans}]\n\t{{\n\t\tname=Spec;\n\t\tteam=0;\n\t\tspectator=1;\n\t}}\n");
    if ai {
        s += &format!(
            "\t[ai0]\n\t{{\n\t\tname=BARbarian;\n\t\tshortname=BARb;\n\t\tteam={};\n\t\thost=0;\n\t}}\n",
            teams - 1
        );
    }
    for t in 0..teams {
        s += &format!(
            "\t[team{t}]\n\t{{\n\t\tallyteam={};\n\t\tteamleader={};\n\t\trgbcolor=0.5 0.25 1;\n\t\tside=Armada;\n\t}}\n",
            t % 2,
            t.min(humans.saturating_sub(1))
        );
    }
    for a in 0..teams.min(2) {
        s += &format!("\t[allyteam{a}]\n\t{{\n\t\tnumallies=0;\n\t}}\n");
    }
    s += "}\n";
    s
}

/// A replay from its parts; every header field can be overridden to build a damaged one.
#[derive(Debug, Clone)]
pub struct Builder {
    pub version: i32,
    pub header_size: i32,
    /// Bytes appended after the 352 known ones (when header_size > 352).
    pub header_extra: Vec<u8>,
    pub engine: String,
    pub unix_time: u64,
    pub script: String,
    pub script_size: Option<i32>,
    pub stream: Vec<u8>,
    pub stream_size: Option<i32>,
    pub game_time: i32,
    pub wallclock: i32,
    pub winners: Vec<u8>,
    pub winners_size: Option<i32>,
    pub players: Vec<[i32; 5]>,
    pub num_players: Option<i32>,
    pub teams: Vec<Vec<Rec>>,
    pub num_teams: Option<i32>,
    /// Written instead of the real record counts.
    pub counts: Option<Vec<u32>>,
    pub period: i32,
    pub team_elem: i32,
}

impl Builder {
    /// A normal game that reached its end: `teams` teams, `records` records each (the last one with
    /// the next boundary frame, as the engine writes it), game over at `game_time` s, winners [0].
    pub fn game(teams: usize, records: usize, period: i32) -> Builder {
        let game_time = ((records as i32 - 2) * period + period / 2).max(1);
        let mut recs: Vec<Vec<Rec>> = (0..teams)
            .map(|t| (0..records).map(|i| Rec::growing(t, i, period)).collect())
            .collect();
        for r in &mut recs {
            // The engine's last record: totals at the end, stamped with the next boundary.
            if let Some(last) = r.last_mut() {
                last.frame = (records as i32 - 1) * period * 30;
            }
        }
        let colors: String = format!(
            "[{}]",
            (0..teams)
                .map(|t| format!(r#"{{"teamID":{t},"r":{},"g":80,"b":255}}"#, t * 10))
                .collect::<Vec<_>>()
                .join(",")
        );
        Builder {
            version: 5,
            header_size: 352,
            header_extra: Vec::new(),
            engine: "2025.04.08".into(),
            unix_time: 1_750_000_000,
            script: script(teams, true),
            script_size: None,
            stream: stream(game_time as u32 * 30, Some(&[0]), Some(&colors)),
            stream_size: None,
            game_time,
            wallclock: game_time + 10,
            winners: vec![0],
            winners_size: None,
            players: vec![[1, 2, 3, 4, 5]; teams],
            num_players: None,
            teams: recs,
            num_teams: None,
            counts: None,
            period,
            team_elem: 80,
        }
    }

    /// The decompressed file.
    pub fn raw(&self) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"spring demofile\0");
        b.extend_from_slice(&self.version.to_le_bytes());
        b.extend_from_slice(&self.header_size.to_le_bytes());
        let mut v = [0u8; 256];
        v[..self.engine.len()].copy_from_slice(self.engine.as_bytes());
        b.extend_from_slice(&v);
        b.extend_from_slice(&[7u8; 16]);
        b.extend_from_slice(&self.unix_time.to_le_bytes());
        let team_bytes: usize =
            4 * self.teams.len() + self.teams.iter().map(Vec::len).sum::<usize>() * 80;
        let fields = [
            self.script_size.unwrap_or(self.script.len() as i32),
            self.stream_size.unwrap_or(self.stream.len() as i32),
            self.game_time,
            self.wallclock,
            self.num_players.unwrap_or(self.players.len() as i32),
            (self.players.len() * 20) as i32,
            20,
            self.num_teams.unwrap_or(self.teams.len() as i32),
            team_bytes as i32,
            self.team_elem,
            self.period,
            self.winners_size.unwrap_or(self.winners.len() as i32),
        ];
        for f in fields {
            b.extend_from_slice(&f.to_le_bytes());
        }
        assert_eq!(b.len(), 352);
        b.extend_from_slice(&self.header_extra);
        b.extend_from_slice(self.script.as_bytes());
        b.extend_from_slice(&self.stream);
        b.extend_from_slice(&self.winners);
        for p in &self.players {
            for x in p {
                b.extend_from_slice(&x.to_le_bytes());
            }
        }
        let counts: Vec<u32> = self
            .counts
            .clone()
            .unwrap_or_else(|| self.teams.iter().map(|t| t.len() as u32).collect());
        for c in counts {
            b.extend_from_slice(&c.to_le_bytes());
        }
        for t in &self.teams {
            for r in t {
                b.extend(r.bytes());
            }
        }
        b
    }

    /// The file as BAR writes it: gzip.
    pub fn gz(&self) -> Vec<u8> {
        gzip(&self.raw())
    }
}

pub fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(raw).expect("gzip into memory");
    e.finish().expect("gzip into memory")
}
