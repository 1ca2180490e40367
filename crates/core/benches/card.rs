//! The post-game card (target: under 1 s). Run: `cargo bench -p bar-live-core --bench card` (results in
//! docs/PERFORMANCE.md, "Post-game card").
//!
//! - `card_of_file_demo`: read the bundled 25-minute, 4-team demo recording (607 KiB) into a store and
//!   take the card's data from it;
//! - `render_16_teams`: draw a 16-team, 60-minute card and encode the PNG.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use bar_live_core::card::{self, CardData, text::Fonts};
use bar_live_core::sim::{SimGame, SimOptions};
use bar_live_core::store::Store;
use criterion::{Criterion, criterion_group, criterion_main};

fn big_card() -> CardData {
    let messages = SimGame::new(SimOptions {
        teams: 16,
        minutes: 60.0,
        ..SimOptions::default()
    })
    .play_out();
    let store = Store::from_messages(&messages);
    CardData::from_store(&store, Some(&[0]), 0)
}

fn bench(c: &mut Criterion) {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/demo.barlive");
    c.bench_function("card_of_file_demo", |b| {
        b.iter(|| black_box(card::card_of_file(&demo).unwrap()))
    });
    let data = big_card();
    let fonts = Fonts::new(&[]);
    c.bench_function("render_16_teams", |b| {
        b.iter(|| black_box(card::render(&data, &fonts).unwrap()))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
