//! The hand-written `update` decoder against the serde oracle (`oracle/mod.rs`): every valid update
//! decodes to the oracle's value (escapes, key orders, whitespace, unknown fields, number rounding),
//! every invalid one gets the oracle's error class (a table of inputs → kinds, with the precedence
//! rules), and random mutations of valid updates never panic and never disagree with the oracle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oracle;

use std::path::Path;

use bar_live_protocol::*;
use oracle::agree;
use proptest::prelude::*;
use serde::de::IgnoredAny;

const TEAM: &str = r#"{"team_id":3,"metal":{"current":1504.62,"storage":2000,"pull":67.82781,"income":65.17923,"expense":60.56055,"share":0.99,"sent":0,"received":0,"excess":null},"energy":{"current":-3146.98,"storage":4e3,"pull":1160.826,"income":1.252488E3,"expense":1105.548,"share":0.95,"sent":0,"received":0,"excess":0},"units":{"total":351,"by_def":{"1":1,"10":7,"007":2,"+5":1},"unknown":2},"stats":{"time":600,"frame":18000,"metal_used":22043.04,"damage_dealt":null,"extra":[1,{"a":[]}]}}"#;

fn update_text(teams: &str, tail: &str) -> String {
    format!(
        r#"{{"type":"update","schema_version":1,"seq":7,"game_frame":18015,"game_seconds":600.5,"paused":false,"speed":1,"teams":[{teams}]{tail}}}"#
    )
}

fn update_of(m: &Message) -> &Update {
    match &m.body {
        WidgetMessage::Update(u) => u,
        other => panic!("not an update: {other:?}"),
    }
}

fn kind(text: &str) -> &'static str {
    match agree(text.as_bytes()) {
        Ok(_) => "ok",
        Err(e) => e.kind(),
    }
}

