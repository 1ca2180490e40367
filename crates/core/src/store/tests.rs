use super::*;
use crate::protocol::*;

use crate::store::oracle;

fn team(id: u32, ally: u32) -> TeamInfo {
    TeamInfo {
        team_id: id,
        ally_team_id: ally,
        name: format!("T{id}"),
        color: "#ff0000".into(),
        is_ai: false,
        side: "armada".into(),
        is_gaia: false,
    }
}

fn hello(map: &str, frame: u32, teams: Vec<TeamInfo>) -> WidgetMessage {
    WidgetMessage::Hello(Hello {
        widget: WidgetInfo {
            name: "w".into(),
            version: "1".into(),
        },
        game: GameInfo {
            game_name: "g".into(),
            game_version: "1".into(),
            engine_version: "e".into(),
            map_name: map.into(),
            is_replay: false,
            spectating: true,
            full_view: true,
            my_player_id: 0,
            my_team_id: 0,
            game_frame: frame,
        },
        teams,
        config: HelloConfig {
            interval_frames: 15,
            level: Level::Standard,
            ..HelloConfig::default()
        },
    })
}

fn sample(id: u32, income: f64, by_def: Vec<(u32, u32)>, damage: f64) -> TeamSample {
    TeamSample {
        team_id: id,
        metal: Resource {
            income,
            current: 100.0,
            ..Default::default()
        },
        energy: Resource::default(),
        units: UnitCounts {
            total: by_def.iter().map(|x| x.1).sum(),
            by_def: Some(DefCounts(by_def)),
            unknown: None,
        },
        stats: Some(TeamStats {
            damage_dealt: damage,
            ..Default::default()
        }),
    }
}

fn update(frame: u32, teams: Vec<TeamSample>) -> WidgetMessage {
    WidgetMessage::Update(Update {
        game_frame: frame,
        game_seconds: f64::from(frame) / 30.0,
        paused: false,
        speed: 1.0,
        teams,
        units: None,
        units_omitted: None,
    })
}

fn defs() -> WidgetMessage {
    let def = |id, cost, category| UnitDef {
        id,
        name: format!("u{id}"),
        label: format!("U{id}"),
        metal_cost: cost,
        energy_cost: 0.0,
        category,
        tech_level: None,
        group: None,
    };
    WidgetMessage::UnitDefs(UnitDefs {
        defs: vec![
            def(1, 50.0, Category::Army),
            def(2, 1000.0, Category::Factory),
        ],
    })
}

#[test]
fn appends_columns_and_army_value() {
    let mut s = Store::new();
    s.ingest(&hello("m", 0, vec![team(0, 0), team(1, 1)]));
    s.ingest(&defs());
    s.ingest(&update(
        30,
        vec![
            sample(0, 2.0, vec![(1, 3), (2, 1)], 0.0),
            sample(1, 1.0, vec![], 0.0),
        ],
    ));
    s.ingest(&update(60, vec![sample(0, 4.0, vec![(1, 5)], 10.0)]));
    let t0 = &s.series[&0];
    assert_eq!(t0.t, vec![1.0, 2.0]);
    assert_eq!(t0.values(Metric::MetalIncome), &[2.0, 4.0]);
    assert_eq!(
        t0.values(Metric::ArmyValue),
        &[150.0, 250.0],
        "factories are not army"
    );
    assert_eq!(t0.values(Metric::Units), &[4.0, 5.0]);
    assert_eq!(s.series[&1].len(), 1, "absent team gets no fake sample");
    assert_eq!(s.undescribed_defs, 0);
}

#[test]
fn undescribed_defs_are_counted() {
    let mut s = Store::new();
    s.ingest(&hello("m", 0, vec![team(0, 0)]));
    s.ingest(&update(30, vec![sample(0, 2.0, vec![(9, 1)], 0.0)]));
    assert_eq!(s.undescribed_defs, 1);
}

