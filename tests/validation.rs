//! Scenario validation: one test per error path. Every test starts from the
//! valid `tests/data/minimal.toml`, changes one thing, and checks the exact
//! field path, the 1-based line and column the error points at, and the
//! message.

use bordersim::error::InputError;
use bordersim::scenario::load_str;

const BASE: &str = include_str!("data/minimal.toml");
const FILE: &str = "test.toml";

/// `BASE` with `old` (which must occur exactly once) replaced by `new`.
fn edit(old: &str, new: &str) -> String {
    edit_text(BASE, old, new)
}

fn edit_text(text: &str, old: &str, new: &str) -> String {
    assert_eq!(
        text.matches(old).count(),
        1,
        "test setup: {old:?} must occur exactly once in the scenario text"
    );
    text.replacen(old, new, 1)
}

/// 1-based (line, column) of `sub` inside the only occurrence of `anchor`.
fn pos(text: &str, anchor: &str, sub: &str) -> (usize, usize) {
    assert_eq!(
        text.matches(anchor).count(),
        1,
        "test setup: anchor {anchor:?} must occur exactly once"
    );
    let a = text.find(anchor).unwrap();
    let off = a + anchor
        .find(sub)
        .unwrap_or_else(|| panic!("test setup: {sub:?} not in {anchor:?}"));
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Position of the first character of `anchor`.
fn at(text: &str, anchor: &str) -> (usize, usize) {
    pos(text, anchor, anchor)
}

fn problems(text: &str) -> Vec<InputError> {
    match load_str(text, FILE) {
        Ok(_) => panic!("expected the scenario to be rejected, but it loaded"),
        Err(e) => {
            let p = e.problems().to_vec();
            assert!(!p.is_empty(), "a rejected scenario reports problems: {e}");
            for x in &p {
                assert_eq!(x.file, FILE);
            }
            p
        }
    }
}

fn render(p: &[InputError]) -> String {
    p.iter()
        .map(|e| format!("  {e}  [path {:?}]", e.path))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_problem(e: &InputError, path: &str, at: (usize, usize), msg: &str) {
    assert_eq!(e.path, path, "path of: {e}");
    assert_eq!((e.line, e.column), at, "line:column of: {e}");
    assert!(
        e.message.contains(msg),
        "message of {e}\n  should contain {msg:?}"
    );
}

/// Exactly one problem, with this path, position and message substring.
fn check(text: &str, path: &str, at: (usize, usize), msg: &str) {
    let p = problems(text);
    assert_eq!(p.len(), 1, "expected one problem, got:\n{}", render(&p));
    assert_problem(&p[0], path, at, msg);
}

/// Among the problems, one with this path, position and message substring.
fn check_has(text: &str, path: &str, at: (usize, usize), msg: &str) {
    let p = problems(text);
    let e = p
        .iter()
        .find(|e| e.path == path)
        .unwrap_or_else(|| panic!("no problem at {path:?}; got:\n{}", render(&p)));
    assert_problem(e, path, at, msg);
}

// ---------------------------------------------------------------------------

#[test]
fn base_scenario_is_valid() {
    let s = load_str(BASE, FILE).unwrap_or_else(|e| panic!("minimal.toml must be valid:\n{e}"));
    assert_eq!(s.meta.name, "minimal");
    assert_eq!(s.meta.horizon, 30);
    assert_eq!(s.crossings.len(), 2);
    assert_eq!(s.commodities.len(), 2);
    assert_eq!(s.flows.len(), 2);
    assert_eq!(s.events.len(), 1);
}

#[test]
fn display_has_file_line_column_and_path() {
    let t = edit("workers = 1000\n", "workers = -3\n");
    let e = load_str(&t, FILE).unwrap_err();
    let (l, c) = pos(&t, "workers = -3", "-3");
    let shown = e.to_string();
    assert!(
        shown.starts_with(&format!("test.toml:{l}:{c}: `crossings.alpha.workers`: ")),
        "{shown}"
    );
}

// --- unknown fields ---------------------------------------------------------

#[test]
fn unknown_top_level_key() {
    let t = edit("[scenario]\n", "colour = \"red\"\n\n[scenario]\n");
    check(&t, "colour", at(&t, "colour"), "unknown field `colour`");
}

#[test]
fn unknown_top_level_table() {
    let t = format!("{BASE}\n[bogus]\nx = 1\n");
    check(
        &t,
        "bogus",
        pos(&t, "[bogus]", "bogus"),
        "unknown field `bogus`",
    );
}

#[test]
fn unknown_field_in_section() {
    let t = edit("[policy]\n", "colour = 1\n\n[policy]\n");
    check(
        &t,
        "traders.colour",
        at(&t, "colour"),
        "unknown field `colour`",
    );
}

#[test]
fn unknown_field_in_crossing() {
    let t = edit("workers = 500\n", "workers = 500\nlanes = 4\n");
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_problem(
        &p[0],
        "crossings.beta.lanes",
        at(&t, "lanes"),
        "unknown field `lanes`",
    );
    assert!(
        p[0].message.contains("max_trucks_per_day"),
        "lists valid fields"
    );
}

#[test]
fn unknown_field_in_distribution_params() {
    let t = edit(
        "{ median = 10, p90 = 25 }",
        "{ median = 10, p90 = 25, p99 = 80 }",
    );
    check(
        &t,
        "events.closure.duration_days.lognormal.p99",
        pos(&t, "p90 = 25, p99 = 80", "p99"),
        "unknown field `p99`",
    );
}

// --- wrong types ------------------------------------------------------------

#[test]
fn string_where_number_expected() {
    let t = edit("workers = 1000\n", "workers = \"1000\"\n");
    check(
        &t,
        "crossings.alpha.workers",
        pos(&t, "workers = \"1000\"", "\"1000\""),
        "write the number without quotes",
    );
}

#[test]
fn string_where_integer_expected() {
    let t = edit("horizon_days = 30\n", "horizon_days = \"30\"\n");
    check(
        &t,
        "scenario.horizon_days",
        pos(&t, "horizon_days = \"30\"", "\"30\""),
        "invalid type: string",
    );
}

#[test]
fn string_where_bool_expected() {
    let t = edit("perishable = true\n", "perishable = \"yes\"\n");
    check(
        &t,
        "commodities.fruit.perishable",
        pos(&t, "perishable = \"yes\"", "\"yes\""),
        "invalid type: string",
    );
}

// --- missing fields ---------------------------------------------------------

#[test]
fn missing_field_in_crossing() {
    let t = edit("workers = 1000\n", "");
    // Points at the table that lacks it.
    check(
        &t,
        "crossings.alpha.workers",
        at(&t, "[crossings.alpha]"),
        "missing field `workers`",
    );
}

#[test]
fn missing_field_in_scenario() {
    let t = edit("horizon_days = 30\n", "");
    check(
        &t,
        "scenario.horizon_days",
        at(&t, "[scenario]"),
        "missing field `horizon_days`",
    );
}

#[test]
fn missing_distribution_parameter() {
    let t = edit(
        "{ uniform = { min = 80, max = 120 } }",
        "{ uniform = { min = 80 } }",
    );
    check(
        &t,
        "crossings.beta.max_trucks_per_day.uniform.max",
        at(&t, "{ min = 80 }"),
        "missing field `max`",
    );
}

#[test]
fn missing_section() {
    let from = BASE.find("[flows.alpha_fruit]").unwrap();
    let to = BASE.find("[events.closure]").unwrap();
    let t = format!("{}{}", &BASE[..from], &BASE[to..]);
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].path, "flows");
    assert!(p[0].line >= 1);
    assert!(p[0].message.contains("missing field `flows`"), "{}", p[0]);
}

