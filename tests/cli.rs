//! The `plansok` binary: ingest, search (table and the JSON of docs/api.md), stats, exit codes.

mod common;

use std::process::{Command, Output};

use common::repo;

fn plansok(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plansok"))
        .args(args)
        .env("PLANSOK_DATA", data)
        .env_remove("PLANSOK_CONFIG_DIR")
        .output()
        .expect("run plansok")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn ingest_search_and_stats_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let corpus = repo().join("corpus/sample");
    let o = plansok(data.path(), &["ingest", corpus.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    assert!(
        out.contains("1 skipped") && out.contains("trasig.pdf"),
        "{out}"
    );

    let o = plansok(
        data.path(),
        &[
            "search",
            "--json",
            "--region",
            "jamtland",
            "--period",
            "2025",
            "våldsutsatta",
            "barn",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["query"], "våldsutsatta barn");
    for key in ["total", "took_ms", "hits", "facets"] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for key in [
        "id",
        "url",
        "title",
        "region",
        "municipality",
        "organisation",
        "type",
        "period",
        "goals",
        "lang",
        "score",
        "snippet",
        "page",
    ] {
        assert!(hits[0].get(key).is_some(), "hit key {key}");
    }
    assert_eq!(hits[0]["region"], "Jämtlands län");
    for key in ["region", "goal", "type", "period", "organisation", "lang"] {
        assert!(v["facets"][key].is_array(), "facet {key}");
    }

    let o = plansok(data.path(), &["search", "handlingsplan"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("hits for \"handlingsplan\""));

    let o = plansok(data.path(), &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["documents"]["region"].as_array().unwrap().len(), 21);
    assert!(v["passages"]["total"].as_u64().unwrap() > v["documents"]["total"].as_u64().unwrap());
}

#[test]
fn exit_codes_tell_bad_usage_from_failure() {
    let data = tempfile::tempdir().unwrap();
    let o = plansok(data.path(), &["search", "våld"]);
    assert_eq!(o.status.code(), Some(1), "no index yet is a failure");
    assert!(String::from_utf8_lossy(&o.stderr).contains("plansok ingest"));

    let corpus = repo().join("corpus/sample/www.lansstyrelsen.se/jamtland");
    assert_eq!(
        plansok(data.path(), &["ingest", corpus.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let o = plansok(data.path(), &["search", "--region", "Narnia", "våld"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Narnia"));
    assert_eq!(
        plansok(data.path(), &["search", "--period", "2030-2020", "våld"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(plansok(data.path(), &["frobnicate"]).status.code(), Some(2));
    let o = plansok(data.path(), &["ingest", "/no/such/folder"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a missing path is reported and skipped"
    );
    assert!(stdout(&o).contains("no such file or folder"));
}

#[test]
fn a_killed_ingest_leaves_a_usable_index_and_a_rerun_completes() {
    let data = tempfile::tempdir().unwrap();
    let docs = tempfile::tempdir().unwrap();
    // Enough work that the kill lands mid-run: 10 unique copies of the corpus.
    let n = common::corpus_copies(docs.path(), 10);
    let mut child = Command::new(env!("CARGO_BIN_EXE_plansok"))
        .args(["ingest", docs.path().to_str().unwrap()])
        .env("PLANSOK_DATA", data.path())
        .env(
            "PLANSOK_CONFIG_DIR",
            repo().join("tests/config-commit-often"),
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let _ = child.kill();
    let _ = child.wait();

    // The index opens at its last commit (possibly empty) and answers.
    let o = plansok(data.path(), &["stats", "--json"]);
    if o.status.code() == Some(0) {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(v["documents"]["total"].as_u64().unwrap() <= n as u64);
    }
    // A re-run completes the work without duplicates.
    let o = plansok(data.path(), &["ingest", docs.path().to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = plansok(data.path(), &["stats", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let robots = 10; // robots.txt is not a document
    let broken = 10; // the broken PDF is skipped
    assert_eq!(
        v["documents"]["total"].as_u64().unwrap(),
        (n - robots - broken) as u64
    );
}