#[test]
fn ally_sums_align_on_time() {
    let mut s = Store::new();
    s.ingest(&hello("m", 0, vec![team(0, 0), team(1, 0), team(2, 1)]));
    s.ingest(&update(
        30,
        vec![
            sample(0, 2.0, vec![], 0.0),
            sample(1, 3.0, vec![], 0.0),
            sample(2, 7.0, vec![], 0.0),
        ],
    ));
    s.ingest(&update(
        60,
        vec![sample(0, 4.0, vec![], 0.0), sample(2, 8.0, vec![], 0.0)],
    ));
    let (t, v) = oracle::ally_values(&s, 0, Metric::MetalIncome, ValueMode::PerSecond);
    assert_eq!(t, vec![1.0, 2.0]);
    assert_eq!(v, vec![5.0, 4.0], "team 1 missing at t=2 adds nothing");
    let (_, v1) = oracle::ally_values(&s, 1, Metric::MetalIncome, ValueMode::PerSecond);
    assert_eq!(v1, vec![7.0, 8.0]);
    assert_eq!(s.ally_ids(), vec![0, 1]);
}

#[test]
fn rates_and_cumulative() {
    let t = [0.0, 1.0, 3.0];
    // Rate integrated by trapezoid: 0, (2+4)/2*1 = 3, 3 + (4+4)/2*2 = 11
    assert_eq!(
        oracle::transform(&t, &[2.0, 4.0, 4.0], Kind::Rate, ValueMode::Cumulative),
        vec![0.0, 3.0, 11.0]
    );
    // Counter differentiated between changes: NaN, 10/1, 30/2
    let d = oracle::transform(&t, &[0.0, 10.0, 40.0], Kind::Counter, ValueMode::PerSecond);
    assert!(d[0].is_nan());
    assert_eq!(&d[1..], &[10.0, 15.0]);
    // A 15 s stats period sampled every 5 s: the rate holds between refreshes, then drops to 0.
    let t: Vec<f64> = (0..11).map(|i| f64::from(i) * 5.0).collect();
    let v = [
        0.0, 0.0, 0.0, 150.0, 150.0, 150.0, 300.0, 300.0, 300.0, 300.0, 300.0,
    ];
    let d = oracle::transform(&t, &v, Kind::Counter, ValueMode::PerSecond);
    assert_eq!(&d[3..], &[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 0.0]);
    assert_eq!(
        oracle::transform(&t, &[1.0, 2.0, 3.0], Kind::Level, ValueMode::Cumulative),
        vec![1.0, 2.0, 3.0]
    );
}

#[test]
fn reconnect_keeps_history_new_game_clears() {
    let mut s = Store::new();
    s.ingest(&hello("m", 0, vec![team(0, 0)]));
    s.ingest(&update(300, vec![sample(0, 2.0, vec![], 0.0)]));
    s.ingest(&hello("m", 600, vec![team(0, 0)]));
    assert_eq!(s.series[&0].len(), 1, "same game continues");
    s.ingest(&hello("other map", 0, vec![team(0, 0)]));
    assert!(s.series.is_empty(), "new game starts over");
    s.ingest(&update(300, vec![sample(0, 2.0, vec![], 0.0)]));
    s.ingest(&update(30, vec![sample(0, 2.0, vec![], 0.0)]));
    assert_eq!(
        s.series[&0].t,
        vec![1.0],
        "time going backwards starts over"
    );
}

#[test]
fn pause_events_and_unknown_types() {
    let mut s = Store::new();
    s.ingest(&WidgetMessage::Event(Event::new(10, "paused")));
    assert!(s.paused);
    s.ingest(&WidgetMessage::Event(Event::new(10, "unpaused")));
    assert!(!s.paused);
    s.ingest(&WidgetMessage::Unknown("x".into()));
    s.ingest(&WidgetMessage::Unknown("x".into()));
    assert_eq!(s.unknown_types["x"], 2);
    assert_eq!(s.events.len(), 2);
}

#[test]
fn metric_keys_round_trip() {
    for &m in Metric::ALL {
        assert_eq!(Metric::from_key(m.key()), Some(m));
    }
    assert_eq!(Metric::ALL.len(), Metric::COUNT);
}