// --- ranges -----------------------------------------------------------------

#[test]
fn negative_count() {
    let t = edit("workers = 1000\n", "workers = -3\n");
    check(
        &t,
        "crossings.alpha.workers",
        pos(&t, "workers = -3", "-3"),
        "below the allowed range",
    );
}

#[test]
fn probability_above_one() {
    let t = edit("probability = 1\n", "probability = 1.5\n");
    check(
        &t,
        "events.closure.probability",
        pos(&t, "probability = 1.5", "1.5"),
        "between 0 and 1",
    );
}

#[test]
fn share_above_one() {
    let t = edit("import_share = 0.3\n", "import_share = 2\n");
    check(
        &t,
        "commodities.fruit.import_share",
        pos(&t, "import_share = 2", "2"),
        "above the allowed range",
    );
}

#[test]
fn nan_literal() {
    let t = edit("workers = 1000\n", "workers = nan\n");
    check(
        &t,
        "crossings.alpha.workers",
        pos(&t, "workers = nan", "nan"),
        "must be a finite number",
    );
}

#[test]
fn inf_literal() {
    let t = edit("wage_per_day = 8\n", "wage_per_day = inf\n");
    check(
        &t,
        "crossings.alpha.wage_per_day",
        pos(&t, "wage_per_day = inf", "inf"),
        "must be a finite number",
    );
}

