use bordersim::scenario::load_str;
const BASE: &str = include_str!("data/minimal.toml");
fn edit(old: &str, new: &str) -> String {
    assert_eq!(BASE.matches(old).count(), 1, "{old}");
    BASE.replacen(old, new, 1)
}
fn show(name: &str, t: &str) {
    match load_str(t, "test.toml") {
        Ok(_) => println!("{name}: OK"),
        Err(e) => {
            for p in e.problems() {
                println!("{name}: {:?} {}:{} {}", p.path, p.line, p.column, p.message);
            }
        }
    }
}
#[test]
fn probe() {
    show("base", BASE);
    show("unk_top", &format!("{BASE}\n[bogus]\nx = 1\n"));
    show("unk_top2", &edit("[policy]\n", "colour = 1\n[policy]\n"));
    show(
        "unk_crossing",
        &edit("workers = 500\n", "workers = 500\nlanes = 4\n"),
    );
    show(
        "unk_param",
        &edit(
            "{ median = 10, p90 = 25 }",
            "{ median = 10, p90 = 25, p99 = 80 }",
        ),
    );
    show("string", &edit("workers = 1000\n", "workers = \"1000\"\n"));
    show("missing", &edit("workers = 1000\n", ""));
    show("missing_top", &edit("horizon_days = 30\n", ""));
    show("neg", &edit("workers = 1000\n", "workers = -3\n"));
    show("prob", &edit("probability = 1\n", "probability = 1.5\n"));
    show("share", &edit("import_share = 0.3\n", "import_share = 2\n"));
    show("nan", &edit("workers = 1000\n", "workers = nan\n"));
    show("inf", &edit("wage_per_day = 8\n", "wage_per_day = inf\n"));
    show(
        "normal_share",
        &edit(
            "import_share = 0.3\n",
            "import_share = { normal = { mean = 0.3, sd = 0.1 } }\n",
        ),
    );
    show(
        "uniform",
        &edit(
            "{ uniform = { min = 80, max = 120 } }",
            "{ uniform = { min = 120, max = 80 } }",
        ),
    );
    show(
        "lognormal",
        &edit("{ median = 10, p90 = 25 }", "{ median = 10, p90 = 5 }"),
    );
    show(
        "discrete",
        &edit(
            "savings_days = 12\n",
            "savings_days = { discrete = { values = [1, 2, 3], weights = [0.5, 0.5] } }\n",
        ),
    );
    show(
        "family",
        &edit(
            "savings_days = 12\n",
            "savings_days = { cauchy = { loc = 1 } }\n",
        ),
    );
    show(
        "flow_crossing",
        &edit("crossing = \"beta\"", "crossing = \"gamma\""),
    );
    show(
        "flow_commodity",
        &edit("commodity = \"coal\"", "commodity = \"oil\""),
    );
    show(
        "event_crossing",
        &edit(
            "crossings = [\"alpha\", \"beta\"]",
            "crossings = [\"alpha\", \"gamma\"]",
        ),
    );
    show(
        "stagger",
        &edit(
            "crossings = [\"alpha\", \"beta\"]",
            "crossings = [\"alpha\"]",
        ),
    );
    show("cpi", &edit("cpi_weight = 0.01\n", "cpi_weight = 0.999\n"));
    show(
        "both_dirs",
        &format!(
            "{BASE}\n[flows.beta_fruit]\ncrossing = \"beta\"\ndirection = \"pk_to_af\"\ncommodity = \"fruit\"\ntrucks_per_day = 5\nvalue_usd_per_truck = 5000\ntonnes_per_truck = 20\nduty_rate = 0.08\n"
        ),
    );
    show("shelf", &edit("shelf_life_shape = 2\n", ""));
    show("h0", &edit("horizon_days = 30\n", "horizon_days = 0\n"));
    show(
        "h1e5",
        &edit("horizon_days = 30\n", "horizon_days = 100000\n"),
    );
    show("r0", &edit("replicates = 100\n", "replicates = 0\n"));
    show(
        "r1e12",
        &edit("replicates = 100\n", "replicates = 1000000000000\n"),
    );
    show("empty", "");
    show("comments", "# hello\n\n   # x\n");
    show("syntax", &edit("workers = 500\n", "workers = = 500\n"));
    show(
        "badname",
        &edit("[crossings.beta]", "[crossings.\"be ta\"]"),
    );
    show(
        "badname2",
        &edit("name = \"minimal\"", "name = \"mini mal\""),
    );
    show(
        "dir",
        &edit(
            "direction = \"af_to_pk\"\ncommodity = \"coal\"",
            "direction = \"north\"\ncommodity = \"coal\"",
        ),
    );
    show(
        "timing",
        &edit("timing = \"fixed\"", "timing = \"sometimes\""),
    );
    show(
        "priority",
        &edit("priority = \"fifo\"", "priority = \"fastest\""),
    );
    show(
        "cur",
        &edit("wage_currency = \"USD\"", "wage_currency = \"EUR\""),
    );
    show(
        "pkr",
        &edit("wage_currency = \"USD\"", "wage_currency = \"PKR\""),
    );
    show(
        "recurrent",
        &edit("timing = \"fixed\"", "timing = \"recurrent\""),
    );
}