#[test]
fn decodes_what_serde_decodes() {
    let text = update_text(TEAM, "");
    let m = agree(text.as_bytes()).unwrap();
    let u = update_of(&m);
    assert_eq!(u.teams[0].units.by_def.as_ref().map(|d| d.0.len()), Some(4));
    assert!(u.teams[0].metal.excess.is_nan());
    let units = r#","units":[{"id":1,"def":2,"team":3,"x":-10.5,"z":0,"health":null,"build":1}],"units_omitted":0"#;
    agree(update_text(&format!("{TEAM},{TEAM}"), units).as_bytes()).unwrap();
    agree(update_text("", r#","units":null,"units_omitted":null"#).as_bytes()).unwrap();
    // Whitespace anywhere JSON allows it.
    let spaced = update_text(TEAM, "")
        .replace(',', " ,\n\t")
        .replace(':', "\r: ");
    agree(spaced.as_bytes()).unwrap();
    agree(format!(" \n{}\t\r\n ", update_text(TEAM, "")).as_bytes()).unwrap();
}

#[test]
fn escapes_in_keys_and_strings_decode() {
    // Keys written with escapes are the same keys; escaped strings in ignored fields are skipped.
    let team = TEAM
        .replace(r#""team_id""#, r#""te\u0061m_id""#)
        .replace(r#""current""#, r#""\u0063urrent""#)
        .replace(r#""metal_used""#, r#""metal\u005fused""#)
        .replace(r#""10":7"#, r#""1\u0030":7"#);
    let tail = r#","x":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00","\ud83d\ude00":"\ud800""#;
    let text = update_text(&team, tail).replace(r#""type":"update""#, r#""type":"upd\u0061te""#);
    let m = agree(text.as_bytes()).unwrap();
    let plain = agree(update_text(TEAM, "").as_bytes()).unwrap();
    assert!(oracle::same(&m, &plain), "{m:?}\n{plain:?}");
}

#[test]
fn any_key_order_decodes_the_same() {
    // The widget writes the statistics entry in Lua's table order; the key hints learn it.
    let stats: Vec<String> = TeamStats::FIELDS
        .iter()
        .enumerate()
        .rev()
        .map(|(i, k)| format!(r#""{k}":{}.5"#, i * 3))
        .collect();
    let team = |id: u32| {
        format!(
            r#"{{"stats":{{{}}},"units":{{"by_def":{{"3":1}},"total":1}},"energy":{{"excess":1,"received":2,"sent":3,"share":4,"expense":5,"income":6,"pull":7,"storage":8,"current":9}},"metal":{{"current":1,"storage":2,"pull":3,"income":4,"expense":5,"share":6,"sent":7,"received":8,"excess":9}},"team_id":{id}}}"#,
            stats.join(",")
        )
    };
    let teams = format!("{},{},{}", team(0), team(1), team(2));
    let m = agree(update_text(&teams, "").as_bytes()).unwrap();
    let u = update_of(&m);
    assert_eq!(u.teams.len(), 3);
    assert_eq!(u.teams[2].stats.map(|s| s.units_killed), Some(60.5));
    assert_eq!(u.teams[2].energy.current, 9.0);
    // Envelope last.
    let text = update_text(&teams, "");
    let moved = format!(
        r#"{{{},"type":"update","schema_version":1,"seq":7}}"#,
        &text[r#"{"type":"update","schema_version":1,"seq":7,"#.len()..text.len() - 1]
    );
    let again = agree(moved.as_bytes()).unwrap();
    assert!(oracle::same(&again, &m));
}

#[test]
fn numbers_round_like_serde() {
    for x in [
        "0",
        "-0",
        "1",
        "123456789012345678901234",
        "0.1",
        "2.2250738585072014e-308",
        "5e-324",
        "1.7976931348623157e308",
        "9007199254740993",
        "0.30000000000000004",
        "1e22",
        "1e23",
        "123.456e-5",
        "-1E+2",
        "4.35",
        "1e-400",
        "0e999999999999",
        "1e-99999999999",
        "0.000000000000000000000000000000000000001",
        "18446744073709551615",
        "18446744073709551616",
    ] {
        let text = update_text("", &format!(r#","x":{x},"game_seconds":{x}"#))
            .replace(r#""game_seconds":600.5,"#, "");
        let m = agree(text.as_bytes()).expect(x);
        let want: f64 = x.parse().unwrap();
        assert_eq!(update_of(&m).game_seconds.to_bits(), want.to_bits(), "{x}");
    }
}

/// Every failure class, with the precedence: UTF-8, then JSON syntax anywhere, then the envelope
/// (version, `seq`), then the body. Each row also goes through the oracle (same kind).
#[test]
fn error_classes_table() {
    let ok = update_text(TEAM, "");
    let replace = |from: &str, to: &str| {
        assert!(ok.contains(from), "{from}");
        ok.replacen(from, to, 1)
    };
    let deep = format!(r#","x":{}1{}"#, "[".repeat(2000), "]".repeat(2000));
    let rows: Vec<(String, &str, &str)> = vec![
        // Valid: unknown fields may hold anything JSON, read or not.
        (
            update_text(TEAM, r#","x":1e999"#),
            "ok",
            "out-of-range number in an ignored field",
        ),
        (
            update_text(TEAM, r#","x":"\ud800""#),
            "ok",
            "unpaired surrogate in an ignored string",
        ),
        (
            update_text(TEAM, r#","x":{"\udc00":1}"#),
            "ok",
            "unpaired surrogate in an ignored key",
        ),
        (
            update_text(TEAM, &deep),
            "ok",
            "nesting 2000 deep in an ignored field",
        ),
        (
            replace(r#""seq":7"#, r#""seq":7,"seq2":null"#),
            "ok",
            "near-miss key",
        ),
        // Invalid JSON, wherever it is.
        (format!("{ok} x"), "json", "trailing characters"),
        (format!("{ok},"), "json", "trailing comma after the message"),
        (ok[..ok.len() - 1].to_owned(), "json", "truncated"),
        (ok[..40].to_owned(), "json", "truncated in the envelope"),
        (
            update_text(TEAM, r#","x":"a\qb""#),
            "json",
            "bad escape in an ignored string",
        ),
        (
            update_text(TEAM, r#","x":"\u12G4""#),
            "json",
            "bad \\u escape",
        ),
        (
            update_text(TEAM, ",\"x\":\"a\tb\""),
            "json",
            "control character in a string",
        ),
        (update_text(TEAM, r#","x":tru"#), "json", "bad literal"),
        (update_text(TEAM, r#","x":01"#), "json", "leading zero"),
        (
            update_text(TEAM, r#","x":1."#),
            "json",
            "fraction without digits",
        ),
        (update_text(TEAM, r#","x":-"#), "json", "minus alone"),
        (
            update_text(TEAM, r#","x":[1,]"#),
            "json",
            "trailing comma in an ignored array",
        ),
        (
            update_text(TEAM, r#","#),
            "json",
            "trailing comma in the object",
        ),
        (update_text(TEAM, r#","x" 1"#), "json", "missing colon"),
        (update_text(TEAM, r#",x:1"#), "json", "unquoted key"),
        (
            replace(r#""game_seconds":600.5"#, r#""game_seconds":1e999"#),
            "json",
            "number out of range in a read field",
        ),
        (
            replace(
                r#""game_frame":18015"#,
                &format!(r#""game_frame":1{}"#, "0".repeat(400)),
            ),
            "json",
            "400-digit integer",
        ),
        (
            replace(r#""paused":false"#, r#""paused":1e999"#),
            "json",
            "out-of-range number where a bool belongs",
        ),
        (
            replace(r#""team_id":3"#, r#""team_id":3,"\ud800":1"#),
            "json",
            "unpaired surrogate in a read key",
        ),
        (
            replace(r#""type":"update""#, r#""type":"update","\udfff":1"#),
            "json",
            "unpaired surrogate in a top-level key",
        ),
        (
            replace(r#""seq":7"#, r#""seq":1e999"#),
            "json",
            "seq out of range",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":1e999"#),
            "json",
            "schema_version out of range",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":2"#)[..ok.len() - 1].to_owned(),
            "json",
            "v2 but unterminated: syntax first",
        ),
        (
            format!(
                "{} x",
                ok.replace(r#""schema_version":1"#, r#""schema_version":2"#)
            ),
            "json",
            "v2 with trailing characters: syntax first",
        ),
        (
            update_text(TEAM, r#","x":{"a":1 "b":2}"#),
            "json",
            "missing comma in an ignored object",
        ),
        // The envelope.
        (
            replace(r#""schema_version":1"#, r#""schema_version":2"#),
            "unsupported_version",
            "newer version",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":2"#)
                .replace(r#""teams":["#, r#""teams":"new shape","old":["#),
            "unsupported_version",
            "version before body",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":0"#),
            "schema",
            "version 0",
        ),
        (
            replace(r#""schema_version":1,"#, ""),
            "schema",
            "version missing",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":"1""#),
            "schema",
            "version as a string",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":1e2"#),
            "schema",
            "version as a float",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":-1"#),
            "schema",
            "negative version",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":4294967296"#),
            "schema",
            "version beyond u32",
        ),
        (replace(r#""seq":7"#, r#""seq":0"#), "schema", "seq 0"),
        (replace(r#""seq":7,"#, ""), "schema", "seq missing"),
        (replace(r#""seq":7"#, r#""seq":null"#), "schema", "seq null"),
        (
            replace(r#""seq":7"#, r#""seq":-1"#),
            "schema",
            "seq negative",
        ),
        (
            replace(r#""seq":7"#, r#""seq":1.5"#),
            "schema",
            "seq fractional",
        ),
        (
            replace(r#""seq":7"#, r#""seq":7,"seq":8"#),
            "schema",
            "duplicate seq",
        ),
        (
            replace(r#""seq":7"#, r#""seq":7,"type":"update""#),
            "schema",
            "duplicate type",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":2,"seq":"x""#),
            "schema",
            "envelope shape before version",
        ),
        (
            replace(r#""schema_version":1"#, r#""schema_version":2"#)
                .replace(r#""seq":7"#, r#""seq":"x""#),
            "schema",
            "envelope shape before version (seq after)",
        ),
        (
            replace(r#""seq":7"#, r#""seq":0"#).replace(r#""team_id":3"#, r#""team_id":"x""#),
            "schema",
            "seq before body",
        ),
        // The body.
        (replace(r#""team_id":3,"#, ""), "schema", "missing field"),
        (
            replace(r#""game_frame":18015,"#, ""),
            "schema",
            "missing top-level field",
        ),
        (
            replace(r#""total":351"#, r#""total":-1"#),
            "schema",
            "negative integer",
        ),
        (
            replace(r#""total":351"#, r#""total":351.5"#),
            "schema",
            "fractional integer",
        ),
        (
            replace(r#""total":351"#, r#""total":1e2"#),
            "schema",
            "integer with an exponent",
        ),
        (
            replace(r#""total":351"#, r#""total":-0"#),
            "schema",
            "-0 for an integer",
        ),
        (
            replace(r#""total":351"#, r#""total":4294967296"#),
            "schema",
            "integer beyond u32",
        ),
        (
            replace(r#""total":351"#, r#""total":123456789012345678901234"#),
            "schema",
            "integer beyond u64",
        ),
        (
            replace(r#""total":351"#, r#""total":null"#),
            "schema",
            "null for a required integer",
        ),
        (
            replace(r#""game_seconds":600.5"#, r#""game_seconds":null"#),
            "schema",
            "null for a non-nullable number",
        ),
        (
            replace(r#""paused":false"#, r#""paused":0"#),
            "schema",
            "number for a bool",
        ),
        (
            replace(r#""paused":false"#, r#""paused":"false""#),
            "schema",
            "string for a bool",
        ),
        (
            replace(r#""teams":["#, r#""teams":{"a":1},"x":["#),
            "schema",
            "object for an array",
        ),
        (
            replace(r#""team_id":3"#, r#""team_id":3,"team_id":4"#),
            "schema",
            "duplicate field",
        ),
        (
            replace(r#""sent":0"#, r#""sent":0,"sent":0"#),
            "schema",
            "duplicate resource field",
        ),
        (
            replace(r#""time":600"#, r#""time":600,"time":1"#),
            "schema",
            "duplicate stats field",
        ),
        (
            replace(r#""1":1"#, r#""x":1"#),
            "schema",
            "by_def key not an id",
        ),
        (
            replace(r#""1":1"#, r#""4294967296":1"#),
            "schema",
            "by_def key beyond u32",
        ),
        (replace(r#""1":1"#, r#""1":-1"#), "schema", "negative count"),
        (
            replace(r#""by_def":{"#, r#""by_def":[1],"y":{"#),
            "schema",
            "array for by_def",
        ),
        (
            update_text("[3,{},{},{}]", ""),
            "schema",
            "team written as an array",
        ),
        (
            replace(
                r#""metal":{"current":1504.62,"storage":2000,"pull":67.82781,"income":65.17923,"expense":60.56055,"share":0.99,"sent":0,"received":0,"excess":null}"#,
                r#""metal":[1,2,3,4,5,6,7,8,9]"#,
            ),
            "schema",
            "resource written as an array",
        ),
        (
            update_text("", r#","units":[[1,2,3,4,5,6,7]]"#),
            "schema",
            "unit written as an array",
        ),
        (
            update_text("", r#","units":[{"id":1}]"#),
            "schema",
            "missing unit fields",
        ),
        (
            update_text(
                "",
                r#","units":[{"id":1,"def":2,"team":3,"x":null,"z":0,"health":1,"build":1}]"#,
            ),
            "schema",
            "null for a unit position",
        ),
        (
            update_text("", r#","units_omitted":1.0"#),
            "schema",
            "float for an optional integer",
        ),
        (
            update_text("", r#","units_omitted":-1"#),
            "schema",
            "negative optional integer",
        ),
        (
            update_text("", r#","units":{}"#),
            "schema",
            "object for the unit list",
        ),
        ("[1,2]".into(), "schema", "not an object"),
        (r#""update""#.into(), "schema", "a string"),
        // Unreadable value in the body after a shape error: the shape error is first.
        (
            replace(r#""total":351"#, r#""total":-1"#).replace(r#""time":600"#, r#""time":1e999"#),
            "schema",
            "shape error before an unreadable number",
        ),
        (
            replace(r#""total":351"#, r#""total":1e999"#).replace(r#""time":600"#, r#""time":"x""#),
            "json",
            "unreadable number before a shape error",
        ),
    ];
    let mut failures = Vec::new();
    for (text, want, what) in &rows {
        let got = kind(text);
        if got != *want {
            failures.push(format!("{what}: got {got}, want {want}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        decode_widget(b"{\"type\":\"update\",\"seq\":\"\xff\"}")
            .unwrap_err()
            .kind(),
        "utf8"
    );
}

#[test]
fn errors_name_the_field() {
    let ok = update_text(&[TEAM; 5].join(","), "");
    let msg = |text: String| decode_widget(text.as_bytes()).unwrap_err().to_string();
    // The fourth team (index 3) lacks its id.
    let at = ok.match_indices(r#""team_id":3,"#).nth(3).unwrap().0;
    let missing = format!("{}{}", &ok[..at], &ok[at + r#""team_id":3,"#.len()..]);
    let m = msg(missing);
    assert!(
        m.contains("update: missing field `team_id` in teams[3]"),
        "{m}"
    );
    let bad = update_text(TEAM, r#","units_omitted":"many""#);
    let col = bad.find(r#""many""#).unwrap() + 1;
    let m = msg(bad);
    assert!(
        m.contains(&format!(
            "invalid type for `units_omitted` at line 1 column {col}: expected"
        )),
        "{m}"
    );
    let m = msg(ok.replacen(r#""income":65.17923"#, r#""income":true"#, 3));
    assert!(m.contains("`teams[0].metal.income`"), "{m}");
    let m = msg(ok.replacen(r#""sent":0,"#, r#""sent":0,"sent":1,"#, 1));
    assert!(
        m.contains("duplicate field `sent` in teams[0].metal"),
        "{m}"
    );
    let m = msg(format!("{ok} x"));
    assert!(m.contains("trailing characters at line 1 column"), "{m}");
    let m = msg(ok.replace(r#""time":600"#, r#""time":1e999"#));
    assert!(m.contains("number out of range"), "{m}");
}

// ---------------------------------------------------------------------------------------------
// Random mutations of valid updates
// ---------------------------------------------------------------------------------------------

/// Valid updates to mutate: the shipped examples, a widget-style update with escapes and unknown
/// fields, and this crate's encoder output.
fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../resources/protocol/examples");
    let mut out: Vec<String> = ["update.json", "update_detailed.json"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    out.push(update_text(&format!("{TEAM},{TEAM}"), r#","units":[{"id":1,"def":2,"team":3,"x":-10.5,"z":0,"health":null,"build":1}],"units_omitted":0"#));
    out.push(
        update_text(TEAM, r#","x":"a\"b\u00e9","y":[{"z":null}]"#)
            .replace(r#""team_id""#, r#""te\u0061m_id""#)
            .replace(',', ", "),
    );
    let m = decode_widget(out[0].as_bytes()).unwrap();
    out.push(String::from_utf8(encode_widget(&m.body, 99)).unwrap());
    for s in &out {
        agree(s.as_bytes()).unwrap();
    }
    out
}

/// Bytes that make interesting JSON when inserted or substituted.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\\",
    " ",
    "\n",
    "0",
    "1",
    "-",
    ".",
    "e",
    "E",
    "+",
    "9",
    "n",
    "t",
    "f",
    "null",
    "true",
    "1e999",
    "-0",
    "1.5",
    "\\u0041",
    "\\ud800",
    "\"\\ud800\"",
    "\\q",
    "\u{1}",
    "\"x\":1,",
    ",\"seq\":2",
    ",\"type\":\"update\"",
    "[[",
    "{\"a\":",
    "4294967296",
    "\u{e9}",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip(prop::sample::Index, u8),
    Replace(prop::sample::Index, prop::sample::Index),
    Insert(prop::sample::Index, prop::sample::Index),
    Delete(prop::sample::Index, usize),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = any::<prop::sample::Index>;
    prop_oneof![
        2 => (idx(), any::<u8>()).prop_map(|(i, x)| Mutation::Flip(i, x)),
        3 => (idx(), idx()).prop_map(|(i, p)| Mutation::Replace(i, p)),
        3 => (idx(), idx()).prop_map(|(i, p)| Mutation::Insert(i, p)),
        2 => (idx(), 1usize..8).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => idx().prop_map(Mutation::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let piece = |p: &prop::sample::Index| PIECES[p.index(PIECES.len())].as_bytes();
    match m {
        Mutation::Flip(i, x) => {
            let i = i.index(bytes.len());
            bytes[i] ^= x.max(&1);
        }
        Mutation::Replace(i, p) => {
            let i = i.index(bytes.len());
            bytes.splice(i..i + 1, piece(p).iter().copied());
        }
        Mutation::Insert(i, p) => {
            let i = i.index(bytes.len() + 1);
            bytes.splice(i..i, piece(p).iter().copied());
        }
        Mutation::Delete(i, n) => {
            let i = i.index(bytes.len());
            bytes.drain(i..(i + n).min(bytes.len()));
        }
        Mutation::Truncate(i) => bytes.truncate(i.index(bytes.len())),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(std::env::var("MUTATION_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(20_000)))]

    /// Mutated updates never panic; whatever serde accepts decodes to the same value, every error has
    /// the oracle's class, and text that is not JSON is always `json`.
    #[test]
    fn mutations_agree_with_the_oracle(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        thread_local!(static SEEDS: Vec<String> = seeds());
        let mut bytes = SEEDS.with(|s| s[seed.index(s.len())].clone().into_bytes());
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let got = agree(&bytes);
        if let Ok(text) = std::str::from_utf8(&bytes)
            && serde_json::from_str::<IgnoredAny>(text).is_err()
        {
            prop_assert_eq!(got.map(|_| ()).map_err(|e| e.kind()), Err("json"));
        }
    }
}