#[test]
fn negative_inf_literal() {
    let t = edit("workers = 1000\n", "workers = -inf\n");
    check(
        &t,
        "crossings.alpha.workers",
        pos(&t, "workers = -inf", "-inf"),
        "must be a finite number",
    );
}

#[test]
fn nan_inside_distribution() {
    let t = edit(
        "{ uniform = { min = 80, max = 120 } }",
        "{ uniform = { min = nan, max = 120 } }",
    );
    check(
        &t,
        "crossings.beta.max_trucks_per_day.uniform.min",
        pos(&t, "min = nan", "nan"),
        "must be a finite number",
    );
}

#[test]
fn untruncated_normal_for_a_share() {
    let t = edit(
        "import_share = 0.3\n",
        "import_share = { normal = { mean = 0.3, sd = 0.1 } }\n",
    );
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_problem(
        &p[0],
        "commodities.fruit.import_share",
        pos(&t, "import_share = { normal", "{ normal"),
        "can be negative",
    );
    assert!(
        p[0].message.contains("truncate it"),
        "suggests a fix: {}",
        p[0]
    );
}

// --- distribution parameters ------------------------------------------------

#[test]
fn uniform_min_above_max() {
    let t = edit(
        "{ uniform = { min = 80, max = 120 } }",
        "{ uniform = { min = 120, max = 80 } }",
    );
    check(
        &t,
        "crossings.beta.max_trucks_per_day.uniform.max",
        pos(&t, "{ min = 120, max = 80 }", "80"),
        "max (80) must be at least min (120)",
    );
}

#[test]
fn lognormal_p90_below_median() {
    let t = edit("{ median = 10, p90 = 25 }", "{ median = 10, p90 = 5 }");
    check(
        &t,
        "events.closure.duration_days.lognormal.p90",
        pos(&t, "{ median = 10, p90 = 5 }", "5 }"),
        "p90 (5) must be greater than median (10)",
    );
}

#[test]
fn discrete_weights_length_mismatch() {
    let t = edit(
        "savings_days = 12\n",
        "savings_days = { discrete = { values = [1, 2, 3], weights = [0.5, 0.5] } }\n",
    );
    check(
        &t,
        "crossings.beta.savings_days.discrete.weights",
        at(&t, "[0.5, 0.5]"),
        "2 weights for 3 values",
    );
}

#[test]
fn unknown_distribution_family() {
    let t = edit(
        "savings_days = 12\n",
        "savings_days = { cauchy = { loc = 1 } }\n",
    );
    check(
        &t,
        "crossings.beta.savings_days",
        at(&t, "{ cauchy"),
        "unknown distribution `cauchy`",
    );
}

// --- references -------------------------------------------------------------

#[test]
fn flow_with_undefined_crossing() {
    let t = edit("crossing = \"beta\"", "crossing = \"gamma\"");
    check(
        &t,
        "flows.beta_coal.crossing",
        at(&t, "\"gamma\""),
        "unknown crossing \"gamma\" (defined: alpha, beta)",
    );
}

