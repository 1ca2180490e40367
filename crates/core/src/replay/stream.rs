//! The demo stream: `{f32 modGameTime; u32 length; u8 packet[length]}` records, the network packets
//! the game ran on. Only a few are looked at:
//! - 1 keyframe (`u8 id, i32 frame`) and 2 new frame (`u8 id`): the simulation's frame count;
//! - 30 game over (`u8 id, u8 size, u8 playerNum, u8 winners[]`), present even in server recordings;
//! - 50 Lua message (`u8 id, u16 size, u8 playerNum, u16 script, u8 mode, msg`): BAR sends the team
//!   colours it shows as `AutoColors[{"teamID":0,"r":0,"g":80,"b":255},…]` (0–255).
//!
//! Everything else is skipped without being kept.

use std::io::Read;

use super::error::ReplayError;
use super::header::{read_full, read_vec, skip};

const KEYFRAME: u8 = 1;
const NEWFRAME: u8 = 2;
const GAMEOVER: u8 = 30;
const LUAMSG: u8 = 50;
/// Packets larger than this are skipped unread even when their id is one of the above.
const MAX_READ_PACKET_BYTES: u32 = 1024 * 1024;
const AUTO_COLORS: &[u8] = b"AutoColors";

/// The game over packet.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GameOver {
    /// The simulation frame when it was sent (frames counted from the stream).
    pub frame: u32,
    pub player_num: u8,
    pub winners: Vec<u8>,
}

/// What the scan found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamInfo {
    pub packets: u64,
    /// Bytes of the stream read.
    pub bytes: u64,
    /// The last simulation frame (keyframes and new frames).
    pub last_frame: u32,
    pub game_over: Option<GameOver>,
    /// `(team id, [r, g, b])` from BAR's `AutoColors` message.
    pub auto_colors: Vec<(u32, [u8; 3])>,
    /// The stream ended before `demoStreamSize` bytes.
    pub cut_short: bool,
}

/// Reads `len` bytes of demo stream.
pub fn scan<R: Read>(input: &mut R, len: u64) -> Result<StreamInfo, ReplayError> {
    let mut info = StreamInfo::default();
    let mut packet = Vec::new();
    let mut frame: u64 = 0;
    while info.bytes < len {
        let mut head = [0u8; 8];
        let want = (len - info.bytes).min(8) as usize;
        let got = read_full(input, &mut head[..want])?;
        info.bytes += got as u64;
        if got < 8 {
            info.cut_short = got < want;
            break;
        }
        let size = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        let size = u64::from(size).min(len - info.bytes);
        info.packets += 1;
        let mut id = [0u8; 1];
        if size == 0 {
            continue;
        }
        let got = read_full(input, &mut id)?;
        info.bytes += got as u64;
        if got == 0 {
            info.cut_short = true;
            break;
        }
        let rest = size - 1;
        let read_body = matches!(id[0], KEYFRAME | GAMEOVER | LUAMSG)
            && rest < u64::from(MAX_READ_PACKET_BYTES);
        let got = if read_body {
            packet.clear();
            read_vec(input, rest, &mut packet)?
        } else {
            skip(input, rest)?
        };
        info.bytes += got;
        if got < rest {
            info.cut_short = true;
            break;
        }
        match id[0] {
            NEWFRAME => frame += 1,
            KEYFRAME if packet.len() >= 4 => {
                let f = i32::from_le_bytes([packet[0], packet[1], packet[2], packet[3]]);
                frame = u64::try_from(f).unwrap_or(frame);
            }
            GAMEOVER if read_body && packet.len() >= 2 => {
                // size byte, playerNum, winners up to the declared size.
                let declared = usize::from(packet[0]).saturating_sub(3);
                let winners = packet[2..].iter().take(declared).copied().collect();
                info.game_over = Some(GameOver {
                    frame: frame.min(u64::from(u32::MAX)) as u32,
                    player_num: packet[1],
                    winners,
                });
            }
            LUAMSG if read_body && info.auto_colors.is_empty() => {
                info.auto_colors = auto_colors(&packet);
            }
            _ => {}
        }
    }
    info.last_frame = frame.min(u64::from(u32::MAX)) as u32;
    Ok(info)
}

/// The team colours of an `AutoColors` Lua message (the packet after its id); empty if it is not one.
fn auto_colors(body: &[u8]) -> Vec<(u32, [u8; 3])> {
    // u16 size, u8 playerNum, u16 script, u8 mode, then the message (a later engine may widen
    // playerNum: the marker is looked for in the first bytes).
    let Some(at) = body
        .windows(AUTO_COLORS.len())
        .take(16)
        .position(|w| w == AUTO_COLORS)
    else {
        return Vec::new();
    };
    let json = &body[at + AUTO_COLORS.len()..];
    let Ok(serde_json::Value::Array(items)) = serde_json::from_slice::<serde_json::Value>(json)
    else {
        return Vec::new();
    };
    let channel = |v: &serde_json::Value| {
        v.as_f64()
            .filter(|x| x.is_finite())
            .map(|x| x.round().clamp(0.0, 255.0) as u8)
    };
    items
        .iter()
        .filter_map(|item| {
            let team = item.get("teamID")?.as_u64()?;
            let rgb = [
                channel(item.get("r")?)?,
                channel(item.get("g")?)?,
                channel(item.get("b")?)?,
            ];
            Some((u32::try_from(team).ok()?, rgb))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(t: f32, bytes: &[u8]) -> Vec<u8> {
        let mut v = t.to_le_bytes().to_vec();
        v.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        v.extend_from_slice(bytes);
        v
    }

    #[test]
    fn frames_game_over_and_colors() {
        let mut s = Vec::new();
        s.extend(packet(0.0, &[KEYFRAME, 100, 0, 0, 0]));
        s.extend(packet(0.0, &[NEWFRAME]));
        s.extend(packet(0.0, &[NEWFRAME]));
        let json =
            br#"AutoColors[{"teamID":0,"r":0,"g":80,"b":255},{"teamID":1,"r":255.4,"g":16,"b":5}]"#;
        let mut lua = vec![LUAMSG, 0, 0, 0, 0, 0, 0];
        lua.extend_from_slice(json);
        s.extend(packet(1.0, &lua));
        s.extend(packet(2.0, &[GAMEOVER, 5, 3, 1, 2]));
        s.extend(packet(2.0, &[7, 1, 2, 3]));
        let info = scan(&mut s.as_slice(), s.len() as u64).unwrap();
        assert_eq!(info.packets, 6);
        assert_eq!(info.last_frame, 102);
        assert!(!info.cut_short);
        assert_eq!(
            info.game_over,
            Some(GameOver {
                frame: 102,
                player_num: 3,
                winners: vec![1, 2]
            })
        );
        assert_eq!(info.auto_colors, [(0, [0, 80, 255]), (1, [255, 16, 5])]);
        // Cut inside a packet.
        let cut = &s[..s.len() - 2];
        let info = scan(&mut &cut[..], s.len() as u64).unwrap();
        assert!(info.cut_short);
        assert_eq!(info.packets, 6);
    }
}
