//! Test-only: a BAR replay of a simulated game: the simulator's teams (names, ally teams, AIs) and its
//! statistics at every period boundary, as the engine records them, plus filler packets so the file
//! is as big as a real one (real replays are mostly the players' commands). For the benchmarks and the
//! README's screenshot of a replay in Review. Not shipped.

use bar_live_core::protocol::WidgetMessage;
use bar_live_core::replay::STAT_COUNTERS;
use bar_live_core::sim::{SimGame, SimOptions};

use super::{Builder, Rec, packet, stream};

/// `filler_bytes` of pseudo-random command packets (they compress about as badly as real ones).
fn filler(frames: u32, filler_bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(filler_bytes + 64);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut f = 0u32;
    while out.len() < filler_bytes {
        let mut body = vec![11u8]; // NETMSG_COMMAND-like: the reader skips what it does not read
        for _ in 0..40 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            body.push((x % 23) as u8);
        }
        f = (f + 7) % frames.max(1);
        out.extend(packet(f as f32 / 30.0, &body));
    }
    out
}

/// The replay of `opts`'s game, statistics every `period_s` seconds, about `filler_bytes` of
/// commands in its stream; ally team 0 wins.
pub fn from_sim(opts: SimOptions, period_s: i32, filler_bytes: usize) -> Builder {
    let mut game = SimGame::new(opts);
    let mut hello = None;
    let mut records: Vec<Vec<Rec>> = Vec::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut next_frame = 0u32;
    let mut last_frame = 0u32;
    let period_frames = period_s as u32 * 30;
    let mut take = |msgs: Vec<WidgetMessage>,
                    hello: &mut Option<bar_live_core::protocol::Hello>| {
        for m in msgs {
            match m {
                WidgetMessage::Hello(h) => {
                    ids = h
                        .teams
                        .iter()
                        .filter(|t| !t.is_gaia)
                        .map(|t| t.team_id)
                        .collect();
                    records = vec![Vec::new(); ids.len()];
                    *hello = Some(h);
                }
                WidgetMessage::Update(u) => {
                    last_frame = u.game_frame;
                    if u.game_frame < next_frame {
                        continue;
                    }
                    let mut any = false;
                    for s in &u.teams {
                        let (Some(k), Some(stats)) =
                            (ids.iter().position(|&id| id == s.team_id), &s.stats)
                        else {
                            continue;
                        };
                        let v = serde_json::to_value(stats).expect("stats as JSON");
                        let c = |name: &str| v[name].as_f64().unwrap_or(0.0);
                        let mut floats = [0.0f32; 12];
                        let mut ints = [0i32; 7];
                        for (i, name) in STAT_COUNTERS.iter().enumerate() {
                            if i < 12 {
                                floats[i] = c(name) as f32;
                            } else {
                                ints[i - 12] = c(name) as i32;
                            }
                        }
                        records[k].push(Rec {
                            frame: next_frame as i32,
                            floats,
                            ints,
                        });
                        any = true;
                    }
                    if any {
                        next_frame += period_frames;
                    }
                }
                _ => {}
            }
        }
    };
    take(game.handshake(), &mut hello);
    while !game.finished() {
        take(game.step(), &mut hello);
    }
    let hello = hello.expect("the simulator says hello");
    let teams: Vec<_> = hello.teams.iter().filter(|t| !t.is_gaia).collect();
    // The engine stamps the last record with the next boundary.
    for r in &mut records {
        if let Some(last) = r.last_mut() {
            last.frame = next_frame as i32;
        }
    }
    let mut script = format!(
        "[game]\n{{\n\tmapname={};\n\tgametype=Beyond All Reason test-29871;\n\tmyplayername={};\n",
        hello.game.map_name, teams[0].name
    );
    let mut player = 0;
    for (i, t) in teams.iter().enumerate() {
        if t.is_ai {
            script += &format!(
                "\t[ai{i}]\n\t{{\n\t\tname={};\n\t\tshortname=BARb;\n\t\tteam={};\n\t\thost=0;\n\t}}\n",
                t.name, t.team_id
            );
        } else {
            script += &format!(
                "\t[player{player}]\n\t{{\n\t\tname={};\n\t\tteam={};\n\t\tspectator=0;\n\t}}\n",
                t.name, t.team_id
            );
            player += 1;
        }
    }
    let leader = |t: usize| {
        teams[..=t]
            .iter()
            .filter(|x| !x.is_ai)
            .count()
            .saturating_sub(1)
    };
    for (i, t) in teams.iter().enumerate() {
        script += &format!(
            "\t[team{}]\n\t{{\n\t\tallyteam={};\n\t\tteamleader={};\n\t\tside=Armada;\n\t}}\n",
            t.team_id,
            t.ally_team_id,
            leader(i)
        );
    }
    let allies = teams.iter().map(|t| t.ally_team_id).max().unwrap_or(0) + 1;
    for a in 0..allies {
        script += &format!("\t[allyteam{a}]\n\t{{\n\t\tnumallies=0;\n\t}}\n");
    }
    script += "}\n";
    let colors = format!(
        "[{}]",
        teams
            .iter()
            .map(|t| {
                let hex = t.color.trim_start_matches('#');
                let c = |i: usize| {
                    u8::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128)
                };
                format!(
                    r#"{{"teamID":{},"r":{},"g":{},"b":{}}}"#,
                    t.team_id,
                    c(0),
                    c(2),
                    c(4)
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut s = stream(0, None, Some(&colors));
    s.extend(filler(last_frame, filler_bytes));
    s.extend(stream(last_frame, Some(&[0]), None));
    let game_time = (last_frame / 30) as i32;
    let mut b = Builder::game(teams.len(), 2, period_s);
    b.script = script;
    b.stream = s;
    b.game_time = game_time;
    b.wallclock = game_time + 30;
    b.players = vec![[1, 2, 3, 4, 5]; player];
    b.teams = records;
    b
}