#[test]
fn flow_with_undefined_commodity() {
    let t = edit("commodity = \"coal\"", "commodity = \"oil\"");
    check_has(
        &t,
        "flows.beta_coal.commodity",
        at(&t, "\"oil\""),
        "unknown commodity \"oil\" (defined: coal, fruit)",
    );
    // coal is now carried by no flow: reported too.
    check_has(
        &t,
        "commodities.coal",
        at(&t, "[commodities.coal]"),
        "no flow carries this commodity",
    );
}

#[test]
fn event_with_undefined_crossing() {
    let t = edit(
        "crossings = [\"alpha\", \"beta\"]",
        "crossings = [\"alpha\", \"gamma\"]",
    );
    check_has(
        &t,
        "events.closure.crossings.1",
        at(&t, "\"gamma\""),
        "unknown crossing \"gamma\"",
    );
}

#[test]
fn stagger_for_crossing_not_in_event() {
    let t = edit(
        "crossings = [\"alpha\", \"beta\"]",
        "crossings = [\"alpha\"]",
    );
    check(
        &t,
        "events.closure.reopen_stagger_days.beta",
        at(&t, "{ uniform = { min = 0, max = 2 } }"),
        "crossing \"beta\" is not among this event's crossings",
    );
}

#[test]
fn event_lists_a_crossing_twice() {
    let t = edit(
        "crossings = [\"alpha\", \"beta\"]",
        "crossings = [\"alpha\", \"beta\", \"alpha\"]",
    );
    check(
        &t,
        "events.closure.crossings.2",
        pos(&t, "\"beta\", \"alpha\"]", "\"alpha\""),
        "listed twice",
    );
}

// --- consistency ------------------------------------------------------------

#[test]
fn cpi_weights_of_one_market_exceed_one() {
    // fruit and coal both go to Pakistan: 0.999 + 0.005 > 1.
    let t = edit("cpi_weight = 0.01\n", "cpi_weight = 0.999\n");
    check(
        &t,
        "commodities.fruit.cpi_weight",
        pos(&t, "cpi_weight = 0.999", "0.999"),
        "CPI weights of the commodities imported into pk add up to",
    );
}

#[test]
fn commodity_flowing_both_ways() {
    let t = format!(
        "{BASE}\n[flows.beta_fruit]\ncrossing = \"beta\"\ndirection = \"pk_to_af\"\n\
         commodity = \"fruit\"\ntrucks_per_day = 5\nvalue_usd_per_truck = 5000\n\
         tonnes_per_truck = 20\nduty_rate = 0.08\n"
    );
    check(
        &t,
        "flows.beta_fruit.direction",
        at(&t, "\"pk_to_af\""),
        "already flows af_to_pk in flow \"alpha_fruit\"",
    );
}

#[test]
fn perishable_without_shelf_life() {
    let t = edit("shelf_life_shape = 2\n", "");
    check(
        &t,
        "commodities.fruit.shelf_life_shape",
        at(&t, "[commodities.fruit]"),
        "a perishable commodity needs",
    );
}

#[test]
fn shelf_life_on_non_perishable() {
    let t = edit(
        "perishable = false\n",
        "perishable = false\nshelf_life_scale_days = 9\n",
    );
    check(
        &t,
        "commodities.coal.shelf_life_scale_days",
        pos(&t, "shelf_life_scale_days = 9", "9"),
        "only used for perishables",
    );
}

// --- run size ---------------------------------------------------------------

#[test]
fn horizon_zero() {
    let t = edit("horizon_days = 30\n", "horizon_days = 0\n");
    check(
        &t,
        "scenario.horizon_days",
        pos(&t, "horizon_days = 0", "0"),
        "must be between 1 and 3650 days, got 0",
    );
}

#[test]
fn horizon_absurd() {
    let t = edit("horizon_days = 30\n", "horizon_days = 100000\n");
    check(
        &t,
        "scenario.horizon_days",
        pos(&t, "horizon_days = 100000", "100000"),
        "got 100000",
    );
}

