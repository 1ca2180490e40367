//! The post-game card: a golden image of a simulated game's card (within a tolerance, so a font
//! rasteriser's rounding does not fail it, while a changed name or line does), and cards of the bundled
//! demo recording and of a BAR replay.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use bar_live_core::card::{self, CardData, HEIGHT, WIDTH, text::Fonts};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;
use tiny_skia::Pixmap;

const GOLDEN: &str = "tests/data/card/sim-4-teams.png";
/// 2026-12-07 00:00 UTC.
const CREATED_UNIX_MS: u64 = 1_796_601_600_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sim_card() -> CardData {
    let messages = SimGame::new(SimOptions {
        teams: 4,
        minutes: 18.0,
        seed: 11,
        ..SimOptions::default()
    })
    .play_out();
    let store = Store::from_messages(&messages);
    CardData::from_store(&store, Some(&[1]), CREATED_UNIX_MS)
}

fn png(card: &CardData) -> Vec<u8> {
    card::render(card, &Fonts::new(&[])).unwrap()
}

/// (mean absolute difference per channel, share of pixels differing by more than 48 in a channel).
fn difference(a: &[u8], b: &[u8]) -> (f64, f64) {
    let (a, b) = (
        Pixmap::decode_png(a).unwrap(),
        Pixmap::decode_png(b).unwrap(),
    );
    assert_eq!((a.width(), a.height()), (b.width(), b.height()));
    let (mut sum, mut far) = (0u64, 0u64);
    for (p, q) in a.data().chunks(4).zip(b.data().chunks(4)) {
        let d: Vec<u8> = p
            .iter()
            .zip(q)
            .take(3)
            .map(|(x, y)| x.abs_diff(*y))
            .collect();
        sum += d.iter().map(|&x| u64::from(x)).sum::<u64>();
        far += u64::from(d.iter().any(|&x| x > 48));
    }
    let pixels = (a.width() * a.height()) as f64;
    (sum as f64 / (pixels * 3.0), far as f64 / pixels)
}

fn close_enough((mean, far): (f64, f64)) -> bool {
    mean <= 1.0 && far <= 0.002
}

#[test]
#[ignore = "regenerates the golden card; run deliberately and look at it"]
fn regenerate_golden_card() {
    let path = root().join(GOLDEN);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, png(&sim_card())).unwrap();
}

#[test]
fn the_card_matches_the_golden_image() {
    let card = sim_card();
    assert_eq!(card.teams.len(), 4);
    assert!(card.teams[0].won, "winners first");
    assert_eq!(card.date, "2026-12-07");
    let got = png(&card);
    let img = Pixmap::decode_png(&got).unwrap();
    assert_eq!((img.width(), img.height()), (WIDTH, HEIGHT));
    let golden = std::fs::read(root().join(GOLDEN)).unwrap();
    let d = difference(&got, &golden);
    assert!(close_enough(d), "differs from {GOLDEN}: {d:?}");
    // The tolerance is not blind: another name or another winner is seen.
    let mut renamed = card.clone();
    renamed.teams[2].name = "Somebody Else Entirely".into();
    assert!(!close_enough(difference(&png(&renamed), &golden)));
    let mut no_winner = card.clone();
    no_winner.winner = None;
    no_winner.teams.iter_mut().for_each(|t| t.won = false);
    assert!(!close_enough(difference(&png(&no_winner), &golden)));
}

#[test]
fn cards_of_a_recording_and_of_a_replay() {
    let demo = card::card_of_file(&root().join("../../resources/demo.barlive")).unwrap();
    assert_eq!(demo.teams.len(), 4);
    assert_eq!(demo.winner.as_deref(), Some("Alice & Bob"));
    assert!(demo.graphs.iter().all(|g| g.lines.len() == 4));
    assert!(!demo.marks.is_empty(), "milestones marked");
    let replay =
        card::card_of_file(&root().join("tests/data/replay/spring106-game-over.sdfz")).unwrap();
    assert!(!replay.teams.is_empty());
    assert!(replay.teams.iter().any(|t| t.damage_dealt.is_some()));
    let png = card::render(&replay, &Fonts::new(&[])).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let e = card::card_of_file(Path::new("/nonexistent/game.barlive")).unwrap_err();
    assert!(format!("{e:#}").contains("cannot open"), "{e:#}");
}