#[test]
fn replicates_zero() {
    let t = edit("replicates = 100\n", "replicates = 0\n");
    check(
        &t,
        "scenario.replicates",
        pos(&t, "replicates = 0", "0"),
        "must be between 1 and 100000000, got 0",
    );
}

#[test]
fn replicates_absurd() {
    let t = edit("replicates = 100\n", "replicates = 1000000000000\n");
    check(
        &t,
        "scenario.replicates",
        pos(&t, "replicates = 1000000000000", "1000000000000"),
        "got 1000000000000",
    );
}

/// The base scenario with a 3650-day horizon and `extra` more flows.
fn many_flows(extra: usize) -> String {
    let mut t = edit("horizon_days = 30\n", "horizon_days = 3650\n");
    for i in 0..extra {
        t.push_str(&format!(
            "\n[flows.extra_{i}]\ncrossing = \"alpha\"\ndirection = \"af_to_pk\"\n\
             commodity = \"fruit\"\ntrucks_per_day = 1\nvalue_usd_per_truck = 5000\n\
             tonnes_per_truck = 20\nduty_rate = 0.08\n"
        ));
    }
    t
}

#[test]
fn horizon_times_flows_too_large() {
    // 548 flows × 3650 days = 2,000,200 > 2,000,000.
    let t = many_flows(546);
    check(
        &t,
        "scenario.horizon_days",
        pos(&t, "horizon_days = 3650", "3650"),
        "horizon × flows = 2000200 exceeds 2000000",
    );
    // 547 flows × 3650 days = 1,996,550 is accepted.
    let ok = many_flows(545);
    if let Err(e) = load_str(&ok, FILE) {
        panic!("547 flows × 3650 days should be accepted:\n{e}");
    }
}

// --- file level -------------------------------------------------------------

#[test]
fn empty_file() {
    for text in ["", "\n\n", "   \n\t\n"] {
        let p = problems(text);
        assert_eq!(p.len(), 1, "{}", render(&p));
        assert_eq!(p[0].path, "");
        assert!(p[0].message.contains("the file is empty"), "{}", p[0]);
    }
}

#[test]
fn comments_only_file() {
    let p = problems("# just a comment\n\n   # another\n");
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].path, "");
    assert!(p[0].message.contains("the file is empty"), "{}", p[0]);
}

#[test]
fn toml_syntax_error() {
    let t = edit("workers = 500\n", "workers = = 500\n");
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{}", render(&p));
    // The line is the broken one; the column points into it.
    let (line, _) = at(&t, "workers = = 500");
    assert_eq!(p[0].line, line, "{}", p[0]);
    assert!(p[0].column >= 9, "{}", p[0]);
}

#[test]
fn duplicate_key() {
    let t = edit("workers = 500\n", "workers = 500\nworkers = 600\n");
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{}", render(&p));
    assert_eq!(p[0].line, at(&t, "workers = 600").0, "{}", p[0]);
    assert!(p[0].message.contains("duplicate key"), "{}", p[0]);
}

#[test]
fn crlf_line_endings_are_located_too() {
    let t = BASE
        .replace('\n', "\r\n")
        .replace("workers = 1000", "workers = -3");
    check(
        &t,
        "crossings.alpha.workers",
        pos(&t, "workers = -3", "-3"),
        "below the allowed range",
    );
}

// --- names and enum strings -------------------------------------------------

#[test]
fn bad_scenario_name() {
    let t = edit("name = \"minimal\"", "name = \"mini mal\"");
    check(
        &t,
        "scenario.name",
        at(&t, "\"mini mal\""),
        "use only letters, digits",
    );
}

#[test]
fn bad_table_name() {
    let t = BASE.replace("[events.closure", "[events.\"clo sure\"");
    check(
        &t,
        "events.clo sure",
        at(&t, "[events.\"clo sure\"]"),
        "names may use only letters, digits",
    );
}

#[test]
fn bad_crossing_name_is_reported_first() {
    let t = edit("[crossings.beta]", "[crossings.\"be ta\"]");
    let p = problems(&t);
    assert_problem(
        &p[0],
        "crossings.be ta",
        at(&t, "[crossings.\"be ta\"]"),
        "names may use only letters, digits",
    );
}

#[test]
fn bad_direction() {
    let t = edit(
        "direction = \"af_to_pk\"\ncommodity = \"coal\"",
        "direction = \"north\"\ncommodity = \"coal\"",
    );
    check(
        &t,
        "flows.beta_coal.direction",
        at(&t, "\"north\""),
        "unknown direction \"north\"",
    );
}

#[test]
fn bad_timing() {
    let t = edit("timing = \"fixed\"", "timing = \"sometimes\"");
    check(
        &t,
        "events.closure.timing",
        at(&t, "\"sometimes\""),
        "unknown timing \"sometimes\"",
    );
}

#[test]
fn bad_priority() {
    let t = edit("priority = \"fifo\"", "priority = \"fastest\"");
    check(
        &t,
        "policy.priority",
        at(&t, "\"fastest\""),
        "unknown priority \"fastest\"",
    );
}

#[test]
fn bad_wage_currency() {
    let t = edit("wage_currency = \"USD\"", "wage_currency = \"EUR\"");
    check(
        &t,
        "crossings.alpha.wage_currency",
        at(&t, "\"EUR\""),
        "unknown currency \"EUR\"",
    );
}

#[test]
fn wages_in_pkr_without_exchange_rate() {
    let t = edit("wage_currency = \"USD\"", "wage_currency = \"PKR\"");
    check(
        &t,
        "crossings.alpha.wage_currency",
        at(&t, "\"PKR\""),
        "wages in PKR need `exchange_rates.pkr_per_usd`",
    );
}

#[test]
fn wages_in_afn_without_exchange_rate() {
    let t = edit("afn_per_usd = 70\n", "");
    check(
        &t,
        "crossings.beta.wage_currency",
        at(&t, "\"AFN\""),
        "wages in AFN need `exchange_rates.afn_per_usd`",
    );
}

// --- events -----------------------------------------------------------------

#[test]
fn recurrent_event_without_daily_hazard() {
    let t = edit("timing = \"fixed\"", "timing = \"recurrent\"");
    check(
        &t,
        "events.closure.daily_hazard",
        at(&t, "[events.closure]"),
        "a recurrent event needs `daily_hazard`",
    );
}

#[test]
fn daily_hazard_on_fixed_event() {
    let t = edit("probability = 1\n", "probability = 1\ndaily_hazard = 0.1\n");
    check(
        &t,
        "events.closure.daily_hazard",
        pos(&t, "daily_hazard = 0.1", "0.1"),
        "is for `timing = \"recurrent\"` events",
    );
}

// --- several problems -------------------------------------------------------

#[test]
fn all_problems_are_reported() {
    let mut t = edit("workers = 1000\n", "workers = -3\n");
    t = edit_text(&t, "probability = 1\n", "probability = 1.5\n");
    t = edit_text(
        &t,
        "direction = \"af_to_pk\"\ncommodity = \"coal\"",
        "direction = \"north\"\ncommodity = \"coal\"",
    );
    t = edit_text(&t, "priority = \"fifo\"", "priority = \"fastest\"");
    let p = problems(&t);
    assert_eq!(p.len(), 4, "{}", render(&p));
    let expect = [
        ("policy.priority", at(&t, "\"fastest\"")),
        ("crossings.alpha.workers", pos(&t, "workers = -3", "-3")),
        ("flows.beta_coal.direction", at(&t, "\"north\"")),
        (
            "events.closure.probability",
            pos(&t, "probability = 1.5", "1.5"),
        ),
    ];
    for (path, loc) in expect {
        let e = p
            .iter()
            .find(|e| e.path == path)
            .unwrap_or_else(|| panic!("{path} not reported:\n{}", render(&p)));
        assert_eq!((e.line, e.column), loc, "{e}");
    }
    // Reported in file order of the sections checked.
    let lines: Vec<usize> = p.iter().map(|e| e.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "{}", render(&p));
    // The error text lists them one per line.
    let shown = load_str(&t, FILE).unwrap_err().to_string();
    assert_eq!(shown.lines().count(), 4, "{shown}");
}
